"""Node names, categories and parameter labels are translatable, and every table is complete."""

import json

import pytest

from workbench.cli import main
from workbench.core.i18n import LANGUAGES, catalog, source_strings, tr
from workbench.core.paths import resources_dir
from workbench.core.registry import default_registry


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_node_string_is_translated(lang):
    table = json.loads((resources_dir() / "translations" / f"{lang}.json").read_text(encoding="utf-8"))
    missing = [s for s in source_strings(default_registry()) if not table.get(s)]
    assert missing == [], f"{lang}: {len(missing)} untranslated, e.g. {missing[:5]}"
    stale = sorted(set(table) - set(source_strings(default_registry())))
    assert stale == [], f"{lang}: strings no node uses any more: {stale[:5]}"


def test_tr_uses_the_table_and_falls_back_to_english():
    assert tr("Blob Analysis", "zh_CN") == catalog("zh_CN")["Blob Analysis"] != "Blob Analysis"
    assert tr("Blob Analysis", "en") == "Blob Analysis"
    assert tr("No such string", "zh_CN") == "No such string"


def test_catalog_in_chinese(capsys):
    assert main(["nodes", "--lang", "zh_CN"]) == 0
    out = capsys.readouterr().out
    assert f"[{tr('Morphology', 'zh_CN')}]" in out and tr("Gaussian Blur", "zh_CN") in out
    assert main(["nodes", "--lang", "xx"]) == 2
    assert "unknown language 'xx'" in capsys.readouterr().err
