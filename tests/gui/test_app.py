"""The first window: opens the demo, runs it, shows the annotated result."""

import os
import subprocess
import sys

import pytest

from workbench.core.paths import demo_pipeline


def test_screenshot_of_the_window(tmp_path):
    shot = tmp_path / "shot.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    p = subprocess.run([sys.executable, "-m", "workbench", "gui", str(demo_pipeline()), "--screenshot", str(shot)],
                       capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 0, p.stderr
    import cv2

    img = cv2.imread(str(shot))
    assert img is not None and img.shape[1] >= 1000
    green = (img[:, :, 1] > 150) & (img[:, :, 0] < 100) & (img[:, :, 2] < 100)
    assert green.sum() > 1000  # the annotated coins are on screen


def test_gui_refuses_a_bad_pipeline_with_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path)}
    p = subprocess.run([sys.executable, "-m", "workbench", "gui", str(bad), "--screenshot", str(tmp_path / "x.png")],
                       capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 1  # a pipeline that does not load: 1, as `validate`
    assert "expected a JSON object" in p.stderr and "Traceback" not in p.stderr
    assert not (tmp_path / "x.png").exists()
