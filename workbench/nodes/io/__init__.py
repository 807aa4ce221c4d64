"""Io nodes. MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "camera",
    "image_file",
    "image_folder",
    "save_image",
    "video_file",
    "write_csv",
    "write_json",
]
