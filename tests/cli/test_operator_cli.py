"""`workbench operator`: listed in --help, a screenshot run over a folder records every frame, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

import cv2
import pytest

from workbench.core.paths import demo_pipeline, samples_dir
from workbench.runtime.results import ResultsDB


def wb(*args, tmp_path, timeout=180):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path),
           "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=tmp_path)


@pytest.fixture
def folder(tmp_path):
    """12 frames: f03, f07, f11 are the left half of the coins (NG), the rest the whole photo (OK)."""
    img = cv2.imread(str(samples_dir() / "coins.png"), cv2.IMREAD_UNCHANGED)
    d = tmp_path / "frames"
    d.mkdir()
    for i in range(12):
        cv2.imwrite(str(d / f"f{i:02d}.png"), img[:, : img.shape[1] // 2] if i % 4 == 3 else img)
    return d


def test_help_lists_operator(tmp_path):
    p = wb("--help", tmp_path=tmp_path)
    assert p.returncode == 0 and "operator" in p.stdout and "replay" in p.stdout
    p = wb("operator", "--help", tmp_path=tmp_path)
    for opt in ("--source", "--db", "--archive", "--windowed", "--screenshot", "--frames", "--plc", "--rate"):
        assert opt in p.stdout


def test_operator_screenshot_over_a_folder_records_every_frame(tmp_path, folder):
    shot, db = tmp_path / "op.png", tmp_path / "r.db"
    p = wb("operator", demo_pipeline(), "--source", f"folder:{folder}", "--db", db, "--output", tmp_path / "out",
           "--screenshot", shot, "--frames", 12, "--windowed", tmp_path=tmp_path)
    assert p.returncode == 0, p.stderr
    img = cv2.imread(str(shot))
    assert img is not None and img.shape[1] >= 1000
    red = (img[:, :, 2] > 200) & (img[:, :, 1] < 100) & (img[:, :, 0] < 110)
    assert red.sum() > 20000  # the last frame is NG: the big NG indicator is on screen
    with ResultsDB(db, readonly=True) as d:
        recs = d.query()
    assert len(recs) == 12 and [r.verdict for r in recs].count("NG") == 3
    assert all(r.image_path for r in recs if r.verdict == "NG")  # NG images archived by default


def test_operator_without_source_uses_the_pipelines_own_image(tmp_path):
    shot = tmp_path / "op.png"
    p = wb("operator", demo_pipeline(), "--no-db", "--output", tmp_path / "out", "--screenshot", shot,
           "--frames", 1, "--windowed", tmp_path=tmp_path)
    assert p.returncode == 0, p.stderr
    img = cv2.imread(str(shot))
    green = (img[:, :, 1] > 150) & (img[:, :, 0] < 140) & (img[:, :, 2] < 100)
    assert green.sum() > 5000  # the big OK indicator and the coin contours


@pytest.mark.parametrize("args, msg", [
    (["--source", "folder:/no/such/folder"], "image folder not found"),
    (["--source", "bogus:thing"], "unknown source kind"),
    (["--frames", "0"], "--frames must be 1 or more"),
    (["--trigger", "plc"], "--trigger plc needs --plc"),
])
def test_operator_errors_are_one_line(tmp_path, args, msg):
    p = wb("operator", demo_pipeline(), "--no-db", *args, "--screenshot", tmp_path / "x.png", tmp_path=tmp_path)
    assert p.returncode == 2, p.stderr
    assert msg in p.stderr and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_operator_needs_a_display(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    if sys.platform != "linux":
        pytest.skip("the display check is for Linux")
    p = subprocess.run([sys.executable, "-m", "workbench", "operator", str(demo_pipeline()), "--no-db"],
                       capture_output=True, text=True, env={**env, "HOME": str(tmp_path)}, timeout=60)
    assert p.returncode == 2 and "no display found" in p.stderr



def test_operator_on_the_pipelines_own_still_image_runs_once_per_trigger(tmp_path):
    """No --source: the pipeline's own image is inspected once per Trigger press (here the screenshot mode
    presses it until the screenshot is taken), never free-running through the same image (#13 item 9:
    it used to run at up to 119 fps and count thousands in a minute)."""
    shot, db = tmp_path / "op.png", tmp_path / "r.db"
    p = wb("operator", demo_pipeline(), "--loop", "--db", db, "--output", tmp_path / "out", "--screenshot", shot,
           "--frames", 3, "--windowed", tmp_path=tmp_path)
    assert p.returncode == 0, p.stderr
    with ResultsDB(db, readonly=True) as d:
        recs = d.query()
    # 3 presses until the screenshot is due, at most a few more during its 0.6 s delay (a press every 0.15 s);
    # free-running gives dozens in that time
    assert 3 <= len(recs) <= 8, len(recs)
