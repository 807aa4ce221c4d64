"""Built-in node packs. One node per file, grouped by category (family) in sub-packages.

The registry imports exactly the modules listed here (folder walking breaks in frozen
builds): each family package lists its own node modules in ``MODULES``; a new family is
added to FAMILIES.
"""

import importlib

FAMILIES = ["io", "flow", "color", "filter", "segmentation", "morphology", "edges", "geometry", "regions", "matching",
            "measure", "calibration", "codes", "arithmetic", "dl", "judge", "annotate"]


def _builtin_modules() -> list[str]:
    mods = ["workbench.core.subgraph"]
    for fam in FAMILIES:
        pkg = importlib.import_module(f"{__name__}.{fam}")
        mods += [f"{pkg.__name__}.{m}" for m in pkg.MODULES]
    return mods


BUILTIN_MODULES = _builtin_modules()
