"""Measure nodes. MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "count",
    "point_distance",
    "point_line_distance",
    "line_angle",
    "angle_between_lines",
    "caliper",
    "arc_caliper",
    "circle_gauge",
    "intensity_stats",
    "histogram",
    "scale_to_mm",
    "merge_measurements",
]
