from pathlib import Path

from workbench.core.catalog import nodes_markdown
from workbench.core.registry import default_registry

DOC = Path(__file__).resolve().parents[1] / "docs" / "nodes.md"


def test_node_reference_is_current():
    expected = nodes_markdown(default_registry())
    assert DOC.read_text(encoding="utf-8") == expected, \
        "docs/nodes.md is stale: run `.venv/bin/workbench nodes --markdown > docs/nodes.md`"


def test_reference_lists_every_node():
    text = DOC.read_text(encoding="utf-8")
    for spec in default_registry():
        assert f"`{spec.id}`" in text
