"""The main window opens hostile pipeline files with one message, never an uncaught exception
(issue #18 item 11: deep nesting and lone surrogates went uncaught in the GUI)."""

import pytest

pytest.importorskip("pytestqt")

from workbench.core.paths import demo_pipeline  # noqa: E402
from workbench.gui.mainwindow import MainWindow  # noqa: E402

HOSTILE = [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"format": "workbench.pipeline", "schema_version": ' + "9" * 5000 + "}", "4300 digits"),
    ('{"format": "workbench.pipeline", "meta": {"name": "\\ud800"}, "schema_version": 1, "nodes": []}',
     "lone surrogate"),
    ('{"format": "workbench.pipeline", "schema_version": 1, "schema_version": 1, "nodes": []}', "duplicate key"),
]


def test_opening_a_hostile_file_says_why_in_one_line(qtbot, tmp_path):
    win = MainWindow(recover=False)
    qtbot.addWidget(win)
    win.ask_save_changes = lambda: "discard"
    for i, (text, msg) in enumerate(HOSTILE):
        bad = tmp_path / f"bad{i}.json"
        bad.write_text(text)
        assert win.open(bad) is False
        shown = win.statusBar().currentMessage()
        assert msg in shown and "\n" not in shown and "Traceback" not in shown
    with qtbot.waitSignal(win.ran, timeout=30_000):  # the window still works
        assert win.open(demo_pipeline())
    win.doc.undo.setClean()
    win.close()
