"""Regions nodes. MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "blob_analysis",
    "find_contours",
    "region_filter",
    "convex_hull",
    "min_area_rect",
    "approx_polygon",
    "sort_regions",
    "fit_ellipse",
    "fit_circle",
    "fit_line",
    "moments",
    "hough_lines",
    "hough_circles",
]
