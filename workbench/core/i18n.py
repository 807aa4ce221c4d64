"""Translations of node-facing strings (node names, categories, parameter labels, port names, descriptions).

The node specs hold plain English literals. Their translations live in
``resources/translations/<lang>.json`` as {"English": "translation"} tables, so the GUI, the CLI
catalog and the docs can show them without Qt (the GUI's own widgets use Qt's translation
files). ``source_strings`` lists what must be translated; a test checks every shipped table
covers all of it, so a new node without a translation fails CI.
"""

from __future__ import annotations

import json
from functools import lru_cache

from workbench.core.paths import resources_dir
from workbench.core.registry import Registry

LANGUAGES = {"en": "English", "zh_CN": "简体中文"}


def source_strings(registry: Registry) -> list[str]:
    out: set[str] = set()
    for spec in registry:
        out.add(spec.name)
        out.add(spec.category)
        out.update(p.label for p in spec.params)
        out.update(p.name for p in spec.inputs + spec.outputs)  # port names, as the canvas shows them
        if spec.description:
            out.add(spec.description)
    return sorted(out)


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    if lang in ("", "en"):
        return {}
    path = resources_dir() / "translations" / f"{lang}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def tr(text: str, lang: str) -> str:
    """The translation of ``text``, or ``text`` itself when there is none."""
    return catalog(lang).get(text, text) if lang else text
