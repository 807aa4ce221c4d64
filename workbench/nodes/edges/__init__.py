"""Edges nodes. MODULES lists this family's node modules (one node per file)."""

MODULES: list[str] = [
    "canny",
    "sobel",
    "scharr",
    "laplacian",
    "gradient",
]
