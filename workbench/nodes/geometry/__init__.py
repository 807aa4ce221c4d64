"""Geometry nodes. MODULES lists this family's node modules (one node per file)."""

MODULES: list[str] = [
    "resize",
    "crop",
    "rotate",
    "flip",
    "affine_warp",
    "perspective_warp",
    "pyramid_down",
    "pyramid_up",
    "pad",
]
