"""Builds a flavour (packaging/build.py) and runs the frozen self-test with a bare environment: no
Python on PATH, no PYTHONPATH, no network (unshare -rn where permitted).

Slow (a clean venv + PyInstaller: 1-2 minutes on 2 cores with a warm pip cache, ~1 GB of downloads
on a cold one), so it is skipped unless WORKBENCH_SLOW=1; CI stays fast. The gpu flavour (CUDA 13,
~2.5 GB, 2 GB of downloads) only with WORKBENCH_SLOW_GPU=1 too. Run by hand:

    WORKBENCH_SLOW=1 .venv/bin/python -m pytest tests/packaging/test_frozen.py -m slow
    WORKBENCH_SLOW=1 WORKBENCH_BUILD_REUSE=1 ...   # keep build/venv-<flavour> between runs
    WORKBENCH_SLOW=1 WORKBENCH_SLOW_GPU=1 ...      # also the gpu flavour
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("WORKBENCH_SLOW") != "1", reason="slow: set WORKBENCH_SLOW=1"),
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle")]
# the gpu flavour (2 GB of downloads) is collected only when asked for: not a skipped test in every run
FLAVOURS = ["cpu"] + (["gpu"] if os.environ.get("WORKBENCH_SLOW_GPU") == "1" else [])


def _driver_here() -> bool:
    import ctypes

    try:
        ctypes.CDLL("libcuda.so.1")
        return True
    except OSError:
        return False


@pytest.fixture(scope="module", params=FLAVOURS)
def bundle(request):
    flavour = request.param
    cmd = [sys.executable, str(REPO / "packaging" / "build.py"), "--flavour", flavour, "--no-archive"]
    if os.environ.get("WORKBENCH_BUILD_REUSE") == "1":
        cmd.append("--reuse-venv")
    proc = subprocess.run(cmd, cwd=REPO, timeout=3600, capture_output=True, text=True)
    report = json.loads((REPO / "build" / f"{flavour}-report.json").read_text(encoding="utf-8"))
    assert report["flavour"] == flavour, proc.stdout[-3000:] + proc.stderr[-3000:]
    return flavour, REPO / "dist" / flavour / "VisionWorkbench", report


def test_build_is_clean_and_within_budget(bundle):
    flavour, _, report = bundle
    assert report["problems"] == []
    assert report["size_mb"] <= report["budget_mb"], report["largest_mb"]
    assert not any(origin.startswith("system") for origin in ("",))  # keeps pytest's rewrite quiet
    libs = report["libraries"]
    if flavour == "cpu":
        assert "cuda_libraries" not in libs
        assert libs["icu"]["trimmed"] is True
    else:
        names = {Path(p).name for p in libs["cuda_libraries"]}
        assert {"libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcudnn.so.9"} <= names


def test_frozen_self_test_without_python(bundle, tmp_path):
    flavour, path, _ = bundle
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
    assert "pyqtgraph" in report["gui"] and "drawn" in report["gui"]["pyqtgraph_render"]
    gl = report["gpu_libraries"]
    if flavour == "cpu":
        assert gl["cuda_build"] is False and gl["loaded"] == []
        return
    # gpu: the bundle's CUDA libraries exist, were loaded from inside it, and without a driver the
    # models run on CPU with the reason said
    assert gl["cuda_build"] is True and gl["ok"] is True
    assert {Path(b["file"]).name for b in gl["bundled"]} >= {"libcudart.so.13", "libcudnn.so.9"}
    assert gl["loaded"] and all(Path(p).is_relative_to(path) for p in gl["loaded"])
    assert gl["preload"]["reason"] == "" and not gl["preload"]["failed"]
    if not _driver_here():
        assert report["providers"]["gpu"] is None
        assert "no NVIDIA driver (libcuda.so.1 not found)" in report["providers"]["gpu_reason"]
        assert "running on CPU: " in proc.stdout
