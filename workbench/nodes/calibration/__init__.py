"""Calibration nodes. MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "find_chessboard",
    "calibrate_camera",
    "undistort",
    "pixel_scale",
]
