"""Segmentation nodes. MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "threshold",
    "in_range",
    "distance_transform",
    "watershed",
]
