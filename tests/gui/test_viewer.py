"""The image viewer: display of every dtype, zoom, cursor read-out, overlays, ROIs, compare."""

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from workbench.core.params import Roi
from workbench.core.types import (NO_VALUE, ClassificationResult, DetectionSet, MeasurementSet, RegionSet,
                                  VerdictResult)
from workbench.gui.viewer import CompareViewer, ImageViewer, LabelsItem, OutlineItem, display_array


@pytest.fixture
def viewer(qtbot):
    v = ImageViewer(histogram=True)
    qtbot.addWidget(v)
    v.resize(640, 520)
    v.show()
    qtbot.waitExposed(v)
    return v


def rendered(v: ImageViewer, x: int, y: int) -> tuple[int, int, int]:
    """The colour the ImageItem renders for image pixel (x, y)."""
    v.item.render()
    c = v.item.qimage.pixelColor(x, y)
    return c.red(), c.green(), c.blue()


def square(x0, y0, s):
    return np.array([[[x0, y0]], [[x0 + s, y0]], [[x0 + s, y0 + s]], [[x0, y0 + s]]], np.int32)


# ---------------------------------------------------------------- display of dtypes
def test_mono_uint8_is_shown_without_a_copy_with_fixed_levels(viewer):
    img = np.zeros((60, 80), np.uint8)
    img[10, 20] = 200
    viewer.set_image(img)
    assert np.shares_memory(viewer.item.image, img)
    assert viewer.levels() == (0.0, 255.0)
    assert viewer.item.levels is None  # full range: no level mapping at all
    assert rendered(viewer, 20, 10) == (200, 200, 200)
    assert rendered(viewer, 0, 0) == (0, 0, 0)
    assert viewer.item.qimage.format().name == "Format_Grayscale8"  # a QImage over the array
    bits = np.frombuffer(viewer.item.qimage.constBits(), np.uint8)
    assert bits.ctypes.data == img.ctypes.data  # the QImage reads the caller's buffer: no copy
    viewer.set_levels(0, 100)  # other levels go to the item
    assert tuple(viewer.item.levels) == (0, 100) and rendered(viewer, 20, 10) == (255, 255, 255)


def test_bgr_is_shown_as_rgb(viewer):
    img = np.zeros((40, 50, 3), np.uint8)
    img[5, 7] = (255, 0, 0)  # blue in BGR
    img[6, 8] = (10, 20, 30)
    viewer.set_image(img)
    assert viewer.item.image[5, 7].tolist() == [0, 0, 255]
    assert viewer.item.image[6, 8].tolist() == [30, 20, 10]
    assert viewer.item.levels is None and viewer.levels() == (0.0, 255.0)  # direct RGB888, no rescale
    assert rendered(viewer, 7, 5) == (0, 0, 255)
    assert rendered(viewer, 8, 6) == (30, 20, 10)


def test_bgra_keeps_alpha_and_swaps_colour():
    img = np.zeros((4, 4, 4), np.uint8)
    img[0, 0] = (1, 2, 3, 200)
    assert display_array(img)[0, 0].tolist() == [3, 2, 1, 200]


def test_uint16_levels_from_data_then_kept_auto_levels_recompute(viewer):
    img = np.zeros((50, 60), np.uint16)
    img[:, 30:] = 4000
    img[0, 0] = 1000
    viewer.set_image(img)
    assert viewer.levels() == (0.0, 4000.0)
    assert rendered(viewer, 40, 10) == (255, 255, 255)
    assert rendered(viewer, 0, 0)[0] in (63, 64)
    assert viewer.histogram_visible()  # shown automatically for non-uint8 images
    viewer.set_image(img * 2)  # same kind: levels kept (live tuning stays steady)
    assert viewer.levels() == (0.0, 4000.0)
    viewer.set_auto_levels(True)
    assert viewer.levels() == (0.0, 8000.0)
    viewer.set_image(img // 4)
    assert viewer.levels() == (0.0, 1000.0)
    assert viewer.act_auto.isChecked()


def test_float_image_in_unit_range(viewer):
    img = np.full((30, 40), 0.5, np.float32)
    img[0, 0] = 1.0
    img[0, 1] = 0.0
    viewer.set_image(img)
    assert viewer.levels() == (0.0, 1.0)
    r, g, b = rendered(viewer, 5, 5)
    assert r == g == b and abs(r - 128) <= 1
    assert rendered(viewer, 0, 0) == (255, 255, 255)
    col = np.zeros((30, 40, 3), np.float32)
    col[..., 2] = 2.0  # red, outside [0, 1]: levels from the data
    col[0, 0] = -1.0
    viewer.set_image(col)
    assert viewer.levels() == (-1.0, 2.0)
    assert rendered(viewer, 3, 3) == (255, 85, 85)  # 0 on levels (-1, 2) → 85


def test_bool_mask_shows_white_on_black(viewer):
    m = np.zeros((20, 30), bool)
    m[5:10, 5:10] = True
    viewer.set_image(m)
    assert viewer.item.image.dtype == np.uint8 and np.shares_memory(viewer.item.image, m)
    assert viewer.levels() == (0.0, 1.0)
    assert rendered(viewer, 6, 6) == (255, 255, 255)
    assert rendered(viewer, 0, 0) == (0, 0, 0)
    assert viewer.info_at(6, 6) == "x=6 y=6  value=1"


def test_user_levels_are_kept_and_histogram_drag_sets_them(viewer):
    img = np.arange(256, dtype=np.uint8).reshape(16, 16)
    viewer.set_image(img)
    assert not viewer.histogram_visible()  # uint8: only when the user asks
    viewer.set_histogram_visible(True)
    assert viewer.histogram_visible() and viewer.act_hist.isChecked()
    assert viewer.hist.plot.yData.sum() == 256  # histogram of the shown image
    viewer.hist.region.setRegion((50, 100))  # the user drags the levels
    assert viewer.levels() == (50.0, 100.0)
    assert rendered(viewer, 11, 4) == (127, 127, 127)  # value 75: (75 - 50) / 50 * 255
    assert rendered(viewer, 8, 7) == (255, 255, 255)  # value 120 > 100
    assert rendered(viewer, 0, 3) == (0, 0, 0)
    viewer.set_image(img.copy())
    assert viewer.levels() == (50.0, 100.0)


# ---------------------------------------------------------------- view
def test_fit_one_to_one_and_zoom_kept_on_same_size_update(viewer, qtbot):
    img = np.zeros((200, 300), np.uint8)
    viewer.set_image(img)
    qtbot.wait(10)
    (x0, x1), (y0, y1) = viewer.view.viewRange()
    # fitted: the image fills one axis exactly and is centred on the other
    assert (x0, x1) == pytest.approx((0, 300), abs=0.5) or (y0, y1) == pytest.approx((0, 200), abs=0.5)
    assert x0 <= 0.5 and x1 >= 299.5 and y0 <= 0.5 and y1 >= 199.5
    viewer.one_to_one()
    assert viewer.view.viewPixelSize() == pytest.approx((1.0, 1.0), rel=1e-3)
    assert viewer.zoom() == pytest.approx(1.0, rel=1e-3)
    (cx0, cx1), (cy0, cy1) = viewer.view.viewRange()
    assert (cx0 + cx1) / 2 == pytest.approx(150, abs=0.5) and (cy0 + cy1) / 2 == pytest.approx(100, abs=0.5)
    viewer.zoom_by(2.0)
    assert viewer.zoom() == pytest.approx(2.0, rel=1e-3)
    zoomed = viewer.view.viewRange()
    viewer.set_image(np.full((200, 300), 9, np.uint8))  # a new image, same size: zoom kept
    qtbot.wait(10)
    assert np.allclose(viewer.view.viewRange(), zoomed)
    viewer.set_image(np.zeros((50, 60), np.uint8))  # a new size: fitted
    qtbot.wait(10)
    (x0, x1), (y0, y1) = viewer.view.viewRange()
    assert x1 - x0 >= 59.5 and y1 - y0 >= 49.5 and min(x1 - x0 - 60, y1 - y0 - 50) < 0.5
    viewer.fit()
    assert viewer.view.autoRangeEnabled()[0]


def test_fit_keeps_fitting_while_resized(viewer, qtbot):
    viewer.set_image(np.zeros((100, 100), np.uint8))
    viewer.resize(900, 400)
    qtbot.wait(20)
    (x0, x1), (y0, y1) = viewer.view.viewRange()
    assert y1 - y0 == pytest.approx(100, abs=0.5)


# ---------------------------------------------------------------- cursor read-out
def test_info_at_mono_colour_float_and_outside(viewer):
    g = np.zeros((10, 12), np.uint8)
    g[3, 4] = 77
    viewer.set_image(g)
    assert viewer.info_at(4.7, 3.2) == "x=4 y=3  value=77"
    assert viewer.info_at(-0.5, 3) == "" and viewer.info_at(12, 0) == "" and viewer.info_at(0, 10) == ""
    c = np.zeros((10, 12, 3), np.uint8)
    c[2, 1] = (12, 34, 56)
    viewer.set_image(c)
    assert viewer.info_at(1, 2) == "x=1 y=2  B,G,R=(12, 34, 56)"
    f = np.full((10, 12), 0.123456, np.float32)
    viewer.set_image(f)
    assert viewer.info_at(0, 0) == "x=0 y=0  value=0.1235"
    viewer.set_image(None)
    assert viewer.info_at(0, 0) == ""


def test_mouse_move_emits_cursor_info_and_shows_it(viewer, qtbot):
    from pytestqt.qt_compat import qt_api

    img = np.zeros((100, 120, 3), np.uint8)
    img[40:60, 50:70] = (1, 2, 3)
    viewer.set_image(img)
    qtbot.wait(10)
    got = []
    viewer.cursorInfo.connect(got.append)
    scene_pt = viewer.view.mapViewToScene(QPointF(55.5, 45.5))
    vp_pt = viewer.glw.mapFromScene(scene_pt)
    qt_api.QtTest.QTest.mouseMove(viewer.glw.viewport(), vp_pt)
    qtbot.waitUntil(lambda: bool(got), timeout=2000)
    assert got[-1] == "x=55 y=45  B,G,R=(1, 2, 3)"
    assert viewer.cursor_text() == got[-1] and viewer._cursor_box.isVisible()
    viewer.set_image(np.full((100, 120, 3), 9, np.uint8))  # live update under a still cursor
    assert got[-1] == "x=55 y=45  B,G,R=(9, 9, 9)"
    outside = viewer.view.mapViewToScene(QPointF(-50, -50))  # in the view, off the image
    viewer._on_mouse_moved(outside)
    assert got[-1] == "" and not viewer._cursor_box.isVisible()


# ---------------------------------------------------------------- overlays
def _scene_items(v):
    return len(v.view.childGroup.childItems()), len(v.glw.scene().items())


def test_region_set_outline_and_index_labels(viewer):
    viewer.set_image(np.zeros((100, 100), np.uint8))
    rs = RegionSet([square(5, 5, 10), square(40, 40, 10), square(70, 10, 20)],
                   [{"cx": 10, "cy": 10}, {"cx": 45, "cy": 45}, {"cx": 80, "cy": 20}], (100, 100))
    viewer.set_overlays([rs])
    items = viewer.overlay_items()
    assert [type(i) for i in items] == [OutlineItem, LabelsItem]
    assert len(items[0].path.toSubpathPolygons()) == 3
    assert items[0].pen.isCosmetic() and items[0].pen.widthF() == 2
    assert items[1].texts == ["0", "1", "2"]
    assert items[1].points.tolist() == [[10.5, 10.5], [45.5, 45.5], [80.5, 20.5]]
    r = items[0].path.boundingRect()
    assert (r.left(), r.top(), r.right(), r.bottom()) == (5.5, 5.5, 90.5, 50.5)


def test_measured_segment_is_an_open_line_labelled_with_its_length(viewer):
    viewer.set_image(np.zeros((50, 50), np.uint8))
    seg = RegionSet([np.array([[[0, 0]], [[30, 40]]], np.int32)], [{"cx": 15, "cy": 20, "distance": 50.0}], (50, 50))
    viewer.set_overlays([seg])
    outline, labels = viewer.overlay_items()
    assert outline.path.elementCount() == 2  # moveTo + lineTo, not closed
    assert labels.texts == ["50"]


def test_detections_boxes_labels_and_masks(viewer):
    viewer.set_image(np.zeros((100, 120, 3), np.uint8))
    masks = [np.zeros((100, 120), np.uint8), np.zeros((100, 120), np.uint8)]
    masks[0][10:20, 10:30] = 255
    masks[1][50:60, 60:90] = 1
    ds = DetectionSet(np.array([[10, 10, 30, 20], [60, 50, 90, 60]], np.float32), np.array([0.9, 0.456], np.float32),
                      np.array([0, 0], np.int32), ["cat", "dog"])
    viewer.set_overlays([ds])
    items = viewer.overlay_items()
    assert [type(i) for i in items] == [OutlineItem, LabelsItem]  # one colour (one class): one outline item
    assert len(items[0].path.toSubpathPolygons()) == 2
    assert items[1].texts == ["cat 0.90", "dog 0.46"] and items[1].anchor == "above"
    ds.masks = masks
    ds.class_ids = np.array([0, 1], np.int32)
    viewer.set_overlays([ds])
    kinds = [type(i).__name__ for i in viewer.overlay_items()]
    assert kinds == ["ImageItem", "OutlineItem", "OutlineItem", "LabelsItem"]  # mask, one outline per class
    lab = viewer.overlay_items()[0].image
    assert lab[15, 15] == 1 and lab[55, 70] == 2 and lab[0, 0] == 0


def test_mask_overlay_is_a_semi_transparent_fill(viewer):
    viewer.set_image(np.zeros((40, 40), np.uint8))
    m = np.zeros((40, 40), bool)
    m[10:20, 10:20] = True
    viewer.set_overlays([m])
    (item,) = viewer.overlay_items()
    assert np.shares_memory(item.image, m)
    item.render()
    inside, outside = item.qimage.pixelColor(15, 15), item.qimage.pixelColor(2, 2)
    assert 60 <= inside.alpha() <= 160 and outside.alpha() == 0
    assert inside.red() > 200  # the mask colour (pink)


def test_texts_verdict_measurements_classification_scalars(viewer):
    viewer.set_image(np.zeros((40, 40), np.uint8))
    viewer.set_overlays([MeasurementSet().add("count", 24).add("width", 3.14159, "mm"),
                         VerdictResult(False, ["count = 3, expected 22..26"]),
                         ClassificationResult(1, "upright", 0.987), "LOT 2024-117", 7, 2.5, True, NO_VALUE, None])
    texts = viewer.overlay_texts()
    assert texts["info"].splitlines() == ["count 24", "width 3.142 mm", "upright 0.987", "7", "2.5", "true"]
    assert texts["verdict"] == "NG\ncount = 3, expected 22..26"
    assert texts["text"] == "LOT 2024-117"
    assert viewer._verdict_box.isVisible() and viewer._info_box.isVisible() and viewer._text_box.isVisible()
    assert NG_in_style(viewer._verdict_box.styleSheet())
    viewer.set_overlays([VerdictResult(True)])
    assert viewer.overlay_texts() == {"verdict": "OK"}
    assert not viewer._info_box.isVisible() and not viewer._text_box.isVisible()
    # the verdict sits in the top right corner of the view, inside it
    box = viewer._verdict_box.geometry()
    assert box.right() <= viewer.glw.width() and box.top() < 20 and box.left() > viewer.glw.width() / 2


def NG_in_style(style: str) -> bool:
    c = QColor("#e5484d")
    return f"rgba({c.red()},{c.green()},{c.blue()}" in style


def test_replacing_overlays_reuses_items_and_does_not_accumulate(viewer):
    viewer.set_image(np.zeros((100, 100), np.uint8))
    rs = RegionSet([square(5, 5, 10)] * 3, [{}] * 3, (100, 100))
    mask = np.zeros((100, 100), np.uint8)
    overlays = [rs, mask, VerdictResult(True)]
    viewer.set_overlays(overlays)
    first = viewer.overlay_items()
    counts = _scene_items(viewer)
    for _ in range(5):
        viewer.set_overlays(overlays)
    assert _scene_items(viewer) == counts
    assert all(a is b for a, b in zip(viewer.overlay_items(), first))  # the same items, updated
    viewer.set_overlays([])
    assert viewer.overlay_items() == [] and viewer.overlay_texts() == {}
    assert _scene_items(viewer)[0] == counts[0] - 3
    assert all(it.scene() is None for it in first)


# ---------------------------------------------------------------- ROIs
def test_roi_drag_emits_clamped_ints(viewer, qtbot):
    viewer.set_image(np.zeros((100, 200), np.uint8))
    viewer.set_roi("roi", (10, 20, 30, 40))
    viewer.set_roi("search", Roi.rect(0, 0, 5, 5), editable=False)
    assert viewer.roi_names() == ["roi", "search"]
    roi = viewer.roi("roi")
    assert (roi.pos().x(), roi.pos().y(), roi.size().x(), roi.size().y()) == (10, 20, 30, 40)
    assert len(roi.getHandles()) == 8 and len(viewer.roi("search").getHandles()) == 0
    with qtbot.waitSignal(viewer.roiEdited) as sig:
        roi.setPos((12.4, 25.6), finish=False)
        roi.setSize((50.2, 30.0), finish=False)
        roi.sigRegionChangeFinished.emit(roi)
    assert sig.args == ["roi", (12, 26, 50, 30)]
    with qtbot.waitSignal(viewer.roiEdited) as sig:
        roi.setPos((180, -10))  # finish=True: emits sigRegionChangeFinished
    assert sig.args == ["roi", (180, 0, 20, 20)]  # clamped to the image (200 x 100)
    assert (roi.pos().x(), roi.pos().y(), roi.size().x(), roi.size().y()) == (180, 0, 20, 20)
    got = []
    viewer.roiEdited.connect(lambda *a: got.append(a))
    viewer.set_roi("roi", (1, 2, 3, 4))  # set by the program: no signal
    assert got == [] and viewer.roi_rect("roi") == (1, 2, 3, 4)
    viewer.set_roi("roi", None)
    assert viewer.roi_names() == ["search"] and roi.scene() is None


# ---------------------------------------------------------------- compare
def test_compare_side_by_side_links_the_views(qtbot):
    c = CompareViewer()
    qtbot.addWidget(c)
    c.resize(900, 400)
    c.show()
    qtbot.waitExposed(c)
    a = np.zeros((100, 150), np.uint8)
    b = np.zeros((100, 150, 3), np.uint8)
    c.set_images(a, b, "pinned", "selected")
    assert c.title_a.text() == "pinned" and c.title_b.text() == "selected"
    c.viewer_a.view.setRange(xRange=(10, 60), yRange=(20, 50), padding=0)
    ra, rb = c.viewer_a.view.viewRange(), c.viewer_b.view.viewRange()
    assert rb[0] == pytest.approx(ra[0]) and rb[1] == pytest.approx(ra[1])
    c.viewer_b.zoom_by(2.0)
    assert c.viewer_a.view.viewRange()[0] == pytest.approx(c.viewer_b.view.viewRange()[0])


def test_compare_split_mode_divider(qtbot):
    c = CompareViewer()
    qtbot.addWidget(c)
    c.resize(700, 400)
    c.show()
    qtbot.waitExposed(c)
    a = np.full((80, 100), 10, np.uint8)
    b = np.full((80, 100, 3), 200, np.uint8)
    c.set_images(a, b, "a", "b")
    c.set_mode("split")
    assert c.mode() == "split" and c.stack.currentWidget() is c.split_viewer
    assert c.divider() == 50.0
    sv = c.split_viewer
    assert sv._clip.rect().getRect() == (50.0, 0.0, 50.0, 80.0)  # b shows right of the divider
    c.set_divider(30)
    assert sv._clip.rect().getRect() == (30.0, 0.0, 70.0, 80.0)
    assert sv.info_at(10, 10) == "x=10 y=10  value=10"
    assert sv.info_at(40, 10) == "x=40 y=10  B,G,R=(200, 200, 200)"
    c.set_images(a, b)  # same size: the divider stays
    assert c.divider() == 30.0
    with pytest.raises(ValueError):
        c.set_mode("overlay")
    c.set_mode("side")
    assert c.stack.currentWidget() is not c.split_viewer and c.btn_side.isChecked()


# ---------------------------------------------------------------- the real demo
def test_coins_pipeline_overlays(viewer):
    from workbench.core.engine import Engine
    from workbench.core.paths import demo_pipeline
    from workbench.core.pipeline_file import load_pipeline

    p = load_pipeline(demo_pipeline())
    r = Engine().run(p)
    viewer.set_image(r.output("source", "image"))
    viewer.set_overlays([r.output("blobs", "regions"), r.output("count", "measurements"), r.output("judge", "out")])
    outline, labels = viewer.overlay_items()
    assert len(outline.path.toSubpathPolygons()) == 24 and labels.texts == [str(i) for i in range(24)]
    assert viewer.overlay_texts()["verdict"] == "OK" and viewer.overlay_texts()["info"] == "coins 24"
    img = viewer.grab().toImage()
    cyan = sum(1 for x in range(0, img.width(), 3) for y in range(0, img.height(), 3)
               if (lambda c: c.blue() > 200 and c.green() > 180 and c.red() < 80)(img.pixelColor(x, y)))
    assert cyan > 100  # the contours and labels are on screen


def test_thousands_of_repaints_do_not_abort_the_interpreter():
    """PySide6 6.12.0 on Python 3.11 drops a reference to True on every Signal.emit() (pyqtgraph
    emits on every paint) and to None on every void call. Without the guards in viewer.py this
    aborts after ~2000 repaints."""
    import subprocess
    import sys

    code = ("import sys, numpy as np\n"
            "from PySide6.QtWidgets import QApplication\n"
            "app = QApplication([])\n"
            "from workbench.gui.viewer import ImageViewer\n"
            "v = ImageViewer(toolbar=False); v.resize(120, 90); v.show()\n"
            "img = np.zeros((8, 8), np.uint8)\n"
            "for i in range(4000):\n"
            "    v.set_image(img); v.glw.viewport().repaint()\n"
            "print('alive')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert p.returncode == 0 and "alive" in p.stdout, p.stderr[-500:]
