"""Issue #13 item 17: ROIs are drawn by dragging in the viewer, in the shapes inspections use
(rectangle, rotated rectangle, circle, annulus, polygon), bound to the node's ROI parameter and
honoured by the node."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from workbench.core.params import Roi
from workbench.core.paths import demo_pipeline
from workbench.gui import i18n
from workbench.gui.mainwindow import MainWindow
from workbench.gui.viewer_rois import AnnulusItem, PolygonItem, RotatedRectItem, roi_from_drag


@pytest.fixture
def win(qtbot):
    w = MainWindow(recover=False)
    qtbot.addWidget(w)
    w.ask_save_changes = lambda: "discard"
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    with qtbot.waitSignal(w.ran, timeout=30_000):
        w.open(demo_pipeline())
    w.canvas.select(["blobs"])
    qtbot.waitUntil(lambda: w.inspector._rows["roi"].editor.draw_buttons["annulus"].isVisible(), timeout=5_000)
    yield w
    w._dirty_extra = False
    w.doc.undo.setClean()
    w.close()
    i18n.set_language("en")


def _vp(win, x, y) -> QPoint:
    v = win.viewer
    return v.glw.mapFromScene(v.view.mapViewToScene(QPointF(x, y)))


def _drag(win, qtbot, a, b):
    vp = win.viewer.glw.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, _vp(win, *a))
    for k in range(1, 6):
        QTest.mouseMove(vp, _vp(win, a[0] + (b[0] - a[0]) * k / 5, a[1] + (b[1] - a[1]) * k / 5))
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, _vp(win, *b))


def _roi(win):
    return win.doc.pipeline.nodes["blobs"].params["roi"]


def test_drag_shapes_by_hand():
    assert roi_from_drag("rect", (10, 20), (4, 50)) == Roi.rect(4, 20, 6, 30)
    assert roi_from_drag("circle", (50, 50), (53, 54)) == Roi.circle(50, 50, 5)
    assert roi_from_drag("annulus", (50, 50), (50, 90)) == Roi.annulus(50, 50, 20, 40)
    assert roi_from_drag("rotated_rect", (0, 0), (40, 20)) == Roi.rotated_rect(20, 10, 40, 20, 0)
    assert roi_from_drag("circle", (5, 5), (5, 6)) is None  # a click, not a drag


def test_an_annulus_drawn_by_dragging_is_the_blob_roi(win, qtbot):
    editor = win.inspector._rows["roi"].editor
    qtbot.mouseClick(editor.draw_buttons["annulus"], Qt.LeftButton)
    assert win.viewer.drawer.active
    with qtbot.waitSignal(win.ran, timeout=30_000):
        _drag(win, qtbot, (192, 151), (192, 251))  # centre of the coins image, outer radius 100
    roi = _roi(win)
    assert roi.shape == "annulus" and roi.values[0] == pytest.approx(192, abs=2)
    assert roi.values[3] == pytest.approx(100, abs=3) and roi.values[2] == pytest.approx(50, abs=2)
    win.runner.wait_idle(30)
    assert 0 < win.result.nodes["count"].outputs["count"] < 24  # only the coins in the ring count
    assert isinstance(win.viewer.roi("roi"), AnnulusItem)
    # the ring's mask is what the node used: nothing in the hole
    mask = roi.mask((303, 384))
    assert mask[151, 192] == 0 and mask[151, 192 + 75] == 255


def test_rotated_rect_and_polygon_are_drawn_and_kept(win, qtbot):
    editor = win.inspector._rows["roi"].editor
    qtbot.mouseClick(editor.draw_buttons["rotated_rect"], Qt.LeftButton)
    with qtbot.waitSignal(win.ran, timeout=30_000):
        _drag(win, qtbot, (40, 40), (200, 140))
    assert _roi(win).shape == "rotated_rect"
    assert isinstance(win.viewer.roi("roi"), RotatedRectItem)
    assert win.viewer.roi("roi").value() == _roi(win)
    qtbot.mouseClick(editor.draw_buttons["polygon"], Qt.LeftButton)
    vp = win.viewer.glw.viewport()
    for x, y in ((20, 20), (300, 30), (320, 280)):
        QTest.mouseClick(vp, Qt.LeftButton, Qt.NoModifier, _vp(win, x, y))
    with qtbot.waitSignal(win.ran, timeout=30_000):
        QTest.mouseDClick(vp, Qt.LeftButton, Qt.NoModifier, _vp(win, 30, 270))
    roi = _roi(win)
    assert roi.shape == "polygon" and len(roi.values[0]) == 4
    assert np.allclose(roi.values[0][1], (300, 30), atol=2)
    assert isinstance(win.viewer.roi("roi"), PolygonItem)
    win.doc.undo.undo()  # one undo step per drawing
    assert _roi(win).shape == "rotated_rect"
