"""Flow nodes (conditional execution and loops). MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "gate",
    "switch",
    "for_each",
]
