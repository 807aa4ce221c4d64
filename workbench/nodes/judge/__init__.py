"""Judge nodes. MODULES lists this family's node modules (one node per file)."""

MODULES = [
    "judge",
    "rules_judge",
    "combine_verdicts",
    "verdict_from_bool",
]
