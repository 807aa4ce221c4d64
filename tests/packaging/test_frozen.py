"""Builds the cpu flavour (packaging/build.py) and runs the frozen self-test with a bare
environment: no Python on PATH, no PYTHONPATH, no network (unshare -rn where permitted).

Slow (a clean venv + PyInstaller: about 5-10 minutes on 2 cores, ~1 GB of downloads on a cold
pip cache), so it is skipped unless WORKBENCH_SLOW=1; CI stays fast. Run it by hand:

    WORKBENCH_SLOW=1 .venv/bin/python -m pytest tests/packaging/test_frozen.py -m slow
    WORKBENCH_SLOW=1 WORKBENCH_BUILD_REUSE=1 ...   # keep build/venv-cpu between runs
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "dist" / "cpu" / "VisionWorkbench"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("WORKBENCH_SLOW") != "1", reason="slow: set WORKBENCH_SLOW=1"),
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle")]


@pytest.fixture(scope="module")
def bundle():
    cmd = [sys.executable, str(REPO / "packaging" / "build.py"), "--flavour", "cpu", "--no-archive"]
    if os.environ.get("WORKBENCH_BUILD_REUSE") == "1":
        cmd.append("--reuse-venv")
    subprocess.run(cmd, cwd=REPO, check=True, timeout=1800)
    report = json.loads((REPO / "build" / "cpu-report.json").read_text(encoding="utf-8"))
    return BUNDLE, report


def test_build_is_clean_and_within_budget(bundle):
    _, report = bundle
    assert report["problems"] == []
    assert report["size_mb"] <= report["budget_mb"]


def test_frozen_self_test_without_python(bundle, tmp_path):
    path, _ = bundle
    bare = tmp_path / "bin"  # a PATH with nothing on it: /usr/bin would hold the system python3
    bare.mkdir()
    out = tmp_path / "report.json"
    cmd = [str(path / "VisionWorkbench"), "self-test", "--json", str(out)]
    unshare = shutil.which("unshare")
    offline = bool(unshare) and subprocess.run([unshare, "-rn", "true"], capture_output=True).returncode == 0
    if offline:
        cmd = [unshare, "-rn", *cmd]
    env = {"PATH": str(bare), "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["ok"] and report["versions"]["frozen"] is True
    assert Path(report["versions"]["app_root"]).is_relative_to(path)
    assert "self-test PASSED" in proc.stdout
