"""Qt never appears outside workbench/gui: import every non-GUI module with Qt blocked."""

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
mods = ["workbench.cli"]
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
