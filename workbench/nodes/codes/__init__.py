"""Codes nodes. MODULES lists this family's node modules (one node per file)."""

MODULES: list[str] = [
    "qr_decode",
    "barcode_decode",
    "aruco_detect",
    "qr_generate",
]
