"""The engineering window end to end: the new-user flow, files, recovery, languages, drops."""

import json
import shutil

import numpy as np
import pytest

from workbench.core.paths import demo_pipeline, resources_dir
from workbench.gui.mainwindow import MainWindow, autosave_path, pending_recoveries

COINS = resources_dir() / "samples" / "coins.png"


def wait_run(win, qtbot):
    with qtbot.waitSignal(win.ran, timeout=30_000):
        pass
    assert win.runner.wait_idle(30)


def test_opens_the_demo_and_shows_its_result(win, qtbot):
    with qtbot.waitSignal(win.ran, timeout=30_000):
        assert win.open(demo_pipeline())
    assert win.verdict_label.text().strip() == "OK"
    assert win.viewer.image is not None and win.viewer.image.shape[:2] == (303, 384)
    assert "ms" in win.time_label.text()
    assert "(coins.json)" in win.windowTitle() and not win.windowTitle().startswith("*")
    assert not win.modified


def test_new_user_flow_build_tune_save_reopen(win, qtbot, tmp_path):
    """Drag source, threshold, blob analysis, count and judge; link; tune; save; reopen."""
    doc, canvas = win.doc, win.canvas
    src = canvas.add_node("io.image_file")
    doc.set_param(src, "path", str(COINS))
    thr = canvas.add_node("cv.threshold")
    doc.set_param(thr, "mode", "FIXED")
    blobs = canvas.add_node("cv.blob_analysis")
    count = canvas.add_node("cv.count")
    judge = canvas.add_node("cv.judge")
    for link in ((src, "image", thr, "image"), (thr, "out", blobs, "mask"), (blobs, "regions", count, "regions"),
                 (count, "measurements", judge, "measurements")):
        assert doc.connect(*link) is None
    assert doc.connect(blobs, "regions", judge, "measurements") is not None  # wrong type: refused
    canvas.select([thr])
    wait_run(win, qtbot)
    assert win.inspector.node_id() == thr
    mask_before = win.viewer.image.copy()
    assert set(np.unique(mask_before)) <= {0, 255}
    # tune the threshold while watching the mask update
    with qtbot.waitSignal(win.ran, timeout=30_000):
        doc.set_param(thr, "value", 60.0)
    win.runner.wait_idle(30)
    assert (win.viewer.image != mask_before).any()
    assert win.result.nodes[src].status == "cached"  # only downstream re-ran
    doc.set_param(judge, "measurement", "count")
    doc.set_param(judge, "rule", "IN_RANGE")
    doc.set_param(judge, "low", 0.0)
    doc.set_param(judge, "high", 10_000.0)
    wait_run(win, qtbot)
    assert win.verdict_label.text().strip() in ("OK", "NG")
    assert win.modified and win.windowTitle().startswith("*")
    target = tmp_path / "mine.json"
    assert win._save_to(target)
    assert not win.modified and target.is_file()
    win.new_file()
    assert win.doc.pipeline.nodes == {}
    with qtbot.waitSignal(win.ran, timeout=30_000):
        assert win.open(target)
    assert win.doc.pipeline.nodes[thr].params["value"] == 60.0
    assert win.doc.path == target.resolve()
    assert str(target.resolve()) == win.recent_files()[0]


def test_unsaved_changes_prompt(win, qtbot, tmp_path):
    win.open(demo_pipeline())
    win.doc.set_param("threshold", "c", -12.0)
    asked = []
    win.ask_save_changes = lambda: asked.append(1) or "cancel"
    assert not win.maybe_save() and asked
    win.ask_save_changes = lambda: "discard"
    assert win.maybe_save()


def test_autosave_and_crash_recovery(qtbot, tmp_path):
    w = MainWindow(recover=False)
    qtbot.addWidget(w)
    src = tmp_path / "p.json"
    shutil.copy(demo_pipeline(), src)
    (tmp_path / "../samples").resolve().mkdir(exist_ok=True)
    w.open(src)
    w.doc.set_param("threshold", "c", -14.0)
    saved = w.autosave()
    assert saved == autosave_path(w.doc.path) and saved.is_file()
    assert json.loads(saved.read_text())["meta"]["autosave_of"] == str(src.resolve())
    assert src.read_text() == demo_pipeline().read_text()  # the real file is untouched
    # the app "crashes": no close, a new window starts and offers the autosave
    w2 = MainWindow(recover=False)
    qtbot.addWidget(w2)
    w2.ask_recover = lambda files: True
    assert pending_recoveries() == [saved]
    assert w2.offer_recovery()
    assert w2.doc.pipeline.nodes["threshold"].params["c"] == -14.0
    assert w2.doc.path == src.resolve() and w2.modified
    assert pending_recoveries() == []
    for x in (w, w2):
        x._dirty_extra = False
        x.doc.undo.setClean()
        x.close()


def test_language_switch(win, qtbot):
    assert win.m_file.title() == "&File"
    win.set_language("zh_CN")
    assert win.m_file.title() == "文件(&F)"
    assert win.dock_inspector.windowTitle() == "属性"
    from workbench.gui.i18n import node_tr

    assert node_tr("Threshold") != "Threshold"
    win.set_language("en")
    assert win.m_file.title() == "&File"


def test_problems_dock_lists_unlinked_inputs_and_selects_the_node(win, qtbot):
    thr = win.canvas.add_node("cv.threshold")
    assert win.problems.count() >= 1
    item = win.problems.tree.topLevelItem(0)
    assert item.text(1) == thr and "not linked" in item.text(2)
    win.canvas.select([])
    win.problems._clicked(item)
    assert win.canvas.selected_ids() == [thr]


def test_dropping_files_adds_the_right_nodes(win, qtbot, tmp_path):
    added = win.drop_files([COINS, tmp_path])
    types = [win.doc.pipeline.nodes[n].type for n in added]
    assert types == ["io.image_file", "io.image_folder"]
    assert win.doc.pipeline.nodes[added[0]].params["path"] == str(COINS)
    (tmp_path / "x.txt").write_text("x")
    assert win.drop_files([tmp_path / "x.txt"]) == []
    assert "not an image" in win.statusBar().currentMessage()


def test_a_real_drop_event_reaches_the_window(win, qtbot):
    """The files part of the window is a mixin: Qt's event handlers must not shadow its own."""
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(COINS))])
    ev = QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    win.dropEvent(ev)
    assert [n.type for n in win.doc.pipeline.nodes.values()] == ["io.image_file"]


def test_folder_run_progress_trend_and_summary(win, qtbot, tmp_path):
    win.open(demo_pipeline())
    wait_run(win, qtbot)
    for i in range(3):
        shutil.copy(COINS, tmp_path / f"{i}.png")
    run = win.run_folder(tmp_path)
    assert run is not None and not win.progress.isHidden()
    with qtbot.waitSignal(run.finished, timeout=60_000):
        pass
    assert win.progress.isHidden()
    assert "OK 3" in win.statusBar().currentMessage()
    assert win.trend.is_shown("count.coins") and not win.trend.is_shown("blobs.total_area")  # the judged one
    assert win.trend.data("count.coins")[1].tolist() == [24.0, 24.0, 24.0]
    assert win.run_folder(tmp_path / "nothing") is None


def test_device_shown_in_status_bar_says_why(qtbot, monkeypatch):
    """The status bar names the device and, on CPU, the reason - here the build's and the user's."""
    import onnxruntime as ort

    monkeypatch.setenv("WORKBENCH_FORCE_CPU", "1")
    forced = MainWindow(recover=False)
    qtbot.addWidget(forced)
    assert forced.device_label.text() == "CPU — forced by WORKBENCH_FORCE_CPU"
    forced.close()
    monkeypatch.delenv("WORKBENCH_FORCE_CPU")
    plain = MainWindow(recover=False)
    qtbot.addWidget(plain)
    text = plain.device_label.text()
    if "CUDAExecutionProvider" not in ort.get_available_providers():  # the CPU build (CI, the cpu bundle)
        assert text == "CPU — this build has no GPU support"
    else:  # onnxruntime-gpu: GPU, or CPU with the driver/library problem named
        assert text == "GPU (CUDA) available" or (text.startswith("CPU — ") and len(text) > len("CPU — ") + 5)
    plain.close()


def test_plots_show_the_histogram_and_node_times_of_the_last_run(win, qtbot):
    win.show()
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    win.plots.setCurrentWidget(win.histogram)
    qtbot.waitUntil(lambda: bool(win.histogram.counts()), timeout=5_000)  # plots follow within 200 ms
    counts = win.histogram.counts()
    assert set(counts) == {"b", "g", "r"}  # the overlay image is BGR
    assert all(int(c.sum()) == 303 * 384 for c in counts.values())
    win.plots.setCurrentWidget(win.timing)
    names = [row[0] for row in win.timing.timings()]
    assert names == [n for n in win.result_pipeline.topological_order()]


def test_open_a_macro_and_edit_inside_it(win, qtbot):
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    macro = win.doc.group(["threshold", "open", "fill"])
    wait_run(win, qtbot)
    assert win.result.nodes["count"].outputs["count"] == 24
    inner_canvas = win.open_macro(macro)
    assert win.tabs.count() == 2 and win.tabs.currentWidget() is inner_canvas
    inner = inner_canvas.doc
    with qtbot.waitSignal(win.ran, timeout=30_000):
        inner.set_param("open", "size", 41)  # a huge opening erases most coins
    win.runner.wait_idle(30)
    assert win.result.nodes["count"].outputs["count"] != 24
    assert win.modified
    assert inner.undo is win.doc.undo  # one undo history: Ctrl+Z in the main window undoes it
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.doc.undo.undo()
    win.runner.wait_idle(30)
    assert win.doc.pipeline.nodes[macro].graph.nodes["open"].params["size"] != 41
    assert win.result.nodes["count"].outputs["count"] == 24
    win._close_tab(1)
    assert win.tabs.count() == 1


def test_roi_parameter_is_drawn_and_dragged_in_the_viewer(win, qtbot):
    from workbench.core.params import Roi

    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    win.canvas.select(["blobs"])
    win.doc.set_param("blobs", "roi", Roi.rect(10, 10, 100, 80))
    assert win.viewer.roi_names() == ["roi"] and win.viewer.roi_rect("roi") == (10, 10, 100, 80)
    win.viewer.roiEdited.emit("roi", (20, 30, 50, 40))  # what a drag in the viewer sends
    assert win.doc.pipeline.nodes["blobs"].params["roi"] == Roi.rect(20, 30, 50, 40)
    wait_run(win, qtbot)
    assert win.result.nodes["count"].outputs["count"] < 24  # only coins inside the ROI count
    win.canvas.select(["threshold"])
    assert win.viewer.roi_names() == []


def test_pin_and_compare_two_nodes(win, qtbot):
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    win.canvas.select(["threshold"])
    win.viewer_panel.pin.setChecked(True)
    win.canvas.select(["overlay"])
    assert win.viewer_panel.title.text().startswith("threshold")  # pinned: still the mask
    win.viewer_panel.compare_btn.setChecked(True)
    cmp = win.viewer_panel.compare
    assert win.viewer_panel.stack.currentWidget() is cmp
    assert cmp.viewer_a.image.ndim == 2 and cmp.viewer_b.image.ndim == 3
    win.viewer_panel.compare_btn.setChecked(False)
    win.viewer_panel.pin.setChecked(False)
    assert win.viewer_panel.title.text().startswith("overlay")


def test_operator_mode_from_the_main_window_and_back(win, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # the default results database
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    win.show()
    op = win.open_operator("")  # the pipeline's own image: one inspection per trigger (issue #13 item 9)
    assert op is not None and op.isVisible() and not win.isVisible()
    qtbot.waitUntil(lambda: op.running, timeout=30_000)
    for _ in range(3):
        op.trigger()
    qtbot.waitUntil(lambda: op.tally.counters()["total"] >= 3, timeout=30_000)
    assert op.tally.counters()["ok"] >= 3
    op.close()  # closing asks for the password: still there
    assert op.isVisible() and op.password_dialog is not None
    dlg = op.password_dialog
    assert not win.isEnabled()  # disabled, not only hidden, while operator mode runs
    from tests.conftest import ENGINEER_PASSWORD

    dlg.password.setText(ENGINEER_PASSWORD)  # from the machine-wide credential file (tests/conftest.py)
    dlg.submit()
    qtbot.waitUntil(lambda: win.isVisible(), timeout=10_000)
    assert win.isEnabled()
    assert not op.isVisible()
    from workbench.runtime.results import ResultsDB, default_db_path

    with ResultsDB(default_db_path(), readonly=True) as db:
        assert db.count() >= 3  # every inspection was recorded
    assert win.open_operator("folder:/no/such/folder") is None
    assert "no/such/folder" in win.statusBar().currentMessage()


def test_layout_and_settings_are_remembered(qtbot):
    from PySide6.QtCore import QSettings

    w = MainWindow(recover=False)
    qtbot.addWidget(w)
    w.show()
    w.resize(760, 590)
    w.dock_plots.hide()
    w.set_theme("light")
    w.set_language("zh_CN")
    w.close()
    assert QSettings().value("ui/theme") == "light" and QSettings().value("ui/language") == "zh_CN"
    w2 = MainWindow(recover=False)
    qtbot.addWidget(w2)
    w2.show()
    assert (w2.width(), w2.height()) == (760, 590)
    assert w2.dock_plots.isHidden()
    assert w2.theme_actions["light"].isChecked() and w2.lang_actions["zh_CN"].isChecked()
    w2.reset_layout()
    assert not w2.dock_plots.isHidden()
    w2.set_theme("dark")
    w2.set_language("en")
    w2.close()
