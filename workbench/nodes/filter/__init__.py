"""Filter nodes. MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "gaussian_blur",
    "median_blur",
    "bilateral_filter",
    "box_blur",
    "sharpen",
    "custom_kernel",
    "denoise",
]
