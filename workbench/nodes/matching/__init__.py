"""Matching nodes. MODULES lists this family's node modules (one node per file)."""

MODULES: list[str] = [
    "template_match",
    "keypoints",
    "feature_locate",
    "shape_match",
]
