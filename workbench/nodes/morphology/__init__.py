"""Morphology nodes. MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "morphology",
    "fill_holes",
    "skeleton",
    "gray_morphology",
]
