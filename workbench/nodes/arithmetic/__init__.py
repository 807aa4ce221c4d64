"""Arithmetic nodes. MODULES lists this family's node modules (one node per file)."""

MODULES: list[str] = [
    "add",
    "subtract",
    "absdiff",
    "weighted_blend",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "apply_mask",
    "golden_compare",
]
