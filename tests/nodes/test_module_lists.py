"""Every node file is listed: the registry imports exactly the MODULES lists (folder walking breaks in
frozen builds), so a file left out of its family's list would be a node that silently does not exist,
and a family folder left out of FAMILIES a whole category missing."""

from pathlib import Path

import workbench.nodes as nodes

NODES = Path(nodes.__file__).parent


def _node_files(family: Path) -> set[str]:
    return {p.stem for p in family.glob("*.py") if not p.name.startswith("_")}


def test_every_family_folder_is_in_families():
    folders = {p.name for p in NODES.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(nodes.FAMILIES)


def test_every_node_file_is_in_its_family_list():
    for fam in nodes.FAMILIES:
        pkg = __import__(f"workbench.nodes.{fam}", fromlist=["MODULES"])
        listed = list(pkg.MODULES)
        assert len(listed) == len(set(listed)), f"{fam}: a module listed twice"
        assert _node_files(NODES / fam) == set(listed), (
            f"workbench/nodes/{fam}: files not in MODULES {sorted(_node_files(NODES / fam) - set(listed))}, "
            f"listed without a file {sorted(set(listed) - _node_files(NODES / fam))}")


def test_every_listed_module_registers_a_node():
    from workbench.core.registry import default_registry

    reg = default_registry()
    modules = {spec.module for spec in reg}
    for mod in nodes.BUILTIN_MODULES:
        if mod.startswith("workbench.nodes."):
            assert mod in modules, f"{mod} is listed but registers no node"
