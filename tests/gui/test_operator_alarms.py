"""The operator screen shows data-safety alarms (runtime/stream.py ALARM messages): a PLC that is not
reachable (a real Modbus client to a closed port) and a results database on a full file system."""

from __future__ import annotations

import sys

import cv2
import pytest

pytest.importorskip("pytestqt")

from tests.runtime.fullfs import SmallFs  # noqa: E402
from tests.runtime.modbus_server import free_port  # noqa: E402
from workbench.core.paths import demo_pipeline, samples_dir  # noqa: E402
from workbench.core.pipeline_file import load_pipeline  # noqa: E402
from workbench.gui.operator import OperatorWindow  # noqa: E402
from workbench.gui.theme import NG_COLOR, OK_COLOR  # noqa: E402
from workbench.runtime.plc import ModbusPlc  # noqa: E402
from workbench.runtime.results import ResultsDB  # noqa: E402
from workbench.runtime.sources import ArraySource  # noqa: E402


@pytest.fixture
def window(qtbot):
    made = []

    def make(**kw):
        p = load_pipeline(demo_pipeline())
        p.remove_node("save")
        img = cv2.imread(str(samples_dir() / "coins.png"), cv2.IMREAD_UNCHANGED)
        win = OperatorWindow(p, ArraySource([img], loop=True, rate=20), pipeline_name="coins", **kw)
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


def test_an_unreachable_plc_is_a_red_alarm_with_the_waiting_verdicts(qtbot, window):
    plc = ModbusPlc({"host": "127.0.0.1", "port": free_port(), "verdict": {"register": 0},
                     "timeout_s": 0.3, "backoff_max_s": 0.3}).start()
    try:
        win = window(plc=plc)
        win.start()
        qtbot.waitUntil(lambda: win.state_message.text().startswith("ALARM: PLC 127.0.0.1:"), timeout=20_000)
        assert "verdicts waiting" in win.state_message.text()
        assert NG_COLOR in win.state_label.styleSheet() and win.state_label.text().endswith("Running")
        win.stop()
    finally:
        plc.close()
    assert plc.lost == plc.total > 0  # never delivered: counted, not silently gone


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file systems and limits")
def test_a_full_disk_under_the_database_is_a_red_alarm_that_ends_when_freed(qtbot, window, tmp_path):
    fs = SmallFs(tmp_path / "small", size_kb=1024)
    db = ResultsDB(fs.folder / "r.db")
    try:
        fs.fill()
        win = window(db=db)
        win.start()
        qtbot.waitUntil(lambda: win.state_message.text().startswith("ALARM: results database r.db"), timeout=20_000)
        assert NG_COLOR in win.state_label.styleSheet() and "waiting" in win.state_message.text()
        fs.free()
        qtbot.waitUntil(lambda: not win.state_message.text().startswith("ALARM"), timeout=20_000)
        assert OK_COLOR in win.state_label.styleSheet()
        win.stop()
        assert win.runner.recorder.writer.stats.dropped == 0 and db.count() == win.tally.total
    finally:
        fs.close()
        db.close()
