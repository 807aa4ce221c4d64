"""Live camera in the editor against the GigE Vision simulator: frames from the Camera node reach
the viewer through the run controller, the window keeps handling events while the camera
(re)connects, edits re-run on the last frame, and the status bar shows the camera's state."""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.runtime.fake_camera import FakeCamera
from workbench.gui.mainwindow import MainWindow

SERIAL = "WBGUI16"


@pytest.fixture
def camera():
    cam = FakeCamera(SERIAL).start()
    yield cam
    cam.kill()


def pump_until(qapp, cond, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and not cond():
        qapp.processEvents()
        time.sleep(0.005)
    return bool(cond())


@pytest.fixture
def window(qtbot):
    made = []

    def make(device: str | None = None, **params) -> MainWindow:
        w = MainWindow(recover=False)
        qtbot.addWidget(w)
        w.ask_save_changes = lambda: "discard"
        made.append(w)
        if device is not None:
            _camera_graph(w, device, **params)
        return w

    yield make
    for w in made:
        w.doc.undo.setClean()
        w.close()


def _camera_graph(w: MainWindow, device: str, **params) -> None:
    doc = w.doc
    doc.add_node("io.camera", params={"device": device, **params}, node_id="cam")
    doc.add_node("cv.threshold", node_id="thr")
    doc.connect("cam", "image", "thr", "image")


def test_live_camera_shows_simulator_frames_without_stalling_the_window(window, qapp, camera):
    w = window(f"genicam:{camera.device_id}")
    ticks = []
    from PySide6.QtCore import QTimer

    beat = QTimer(w, interval=10, timeout=lambda: ticks.append(time.monotonic()))
    beat.start()
    w.a_live_camera.trigger()  # Run > Live Camera (F6)
    assert w.camera.live is not None and w.a_live_camera.isChecked()
    assert pump_until(qapp, lambda: w.camera.shown >= 5 and w.result is not None
                      and w.result.nodes["thr"].status in ("ok", "cached"), 30)
    assert w.result.nodes["cam"].outputs["image"].shape == (512, 512)
    assert "connected" in w.camera.label.text() and "fps" in w.camera.label.text()
    # the GUI thread kept turning while the camera opened (discovery takes ~1 s): no long gap
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert ticks and max(gaps) < 0.5, max(gaps)
    # an edit re-runs on the last frame, even with live view off
    w.a_live_camera.trigger()
    assert w.camera.live is None and not w.a_live_camera.isChecked()
    assert w.runner.wait_idle(20)
    shown, before = w.camera.shown, w.result.nodes["thr"].outputs["out"]
    assert w.doc.set_param("thr", "invert", True) is None
    assert pump_until(qapp, lambda: w.result_pipeline.nodes["thr"].params["invert"], 20)
    assert w.result.nodes["cam"].status in ("ok", "cached") and w.camera.shown == shown
    assert np.array_equal(w.result.nodes["thr"].outputs["out"], 255 - before)  # same frame, inverted


def test_grab_frame_takes_one_frame_per_software_trigger(window, qapp, camera):
    w = window(f"genicam:{camera.device_id}", trigger="SOFTWARE")
    w.a_grab_frame.trigger()  # F7: one frame, by software trigger
    assert pump_until(qapp, lambda: w.camera.shown == 1, 30)
    live = w.camera.live
    assert live.source.trigger_mode == "software" and not w.a_live_camera.isChecked()
    first = w.camera.last_frame
    w.a_grab_frame.trigger()
    assert pump_until(qapp, lambda: w.camera.shown == 2, 30)
    assert w.camera.last_frame.frame_id == first.frame_id + 1 and live.frames == 2  # nothing in between
    assert pump_until(qapp, lambda: "waiting for trigger" in w.camera.label.text(), 10)


def test_a_lost_camera_is_shown_and_live_view_comes_back(window, qapp, camera):
    w = window(f"genicam:{camera.device_id}?timeout=1")
    w.a_live_camera.trigger()
    assert pump_until(qapp, lambda: w.camera.shown >= 3, 30)
    camera.kill()
    assert pump_until(qapp, lambda: any(s in w.camera.label.text() for s in ("lost", "reconnecting")), 30)
    shown = w.camera.shown
    camera.start()
    assert pump_until(qapp, lambda: w.camera.shown >= shown + 3, 60), w.camera.label.text()
    assert "connected" in w.camera.label.text() and w.camera.live.reconnects >= 1


def test_live_camera_without_a_camera_node_says_so(window):
    w = window()
    w.a_live_camera.trigger()
    assert w.camera.live is None and not w.a_live_camera.isChecked()
    assert "Add a Camera node" in w.camera.label.text()
    w.doc.add_node("io.camera", params={"device": "bogus:1"}, node_id="cam")
    w.a_live_camera.trigger()
    assert "unknown source kind" in w.camera.label.text() and not w.a_live_camera.isChecked()
