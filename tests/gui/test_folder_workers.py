"""The main window's folder run with parallel workers: the rows of one worker, in file order."""

from __future__ import annotations

import shutil

import cv2

from workbench.core.paths import demo_pipeline, resources_dir
from workbench.gui.mainwindow import MainWindow


def _run(win, qtbot, folder, workers):
    rows = []
    run = win.run_folder(folder, workers=workers)
    assert run is not None and run.workers == workers
    run.row.connect(lambda i, row, res: rows.append((i, row.input, row.verdict, row.measurements)))
    with qtbot.waitSignal(run.finished, timeout=120_000) as blocker:
        pass
    assert blocker.args == [len(rows), False]
    return rows


def test_folder_run_with_two_workers_gives_the_rows_of_one_in_order(qtbot, tmp_path):
    win = MainWindow(recover=False)
    qtbot.addWidget(win)
    win.ask_save_changes = lambda: "discard"
    win.open(demo_pipeline())
    coins = resources_dir() / "samples" / "coins.png"
    img = cv2.imread(str(coins))
    for i in range(6):  # whole coins (OK) and halves (NG), so the workers finish at different times
        if i % 2:
            cv2.imwrite(str(tmp_path / f"{i}.png"), img[:, : img.shape[1] // 2].copy())
        else:
            shutil.copy(coins, tmp_path / f"{i}.png")
    one = _run(win, qtbot, tmp_path, 1)
    two = _run(win, qtbot, tmp_path, 2)
    assert two == one and [r[0] for r in two] == list(range(6))
    assert [r[2] for r in two] == ["OK", "NG"] * 3
    assert "OK 3" in win.statusBar().currentMessage() and win.progress.isHidden()
    win._dirty_extra = False
    win.doc.undo.setClean()
