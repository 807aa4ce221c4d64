"""The layer boundaries, enforced.

* Qt never appears outside workbench/gui: every non-GUI module is imported with Qt blocked.
* The layer order core < inference < nodes < runtime < gui < cli (the entry points): a module
  imports only from its own layer or below. Every import statement (also those inside
  functions) is parsed, and every module of a layer is imported with the layers above it blocked.
"""

from __future__ import annotations

import ast
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import workbench

ROOT = Path(workbench.__file__).parent
QT = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2")

BLOCKER = r'''
import sys, importlib, importlib.abc, pkgutil
BLOCKED = %r
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError("Qt import blocked outside workbench.gui: " + name)
sys.meta_path.insert(0, Block())
import workbench
mods = ["workbench.cli", "workbench.model_cli"]
for pkg in ("core", "nodes", "inference", "runtime", "training"):
    p = importlib.import_module("workbench." + pkg)
    mods += [m.name for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")]
for m in mods:
    importlib.import_module(m)
from workbench.core.registry import default_registry
from workbench.core.pipeline_file import load_pipeline
from workbench.core.engine import Engine
from workbench.core.paths import demo_pipeline
res = Engine().run(load_pipeline(demo_pipeline()))
assert not res.failed, res.errors
assert not [m for m in sys.modules if m.split(".")[0] in BLOCKED]
print("imported", len(mods), "modules;", len(default_registry()), "nodes")
''' % (QT,)


def test_non_gui_packages_import_and_run_without_qt():
    p = subprocess.run([sys.executable, "-c", BLOCKER], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "imported" in p.stdout


def test_no_qt_import_statement_outside_gui():
    pattern = re.compile(r"^\s*(from|import)\s+(%s)\b" % "|".join(QT), re.M)
    offenders = [str(f.relative_to(ROOT)) for f in ROOT.rglob("*.py")
                 if f.relative_to(ROOT).parts[0] != "gui" and pattern.search(f.read_text(encoding="utf-8"))]
    assert offenders == []


def test_every_non_gui_module_is_covered():
    names = [m.name for m in pkgutil.walk_packages(workbench.__path__, "workbench.")]
    assert "workbench.core.engine" in names and "workbench.nodes.regions.blob_analysis" in names


# ---------------------------------------------------------------- layer order
LAYERS = {"core": 0, "inference": 1, "nodes": 2, "runtime": 3, "training": 3, "gui": 4}  # training: core + inference
TOP = 5  # workbench/cli.py, __main__.py, selftest.py: the entry points


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "workbench":
        return None
    if len(parts) == 1:
        return 0  # the package itself (its __version__) is below everything
    return LAYERS.get(parts[1], TOP)


def imports_of(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, module) for every import in the file of ``module``, relative ones made absolute."""
    package = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.append((node.lineno, mod))
            found += [(node.lineno, f"{mod}.{a.name}") for a in node.names
                      if mod == "workbench" and (a.name in LAYERS or a.name in ("cli", "selftest", "__main__"))]
    return found


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    return ".".join(p for p in rel.parts if p != "__init__")


def violations_in(path: Path, module: str) -> list[str]:
    own = layer_of(module)
    return [f"{module}:{line} imports {mod}" for line, mod in imports_of(path, module)
            if own is not None and (layer_of(mod) or 0) > own]


def violations() -> list[str]:
    return [v for path in sorted(ROOT.rglob("*.py")) for v in violations_in(path, module_name(path))]


def test_no_module_imports_a_higher_layer():
    assert violations() == []


def test_the_checker_sees_a_violation(tmp_path):
    """Imports inside functions, relative ones and ``from workbench import gui`` are all seen (so the
    test above can fail); importing a lower layer or the package's __version__ is fine."""
    probe = tmp_path / "probe.py"
    probe.write_text("import numpy\nfrom workbench import __version__\nfrom workbench.core import graph\n"
                     "def f():\n    from workbench.gui import theme\n    from ..runtime import feed\n"
                     "    from workbench import nodes\n", encoding="utf-8")
    assert violations_in(probe, "workbench.core.probe") == [
        "workbench.core.probe:5 imports workbench.gui", "workbench.core.probe:6 imports workbench.runtime",
        "workbench.core.probe:7 imports workbench.nodes"]
    assert violations_in(probe, "workbench.gui.probe") == []


LAYER_BLOCKER = r'''
import importlib, importlib.abc, pkgutil, sys
LAYER, ABOVE = %r, %r
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        parts = name.split(".")
        if parts[0] == "workbench" and len(parts) > 1 and parts[1] in ABOVE:
            raise ImportError("layer violation: importing " + name + " from workbench." + LAYER)
sys.meta_path.insert(0, Block())
p = importlib.import_module("workbench." + LAYER)
mods = [m.name for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")]
for m in mods:
    importlib.import_module(m)
print("imported", len(mods))
'''


def test_each_layer_imports_with_the_layers_above_it_blocked():
    names = list(LAYERS) + ["cli", "selftest", "__main__"]
    for layer in ("core", "inference", "nodes", "runtime", "training"):
        above = [n for n in names if n not in LAYERS or LAYERS[n] > LAYERS[layer]]
        p = subprocess.run([sys.executable, "-c", LAYER_BLOCKER % (layer, above)], capture_output=True,
                           text=True, timeout=180)
        assert p.returncode == 0, f"{layer}: {p.stderr.strip().splitlines()[-1:]}"
        assert "imported" in p.stdout
