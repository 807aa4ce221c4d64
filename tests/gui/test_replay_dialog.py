"""Replay from the GUI: the pipeline being edited, re-run over the archived past inspections."""

from workbench.cli import main
from workbench.core.paths import demo_pipeline
from tests.runtime.conftest import make_folder


def test_replay_reports_the_exact_differences_of_the_edited_pipeline(qtbot, tmp_path):
    from workbench.gui.mainwindow import MainWindow

    frames = make_folder(tmp_path / "frames", 9, half_every=3)  # 3 half images: NG with [22, 26]
    db = tmp_path / "r.db"
    assert main(["run", str(demo_pipeline()), "-i", str(frames[0].parent), "-o", str(tmp_path / "o"), "-q",
                 "--db", str(db), "--archive-all"]) == 0
    win = MainWindow(recover=False)
    qtbot.addWidget(win)
    win.open(demo_pipeline())
    win.doc.set_param("judge", "low", 5.0)  # the change under review: accept fewer coins
    dlg = win.replay_dialog(db, start=False)
    with qtbot.waitSignal(dlg.finished_run, timeout=60_000) as blocker:
        dlg.start()
    counts = blocker.args[0]
    assert counts == {"newly NG": 0, "newly OK": 3, "unchanged": 6, "missing image": 0, "error": 0}
    visible = [r for r in range(dlg.table.rowCount()) if not dlg.table.isRowHidden(r)]
    assert len(visible) == 3 and all(dlg.table.item(r, 2).text() == "NG" and dlg.table.item(r, 3).text() == "OK"
                                     for r in visible)
    dlg.changes_only.setChecked(False)
    assert not any(dlg.table.isRowHidden(r) for r in range(9))
    out = tmp_path / "replay.csv"
    dlg.replay.write_csv(out)
    assert out.read_text().count("newly OK") == 3
    assert win.doc.pipeline.nodes["source"].params["path"] == "../samples/coins.png"  # document untouched
    dlg.reject()
    # a bad database: one line in the status bar, no dialog
    (tmp_path / "bad.db").write_text("not sqlite")
    assert win.replay_dialog(tmp_path / "bad.db") is None
    assert "bad.db" in win.statusBar().currentMessage()
    assert win.replay_dialog(tmp_path / "none.db") is None
    assert "not found" in win.statusBar().currentMessage()
    win.doc.undo.setClean()
    win.close()
