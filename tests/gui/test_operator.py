"""The operator screen (pytest-qt, offscreen): counters, NG strip, password gate, start/stop/reset,
latest-result display, read-only pipeline, source state."""

from __future__ import annotations

import re
import threading

import cv2
import numpy as np
import pytest


from PySide6.QtCore import QCoreApplication, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import (QAbstractSlider, QAbstractSpinBox, QCheckBox, QLineEdit,  # noqa: E402
                               QPlainTextEdit, QTextEdit)

from tests.conftest import ADMIN_PASSWORD, ENGINEER_PASSWORD  # noqa: E402
from workbench.core.paths import demo_pipeline, samples_dir  # noqa: E402
from workbench.core.pipeline_file import dumps_pipeline, load_pipeline  # noqa: E402
from workbench.gui import operator as op  # noqa: E402
from workbench.gui.operator import OperatorWindow  # noqa: E402
from workbench.runtime.results import ResultsDB  # noqa: E402
from workbench.runtime.sources import ArraySource, FrameSource, SourceError  # noqa: E402
from workbench.runtime.stream import RECONNECTING, RUNNING, STOPPED  # noqa: E402


@pytest.fixture(autouse=True)
def settings_in_tmp(tmp_path, qapp):
    """QSettings() of this test live in tmp_path, never in the user's real settings."""
    QCoreApplication.setOrganizationName("VisionWorkbenchOperatorTests")
    QCoreApplication.setApplicationName("operator-tests")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    yield tmp_path / "settings"
    QSettings().clear()


@pytest.fixture
def pipeline():
    p = load_pipeline(demo_pipeline())
    p.remove_node("save")  # the operator tests write no files
    return p


def coins():
    img = cv2.imread(str(samples_dir() / "coins.png"), cv2.IMREAD_UNCHANGED)
    assert img is not None
    return img


def frames(pattern: str) -> list:
    """'O' a full coins image (24 coins: OK), 'N' its left half (NG), 'E' no image (an error)."""
    img = coins()
    half = np.ascontiguousarray(img[:, : img.shape[1] // 2])
    return [{"O": img, "N": half, "E": None}[c] for c in pattern]


@pytest.fixture
def make_window(qtbot, pipeline):
    made = []

    def make(source, **kw):
        win = OperatorWindow(kw.pop("pipeline", pipeline), source, pipeline_name="coins", **kw)
        qtbot.addWidget(win)
        win.resize(1400, 850)
        win.show()
        made.append(win)
        return win

    yield make
    for w in made:
        if w.runner is not None:
            w.runner.stop()
        w.close_without_password()


def run_to_end(qtbot, win, total: int, timeout=60_000):
    assert win.start()
    qtbot.waitUntil(lambda: win.tally.total == total and win._state == STOPPED and not win.running, timeout=timeout)
    qtbot.wait(50)  # the last wake-up and render
    win.render()


# ---------------------------------------------------------------- counters and the verdict
def test_counters_after_a_known_mix(qtbot, make_window):
    pattern = "OONOENOOON"  # 6 OK, 3 NG, 1 error
    win = make_window(ArraySource(frames(pattern)))
    assert win.verdict.text() == "READY" and win.total_label.text() == "0" and win.yield_label.text() == "—"
    run_to_end(qtbot, win, len(pattern))
    assert (win.total_label.text(), win.ok_label.text(), win.ng_label.text()) == ("10", "6", "3")
    assert win.yield_label.text() == "66.7 %"  # OK / (OK + NG)
    assert win.errors_label.text() == "Errors: 1"
    c = win.tally.counters()
    assert (c["total"], c["ok"], c["ng"], c["errors"]) == (10, 6, 3, 1)
    assert win.shown is win.runner.latest() and win.shown.frame.index == 9
    assert win.verdict.text() == "NG" and "coins" in win.verdict_reasons.text()
    assert win.state_label.text().endswith("Stopped") and win.start_button.isEnabled()
    assert not win.stop_button.isEnabled()


def test_verdict_panel_shows_ok_and_errors(qtbot, make_window):
    win = make_window(ArraySource(frames("E")))
    run_to_end(qtbot, win, 1)
    assert win.verdict.text() == "ERROR" and "no image" in win.verdict_reasons.text()
    win2 = make_window(ArraySource(frames("O")))
    run_to_end(qtbot, win2, 1)
    assert win2.verdict.text() == "OK" and win2.verdict_reasons.text() == ""
    assert op.OK_COLOR in win2.verdict.styleSheet()


def test_records_go_to_the_database(qtbot, make_window, tmp_path):
    db = ResultsDB(tmp_path / "r.db")
    try:
        win = make_window(ArraySource(frames("ONO")), db=db)
        run_to_end(qtbot, win, 3)
        assert [r.verdict for r in db.query()] == ["OK", "NG", "OK"]
        assert {r.pipeline for r in db.query()} == {"coins"}
    finally:
        db.close()


# ---------------------------------------------------------------- NG strip
def test_ng_strip_keeps_the_last_12_newest_first_and_enlarges(qtbot, make_window):
    pattern = "N" * 14 + "O" + "N"  # 15 NG: the strip keeps the last 12
    win = make_window(ArraySource(frames(pattern)))
    assert not any(b.isVisible() for b in win.thumbs) and win.no_ng.isVisible()
    run_to_end(qtbot, win, len(pattern))
    visible = [b for b in win.thumbs if b.isVisible()]
    assert len(visible) == 12 and not win.no_ng.isVisible()
    numbers = [int(re.match(r"#(\d+)", b.text()).group(1)) for b in visible]
    assert numbers == [16, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4]  # result numbers, newest first
    assert not visible[0].pixmap().isNull() and visible[0].pixmap().width() <= win.thumb_size.width()

    qtbot.mouseClick(win.thumbs[1], Qt.MouseButton.LeftButton)
    dlg = win.ng_dialog
    assert dlg is not None and dlg.isVisible()
    assert dlg.item.number == 14
    shown = dlg.item.image
    assert shown is not None and shown.shape[:2] == (303, 192)  # the annotated left half, full size
    assert dlg.viewer.isVisible() and dlg.viewer.width() > 400
    assert "#14" in dlg.caption.text() and "expected" in dlg.reasons.text()
    dlg.accept()
    assert not dlg.isVisible()


def test_ng_strip_only_counts_ng(qtbot, make_window):
    win = make_window(ArraySource(frames("OONOOEN")))
    run_to_end(qtbot, win, 7)
    assert sum(b.isVisible() for b in win.thumbs) == 2
    assert win.enlarge_ng(5) is None  # no such thumbnail


# ---------------------------------------------------------------- start / stop / reset
def test_start_stop_reset(qtbot, make_window):
    win = make_window(ArraySource(frames("ON"), loop=True, rate=100))
    assert win.start_button.isEnabled() and not win.stop_button.isEnabled()
    qtbot.mouseClick(win.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.tally.total >= 6 and win._state == RUNNING, timeout=30_000)
    assert not win.start_button.isEnabled() and win.stop_button.isEnabled()
    assert not win.start()  # already running
    assert win.state_label.text().endswith("Running")

    qtbot.mouseClick(win.stop_button, Qt.MouseButton.LeftButton)
    assert not win.running and not any(t.is_alive() for t in win.runner._threads)
    qtbot.waitUntil(lambda: win.start_button.isEnabled(), timeout=5000)
    stopped_at = win.tally.total
    qtbot.wait(150)
    assert win.tally.total == stopped_at  # nothing counted after stop
    assert int(win.total_label.text().replace(",", "")) == stopped_at

    qtbot.mouseClick(win.reset_button, Qt.MouseButton.LeftButton)
    assert (win.total_label.text(), win.ok_label.text(), win.ng_label.text(), win.yield_label.text()) == \
        ("0", "0", "0", "—")
    assert not any(b.isVisible() for b in win.thumbs) and win.tally.trend_points() == []

    first_runner = win.runner
    qtbot.mouseClick(win.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.tally.total >= 4, timeout=30_000)
    assert win.runner is not first_runner and win.running
    win.stop()
    c = win.tally.counters()
    assert c["total"] == c["ok"] + c["ng"] and c["ok"] >= 1 and c["ng"] >= 1


def test_reset_resets_the_plc_counters(qtbot, make_window):
    class FakePlc:
        def __init__(self):
            self.sent, self.resets = 0, 0

        def send(self, result):
            self.sent += 1

        def reset_counters(self):
            self.resets += 1

        def close(self):
            pass

    plc = FakePlc()
    win = make_window(ArraySource(frames("ONO")), plc=plc)
    run_to_end(qtbot, win, 3)
    assert plc.sent == 3
    win.reset_counters()
    assert plc.resets == 1 and win.total_label.text() == "0"


# ---------------------------------------------------------------- the display takes the latest result
def test_display_shows_the_latest_result_not_every_result(qtbot, make_window, pipeline):
    small = cv2.resize(coins(), (96, 76), interpolation=cv2.INTER_AREA)
    n = 300
    seen_by_thread: list[int] = []
    win = make_window(ArraySource([small] * n), fps_limit=5)
    gui_thread = threading.get_ident()
    drawn: list[int] = []
    win.rendered.connect(lambda: drawn.append(win.shown.frame.index))
    orig = win._on_latest
    win._on_latest = lambda r: (seen_by_thread.append(threading.get_ident()), orig(r))  # type: ignore[method-assign]
    run_to_end(qtbot, win, n)
    assert win.tally.total == n
    assert 1 <= win.renders < n // 4 and len(drawn) == win.renders  # at most 5 draws a second
    assert drawn[-1] == n - 1 and win.shown is win.runner.latest()
    assert drawn == sorted(drawn)  # never an older frame after a newer one
    assert seen_by_thread and gui_thread not in seen_by_thread  # results arrive from the runner's thread
    assert win.total_label.text() == str(n)


def test_the_display_callback_does_not_block_processing(qtbot, make_window):
    """The runner's callbacks return at once even when the GUI thread is busy (no event loop)."""
    win = make_window(ArraySource(frames("ON") * 10))
    win.start()
    win.runner.join(60)  # the GUI thread sleeps here: no render, no queued event handled
    assert win.runner.stats.processed == 20 and win.renders == 0
    qtbot.waitUntil(lambda: win.renders >= 1 and win.total_label.text() == "20", timeout=5000)
    assert win.shown.frame.index == 19


def test_display_rate_follows_the_cpu_budget(make_window, monkeypatch):
    """While the screen's own thread uses more than GUI_BUDGET of a core, it draws less often."""
    win = make_window(ArraySource(frames("O")))
    assert win.display_fps == win.fps_limit == 30.0
    win._state = RUNNING
    clock = {"cpu": 0.0, "wall": 100.0}
    monkeypatch.setattr(op.time, "thread_time", lambda: clock["cpu"])
    monkeypatch.setattr(op.time, "perf_counter", lambda: clock["wall"])
    win._cpu_mark = (0.0, 100.0)
    rates = []
    for share in [0.5] * 6 + [0.005] * 14:  # a busy screen, then a quiet one
        clock["cpu"] += 0.25 * share
        clock["wall"] += 0.25
        win._refresh_slow()
        rates.append(win.display_fps)
    assert abs(win.gui_load - 0.005) < 1e-6
    assert rates[0] == 15.0 and rates[5] == op.MIN_DISPLAY_FPS  # halved each quarter second, down to 2
    assert rates[6] == 2.5 and rates[-1] == 30.0  # back up by a quarter each time, capped at the limit
    assert all(b >= a for a, b in zip(rates[6:], rates[7:]))
    win._state = STOPPED


# ---------------------------------------------------------------- the pipeline is read-only
def test_pipeline_is_read_only(qtbot, make_window, pipeline):
    before = dumps_pipeline(pipeline)
    win = make_window(ArraySource(frames("ON")), pipeline=pipeline)
    assert win.pipeline is not pipeline and dumps_pipeline(win.pipeline) == before  # a snapshot
    editors = [w for cls in (QLineEdit, QAbstractSpinBox, QAbstractSlider, QCheckBox, QTextEdit, QPlainTextEdit)
               for w in win.findChildren(cls) if w.isVisible() and not isinstance(w.window(), op.PasswordDialog)]
    editors = [w for w in editors if not _inside_scrollbar(w)]
    assert editors == []  # nothing on the screen edits anything
    pipeline.set_param("judge", "low", 0.0)  # the engineer's copy changes: the line does not
    run_to_end(qtbot, win, 2)
    assert [r for r in (win.tally.ok, win.tally.ng)] == [1, 1]
    assert dumps_pipeline(win.pipeline) == before
    assert pipeline.nodes["judge"].params["low"] == 0.0


def _inside_scrollbar(w) -> bool:
    from PySide6.QtWidgets import QScrollBar

    return isinstance(w, QScrollBar)


# ---------------------------------------------------------------- the password gate
def test_wrong_password_is_refused_and_right_exits(qtbot, make_window):
    """The password comes from the machine-wide credential file (tests/conftest.py), never from QSettings;
    the screen never offers to set one."""
    win = make_window(ArraySource(frames("O")))
    dlg = win.request_exit()
    assert not dlg.first and not dlg.confirm.isVisible() and dlg.isVisible()
    qtbot.keyClicks(dlg.password, "wrong-password")
    with qtbot.assertNotEmitted(win.exitRequested):
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert "Wrong password" in dlg.message.text() and dlg.isVisible() and win.isVisible()
    assert not dlg.ok_button.isEnabled()  # the growing delay: 1 s after the first wrong try
    qtbot.waitUntil(lambda: dlg.ok_button.isEnabled(), timeout=5000)
    qtbot.keyClicks(dlg.password, ENGINEER_PASSWORD)
    with qtbot.waitSignal(win.exitRequested, timeout=5000):
        qtbot.mouseClick(dlg.ok_button, Qt.MouseButton.LeftButton)
    assert not win.isVisible() and dlg.role == "engineer"
    assert not any("engineer" in str(QSettings().value(k)) for k in QSettings().allKeys())


def test_closing_or_escape_asks_for_the_password(qtbot, make_window):
    win = make_window(ArraySource(frames("O"), loop=True, rate=20))
    win.start()
    qtbot.waitUntil(lambda: win.tally.total >= 1, timeout=30_000)
    with qtbot.assertNotEmitted(win.exitRequested):
        win.close()  # refused: the operator cannot just close the screen
    assert win.isVisible() and win.running
    assert win.password_dialog is not None and win.password_dialog.isVisible()
    win.password_dialog.reject()
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert win.password_dialog.isVisible() and not win.password_dialog.first
    win.password_dialog.password.setText(ADMIN_PASSWORD)  # an admin may leave too
    with qtbot.waitSignal(win.exitRequested, timeout=5000):
        win.password_dialog.submit()
    assert not win.running and not win.isVisible()  # leaving stops the line


# ---------------------------------------------------------------- the source state
class FlakySource(FrameSource):
    """A live source that fails to open twice, then gives frames."""

    live = True
    kind = "flaky"

    def __init__(self, image):
        super().__init__()
        self.image, self.opens = image, 0

    def describe(self) -> str:
        return "camera:flaky"

    def _open(self) -> None:
        self.opens += 1
        if self.opens <= 2:
            raise SourceError("camera:flaky is not connected")

    def _read(self):
        self._closing.wait(0.02)
        return self._frame(self.image, f"camera:flaky#{self.index}")


def test_reconnecting_state_is_shown(qtbot, make_window, monkeypatch):
    from workbench.runtime import stream

    monkeypatch.setattr(stream.Backoff, "initial_s", 0.3)
    win = make_window(FlakySource(coins()))
    states: list[str] = []
    win._bridge.state.connect(lambda _g, s, _m: states.append(win.state_label.text()))
    win.start()
    qtbot.waitUntil(lambda: win._state == RECONNECTING, timeout=10_000)
    assert "Reconnecting" in win.state_label.text() and "not connected" in win.state_message.text()
    qtbot.waitUntil(lambda: win._state == RUNNING and win.tally.total >= 2, timeout=20_000)
    assert win.state_label.text().endswith("Running")
    win.stop()
    assert win._state == STOPPED


# ---------------------------------------------------------------- strings
def test_the_screen_in_chinese(qtbot, make_window):
    """Every string goes through t(): with the zh_CN translation installed the screen is in Chinese
    (the strings' completeness is checked by tests/gui/test_translations.py)."""
    from workbench.gui.i18n import set_language

    set_language("zh_CN")
    try:
        win = make_window(ArraySource(frames("N")))
        assert (win.start_button.text(), win.stop_button.text(), win.reset_button.text()) == ("开始", "停止", "计数清零")
        assert win.engineering_button.text() == "工程模式…" and win.verdict.text() == "就绪"
        run_to_end(qtbot, win, 1)
        assert win.verdict.text() == "NG"  # the verdict codes of the line stay OK / NG
        assert win.state_label.text().endswith("已停止")
        dlg = win.request_exit()
        assert dlg.ok_button.text() == "解锁"  # the screen only ever asks for the password
        dlg.reject()
    finally:
        set_language("en")


def test_the_trigger_button_takes_one_frame_per_press(qtbot, make_window):
    from workbench.runtime.sources import Trigger

    win = make_window(ArraySource(frames("ONO"), trigger=Trigger()))
    assert win.trigger_button.isVisibleTo(win) and not win.trigger_button.isEnabled()
    assert win.start() and win.trigger_button.isEnabled()
    qtbot.wait(300)
    assert win.tally.total == 0  # nothing without a trigger
    qtbot.mouseClick(win.trigger_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.tally.total == 1, timeout=10_000)
    qtbot.mouseClick(win.trigger_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.tally.total == 2, timeout=10_000)
    assert win.runner.stats.snapshot()["trigger_ms"]["max"] > 0  # trigger-to-result latency recorded
    win.stop()
    assert not make_window(ArraySource(frames("O"))).trigger_button.isVisibleTo(win)
