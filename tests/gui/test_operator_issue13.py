"""Issue #13 items 8 (Stop is its own state), 9 (a still image runs once per trigger), 11 (the
enlarged NG frame keeps its overlays) and 14 (the operator's dialogs are readable in the light
theme)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt

from tests.conftest import ENGINEER_PASSWORD
from workbench.core.engine import RunResult
from workbench.core.paths import demo_pipeline
from workbench.core.pipeline_file import load_pipeline
from workbench.gui import theme
from workbench.gui.operator import OperatorWindow
from workbench.gui.operator_widgets import NgDialog
from workbench.runtime.inspection import inspect as row_from_result
from workbench.runtime.sources import ArraySource, Frame
from workbench.runtime.stream import StreamResult


@pytest.fixture(autouse=True)
def settings_in_tmp(tmp_path, qapp):
    QCoreApplication.setOrganizationName("VisionWorkbenchOperatorTests13")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    yield
    theme.apply_theme("dark")


def _window(qtbot, source):
    pipe = load_pipeline(demo_pipeline())
    pipe.remove_node("save")
    pipe.remove_node("overlay")  # no drawn overlay: the NG frame must carry the results itself
    win = OperatorWindow(pipe, source, pipeline_name="coins")
    qtbot.addWidget(win)
    win.resize(1400, 850)
    win.show()
    return win


def _luma(c) -> float:
    return 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()


def test_a_stopped_image_shows_stopped_and_is_not_counted(qtbot):
    win = _window(qtbot, ArraySource([np.zeros((8, 8, 3), np.uint8)]))
    row = row_from_result("frame.png", RunResult({}, 0.01, cancelled=True))
    r = StreamResult(Frame(None, "frame.png", 0, time.time()), row, None)
    win.tally.add(r)
    win._show_verdict(r)
    assert win.verdict.text() == "STOPPED" and "ERROR" not in win.verdict.text()
    assert win.tally.counters()["total"] == 0 and win.tally.counters()["errors"] == 0
    win.close_without_password()


def test_the_enlarged_ng_frame_keeps_its_overlays(qtbot):
    import cv2

    from workbench.core.paths import samples_dir

    img = cv2.imread(str(samples_dir() / "coins.png"))
    half = np.ascontiguousarray(img[:, : img.shape[1] // 2])  # 12 coins: NG
    win = _window(qtbot, ArraySource([half]))
    assert win.start()
    qtbot.waitUntil(lambda: win.tally.counters()["ng"] == 1, timeout=60_000)
    item = list(win.tally.ng_items)[0]
    assert item.overlays  # the regions and the verdict, not a bare frame
    dlg = NgDialog(win, item)
    qtbot.addWidget(dlg)
    assert dlg.viewer.overlay_items()
    win.stop()
    win.close_without_password()


def test_operator_dialogs_are_readable_in_the_light_theme(qtbot):
    theme.apply_theme("light")
    win = _window(qtbot, ArraySource([np.zeros((8, 8, 3), np.uint8)]))
    dlg = win.request_exit()
    qtbot.waitExposed(dlg)
    shot = dlg.grab().toImage()
    background = shot.pixelColor(3, 3)
    text = dlg.title.palette().color(dlg.title.foregroundRole())
    assert abs(_luma(text) - _luma(background)) > 120  # light text on a dark dialog, as on the screen
    dlg.reject()
    win.close_without_password()


def test_the_pipelines_own_still_image_runs_once_per_trigger(qtbot, tmp_path, monkeypatch):
    from workbench.gui.mainwindow import MainWindow

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    w = MainWindow(recover=False)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.ran, timeout=30_000):
        w.open(demo_pipeline())
    w.show()
    op = w.open_operator("")
    assert op is not None and op.trigger_button.isVisible()
    qtbot.waitUntil(lambda: op.running, timeout=30_000)
    qtbot.wait(400)
    assert op.tally.counters()["total"] == 0  # never free-running
    for _ in range(3):
        qtbot.mouseClick(op.trigger_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: op.tally.counters()["total"] == 3, timeout=30_000)
    qtbot.wait(400)
    assert op.tally.counters()["total"] == 3 and op.tally.counters()["ok"] == 3
    op.close()
    op.password_dialog.password.setText(ENGINEER_PASSWORD)
    op.password_dialog.submit()
    qtbot.waitUntil(lambda: w.isVisible(), timeout=10_000)
    w.doc.undo.setClean()
    w.close()


def test_verdict_words_are_never_clipped(qtbot):
    from PySide6.QtGui import QFontMetrics

    win = _window(qtbot, ArraySource([np.zeros((8, 8, 3), np.uint8)]))
    win.resize(1366, 768)
    qtbot.wait(50)
    for text in ("READY", "STOPPED", "ERROR"):
        size = win._verdict_font_px(text)
        f = win.verdict.font()
        f.setPixelSize(size)
        assert QFontMetrics(f).horizontalAdvance(text) <= win.verdict.width() - 24
    win.close_without_password()
