"""Annotate nodes. MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "draw_overlay",
    "draw_boxes",
    "draw_contours",
    "draw_text",
    "draw_measurement_lines",
    "draw_verdict",
    "draw_roi",
]
