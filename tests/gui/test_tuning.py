"""Issue #13, tuning: ranges that follow the image depth, inactive parameters greyed out, the
histogram setting a threshold by a click, and the file-handling slips found on the line."""

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from workbench.core.paths import demo_pipeline
from workbench.gui.mainwindow import MainWindow, autosave_path, pending_recoveries


def wait_run(win, qtbot):
    with qtbot.waitSignal(win.ran, timeout=30_000):
        pass
    assert win.runner.wait_idle(30)


def _slider(win, name):
    return win.inspector._rows[name].editor.slider


def test_threshold_value_follows_the_depth_and_is_greyed_when_unused(win, qtbot):
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    win.canvas.select(["threshold"])
    qtbot.waitUntil(lambda: win.inspector._input_dtype == "uint8", timeout=5_000)
    rows = win.inspector._rows
    # ADAPTIVE_GAUSSIAN: the fixed value does nothing, block size and C do
    assert not rows["value"].editor.widget.isEnabled()
    assert rows["block_size"].editor.widget.isEnabled() and rows["c"].editor.widget.isEnabled()
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.doc.set_param("threshold", "mode", "FIXED")
    assert rows["value"].editor.widget.isEnabled()
    assert not rows["block_size"].editor.widget.isEnabled() and not rows["c"].editor.widget.isEnabled()
    slider = _slider(win, "value")
    assert slider.maximum() == 255  # 0-255 for an 8-bit image, not 0-65535
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key_End)
    assert win.doc.pipeline.nodes["threshold"].params["value"] == 255.0
    qtbot.keyClick(slider, Qt.Key_Home)
    for _ in range(6):  # six steps right: six grey levels, not 1382
        qtbot.keyClick(slider, Qt.Key_Right)
    assert win.doc.pipeline.nodes["threshold"].params["value"] == 6.0
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.doc.set_param("threshold", "mode", "OTSU")
    assert not rows["value"].label.isEnabled() and not slider.isEnabled()


def test_threshold_range_is_0_65535_for_a_16_bit_image(win, qtbot, tmp_path):
    from skimage import data

    img16 = data.coins().astype(np.uint16) * 257
    path = tmp_path / "coins16.png"
    assert cv2.imwrite(str(path), img16)
    src = win.canvas.add_node("io.image_file")
    win.doc.set_param(src, "path", str(path))
    thr = win.canvas.add_node("cv.threshold")
    win.doc.set_param(thr, "mode", "FIXED")
    assert win.doc.connect(src, "image", thr, "image") is None
    win.canvas.select([thr])
    qtbot.waitUntil(lambda: win.inspector._input_dtype == "uint16", timeout=30_000)
    assert _slider(win, "value").maximum() == 65535


def test_a_click_on_the_histogram_sets_the_threshold(win, qtbot):
    win.show()
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    win.plots.setCurrentWidget(win.histogram)
    win.dock_plots.show()
    win.canvas.select(["threshold"])
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.doc.set_param("threshold", "mode", "FIXED")
    qtbot.waitUntil(lambda: win.histogram.marker() == 128.0, timeout=5_000)
    hist = win.histogram
    counts = hist.counts()
    assert set(counts) == {"gray"}  # the image flowing into the threshold, not its mask
    vb = hist.getPlotItem().getViewBox()
    scene_pt = vb.mapViewToScene(pg_point(90.0, 0.0))
    y = vb.sceneBoundingRect().center().y()
    pos = hist.mapFromScene(scene_pt.x(), y)
    with qtbot.waitSignal(win.ran, timeout=30_000):
        qtbot.mouseClick(hist.viewport(), Qt.LeftButton, pos=QPoint(pos.x(), pos.y()))
    value = win.doc.pipeline.nodes["threshold"].params["value"]
    assert abs(value - 90.0) <= 2.0
    assert win.inspector._rows["value"].editor.spin.value() == value
    qtbot.waitUntil(lambda: hist.marker() == value, timeout=5_000)


def pg_point(x, y):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


def test_no_false_recovery_prompt_after_opening_another_file_and_quitting(qtbot, tmp_path):
    """Edit a.json (autosaved), open b.json discarding the edit, quit normally: nothing to recover."""
    import shutil

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    shutil.copy(demo_pipeline(), a)
    shutil.copy(demo_pipeline(), b)
    (tmp_path / "../samples").resolve().mkdir(exist_ok=True)
    w = MainWindow(recover=False)
    qtbot.addWidget(w)
    w.ask_save_changes = lambda: "discard"
    assert w.open(a)
    w.doc.set_param("threshold", "c", -14.0)
    assert w.autosave() == autosave_path(a.resolve())
    assert w.open(b)
    assert pending_recoveries() == []  # the discarded edit of a.json is gone
    w.doc.set_param("threshold", "c", -16.0)
    w.autosave()
    w.doc.undo.setClean()
    w._dirty_extra = False
    w.close()
    assert pending_recoveries() == []


def test_file_open_on_a_png_makes_an_image_pipeline(win, qtbot, tmp_path):
    from skimage import data

    png = tmp_path / "coins.png"
    cv2.imwrite(str(png), data.coins())
    with qtbot.waitSignal(win.ran, timeout=30_000):
        assert win.open(png)
    nodes = list(win.doc.pipeline.nodes.values())
    assert [n.spec.id for n in nodes] == ["io.image_file"]
    assert win.viewer.image is not None and win.viewer.image.shape[:2] == data.coins().shape
    win.doc.undo.undo()  # the drop is one undo step
    assert win.doc.pipeline.nodes == {}


def test_file_open_on_a_binary_file_says_what_it_is(win, qtbot, tmp_path):
    junk = tmp_path / "frame.raw"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    messages = []
    win.show_message = lambda text, error=False: messages.append((text, error))
    assert not win.open(junk)
    assert len(messages) == 1 and messages[0][1]
    text = messages[0][0]
    assert "codec" not in text and "not a pipeline" in text and "\n" not in text


# ---------------------------------------------------------------- item 6: tuning inside a macro
def _click_node(qtbot, canvas, node_id, button=Qt.LeftButton):
    from workbench.gui.canvas_items import NodeItem

    item = next(it for it in canvas.scene().items() if isinstance(it, NodeItem) and it.node_id == node_id)
    canvas.centerOn(item)
    pos = canvas.mapFromScene(item.pos() + pg_point(40, 12))
    qtbot.mouseClick(canvas.viewport(), button, pos=pos)


def test_a_node_inside_a_macro_is_tuned_from_the_inspector(win, qtbot):
    from PySide6.QtWidgets import QSpinBox

    win.show()
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    macro = win.doc.group(["threshold", "open", "fill"])
    wait_run(win, qtbot)
    inner_canvas = win.open_macro(macro)
    qtbot.waitExposed(inner_canvas)
    # the inner nodes show the badges of the last run
    from workbench.gui.canvas_items import NodeItem

    items = {it.node_id: it for it in inner_canvas.scene().items() if isinstance(it, NodeItem)}
    assert items["open"]._pills() and items["open"].status in ("ok", "cached")
    _click_node(qtbot, inner_canvas, "open")
    assert win.inspector.node_id() == "open" and win.inspector.doc.pipeline is inner_canvas.doc.pipeline
    assert win.viewer_panel.title.text().startswith("open")
    spin = win.inspector._rows["size"].editor.spin
    assert isinstance(spin, QSpinBox)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "41")
    with qtbot.waitSignal(win.ran, timeout=30_000):
        qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)
    win.runner.wait_idle(30)
    assert win.doc.pipeline.nodes[macro].graph.nodes["open"].params["size"] == 41
    assert win.result.nodes["count"].outputs["count"] != 24
    # back on the main canvas the inspector edits the outer pipeline again
    win.tabs.setCurrentIndex(0)
    _click_node(qtbot, win.canvas, "count")
    assert win.inspector.node_id() == "count" and win.inspector.doc is win.doc


def test_an_inner_parameter_exposed_on_the_macro(win, qtbot):
    win.show()
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    macro = win.doc.group(["threshold", "open", "fill"])
    wait_run(win, qtbot)
    inner_canvas = win.open_macro(macro)
    qtbot.waitExposed(inner_canvas)
    _click_node(qtbot, inner_canvas, "open")
    label = win.inspector._rows["size"].label
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    qtbot.mouseClick(label, Qt.RightButton)  # a right-click on the parameter's name ...
    centre = label.rect().center()  # ... and the context-menu event the window system sends with it
    QApplication.sendEvent(label, QContextMenuEvent(QContextMenuEvent.Mouse, centre, label.mapToGlobal(centre)))
    menu = win.inspector.expose_menu
    assert menu is not None
    qtbot.waitExposed(menu)
    act = menu.actions()[0]
    qtbot.mouseClick(menu, Qt.LeftButton, pos=menu.actionGeometry(act).center())
    assert win.doc.pipeline.nodes[macro].params["exposed"] == "open.size"
    win.tabs.setCurrentIndex(0)
    _click_node(qtbot, win.canvas, macro)
    assert win.inspector.node_id() == macro
    row = win.inspector._rows["open.size"]
    assert row.label.text() == "open · Size" and row.editor.spin.value() == 5
    spin = row.editor.spin
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "9")
    with qtbot.waitSignal(win.ran, timeout=30_000):
        qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)
    assert win.doc.pipeline.nodes[macro].graph.nodes["open"].params["size"] == 9
    win.doc.undo.undo()  # one undo history
    assert win.doc.pipeline.nodes[macro].graph.nodes["open"].params["size"] == 5
    assert spin.value() == 5


# ---------------------------------------------------------------- item 11
def _rects(canvas):
    from workbench.gui.canvas_items import NodeItem

    return {it.node_id: it.sceneBoundingRect() for it in canvas.scene().items() if isinstance(it, NodeItem)}


def test_nodes_added_with_enter_go_beside_the_selection_without_overlap(win, qtbot):
    win.show()
    pal = win.palette
    added = []
    for query in ("threshold", "gauss", "median", "threshold"):
        pal.search.clear()
        qtbot.keyClicks(pal.search, query)
        qtbot.keyClick(pal.search, Qt.Key_Return)
        added.append(win.canvas.selected_ids()[0])
    assert len(set(added)) == 4
    rects = _rects(win.canvas)
    for a in added:
        for b in added:
            if a < b:
                assert not rects[a].intersects(rects[b]), (a, b)
    assert rects[added[1]].left() > rects[added[0]].right()  # the second went right of the first
    steps = win.doc.undo.count()
    win.activateWindow()
    win.canvas.setFocus()
    qtbot.waitUntil(lambda: win.canvas.hasFocus(), timeout=5_000)
    qtbot.keyClick(win.canvas, Qt.Key_L, Qt.ControlModifier)  # View > Arrange Nodes (Ctrl+L): one undo step
    assert win.doc.undo.count() == steps + 1
    rects = _rects(win.canvas)
    assert all(not rects[a].intersects(rects[b]) for a in added for b in added if a < b)


def test_new_clears_the_trend_and_last_run(win, qtbot, tmp_path):
    import shutil

    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    folder = tmp_path / "imgs"
    folder.mkdir()
    shutil.copy(demo_pipeline().parent.parent / "samples" / "coins.png", folder / "a.png")
    run = win.run_folder(folder)
    with qtbot.waitSignal(run.finished, timeout=60_000):
        pass
    assert win.trend.series_names() and win.time_label.text()
    win.new_file()
    assert win.trend.series_names() == [] and win.time_label.text() == ""


def test_paths_picked_under_the_pipeline_folder_are_saved_relative(win, qtbot, tmp_path):
    import json

    img = tmp_path / "imgs" / "part.png"
    img.parent.mkdir()
    cv2.imwrite(str(img), np.full((20, 20), 128, np.uint8))
    win.drop_files([img])  # an absolute path, before the pipeline has a file
    target = tmp_path / "line.json"
    assert win._save_to(target)
    node = next(n for n in json.loads(target.read_text())["nodes"] if n["type"] == "io.image_file")
    assert node["params"]["path"] == "imgs/part.png"


def test_problems_show_readable_messages(win, qtbot):
    from workbench.gui.main_panels import readable_error

    assert readable_error("ValueError: size must be odd") == "Size must be odd"
    assert readable_error("OpenCV: bad kernel") == "OpenCV: bad kernel"
    win.problems.set_problems([], [("blur", "ValueError: size must be odd")], [])
    assert win.problems.tree.topLevelItem(0).text(2) == "Size must be odd"
    assert "ValueError" in win.problems.tree.topLevelItem(0).toolTip(2)  # the raw text stays a hover away


def test_compare_keeps_the_overlays(win, qtbot):
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    win.canvas.select(["threshold"])
    qtbot.mouseClick(win.viewer_panel.pin, Qt.LeftButton)
    win.canvas.select(["blobs"])  # blob analysis: the regions are drawn over the mask
    qtbot.mouseClick(win.viewer_panel.compare_btn, Qt.LeftButton)
    cmp = win.viewer_panel.compare
    assert win.viewer_panel.stack.currentWidget() is cmp
    assert cmp.viewer_b.overlay_items()  # the blobs' regions, as in the single viewer
    assert not cmp.viewer_a.overlay_items()


# ---------------------------------------------------------------- item 18: F1 help
def test_f1_on_a_node_opens_its_help_in_both_languages(win, qtbot):
    win.show()
    win.activateWindow()
    nid = win.canvas.add_node("cv.threshold")
    _click_node(qtbot, win.canvas, nid)
    win.canvas.setFocus()
    qtbot.waitUntil(lambda: win.canvas.hasFocus(), timeout=5_000)
    qtbot.keyClick(win.canvas, Qt.Key_F1)
    dlg = win.node_help
    qtbot.waitExposed(dlg)
    text = dlg.browser.toPlainText()
    assert "Threshold" in text and "Turns an image into a binary mask" in text
    assert "Parameters" in text and "block_size" in text and '"type": "cv.threshold"' in text
    assert "image" in text and "Mask" in text
    win.set_language("zh_CN")  # the open help follows the language
    try:
        qtbot.waitUntil(lambda: "将图像转换为二值掩膜" in dlg.browser.toPlainText(), timeout=5_000)
        dlg.close()
        qtbot.keyClick(win.canvas, Qt.Key_F1)
        text = win.node_help.browser.toPlainText()
        assert "将图像转换为二值掩膜" in text and "参数" in text
        win.node_help.close()
    finally:
        win.set_language("en")
