#!/usr/bin/env python3
"""Collect the GUI's t("...") strings into the Qt translation files and compile them.

    python scripts/update_translations.py          # update resources/translations/workbench_<lang>.ts + .qm
    python scripts/update_translations.py --check  # exit 1 when a string is untranslated or a .qm is stale

Sources are the English literals passed to ``workbench.gui.i18n.t`` anywhere under
workbench/gui. Translations already in the .ts file are kept; new strings are added
untranslated (``type="unfinished"``) and --check fails until someone translates them. Files named
``workbench/gui/_*_strings_<lang>.json`` ({"English": "translation"}) are merged in and removed.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUI = ROOT / "workbench" / "gui"
OUT = ROOT / "resources" / "translations"
LANGS = ("zh_CN",)
CONTEXT = "workbench"


def gui_strings() -> list[str]:
    """Every literal argument of a call to t(...) in workbench/gui (parsed, not grepped)."""
    found: set[str] = set()
    for path in sorted(GUI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t" \
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return sorted(found)


def ts_path(lang: str) -> Path:
    return OUT / f"workbench_{lang}.ts"


def read_ts(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    table = {}
    for msg in ET.parse(path).getroot().iter("message"):
        src = msg.findtext("source") or ""
        tr = msg.find("translation")
        if tr is not None and tr.text and tr.get("type") not in ("unfinished", "obsolete"):
            table[src] = tr.text
    return table


def write_ts(path: Path, lang: str, strings: list[str], table: dict[str, str]) -> None:
    root = ET.Element("TS", version="2.1", language=lang)
    ctx = ET.SubElement(root, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    for s in strings:
        msg = ET.SubElement(ctx, "message")
        ET.SubElement(msg, "source").text = s
        tr = ET.SubElement(msg, "translation")
        if table.get(s):
            tr.text = table[s]
        else:
            tr.set("type", "unfinished")
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")


def lrelease() -> str:
    exe = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    if not Path(exe).exists() and not shutil.which(exe):
        raise SystemExit("pyside6-lrelease not found (install PySide6)")
    return exe


def compile_qm(ts: Path, qm: Path) -> None:
    subprocess.run([lrelease(), "-silent", str(ts), "-qm", str(qm)], check=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check; change nothing")
    args = ap.parse_args(argv)
    strings = gui_strings()
    status = 0
    for lang in LANGS:
        ts = ts_path(lang)
        table = read_ts(ts)
        extras = sorted(GUI.glob(f"_*_strings_{lang.split('_')[0]}*.json"))
        if not args.check:
            for extra in extras:
                for k, v in json.loads(extra.read_text(encoding="utf-8")).items():
                    if v and not table.get(k):
                        table[k] = v
            write_ts(ts, lang, strings, table)
            compile_qm(ts, ts.with_suffix(".qm"))
            for extra in extras:
                extra.unlink()
            missing = [s for s in strings if not table.get(s)]
            print(f"{lang}: {len(strings)} strings, {len(missing)} untranslated -> {ts.relative_to(ROOT)}")
            for s in missing:
                print(f"  untranslated: {s!r}")
            continue
        missing = [s for s in strings if not table.get(s)]
        if missing:
            status = 1
            print(f"{lang}: {len(missing)} untranslated, e.g. {missing[:5]}")
        with tempfile.TemporaryDirectory() as tmp:
            fresh_ts = Path(tmp) / ts.name
            write_ts(fresh_ts, lang, strings, table)
            if fresh_ts.read_text(encoding="utf-8") != (ts.read_text(encoding="utf-8") if ts.is_file() else ""):
                status = 1
                print(f"{lang}: {ts.name} is out of date: run scripts/update_translations.py")
            compile_qm(fresh_ts, Path(tmp) / "fresh.qm")
            qm = ts.with_suffix(".qm")
            if not qm.is_file() or qm.read_bytes() != (Path(tmp) / "fresh.qm").read_bytes():
                status = 1
                print(f"{lang}: {qm.name} is stale: run scripts/update_translations.py")
    return status


if __name__ == "__main__":
    sys.exit(main())
