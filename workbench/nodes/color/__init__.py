"""Color nodes. MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "convert_color",
    "split_channels",
    "merge_channels",
    "extract_channel",
    "invert",
    "gamma",
    "normalize",
    "clahe",
    "equalize_histogram",
    "white_balance",
]
