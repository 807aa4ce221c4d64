"""Deep-learning (ONNX) nodes. MODULES lists this family's node modules (one node per file)."""

MODULES: list[str] = [
    "classify",
    "detect",
    "segment_instances",
    "segment_semantic",
    "anomaly",
    "ocr",
    "text_orientation",
]
