"""ROI shapes in the viewer: drawn by dragging, edited with handles, read back as a `Roi`.

* ``roi_from_drag(shape, p0, p1)`` (no Qt): the ROI a drag from p0 to p1 draws — rect: the two
  corners; rotated_rect: the same box at 0° (turn it with its round handle); circle: centre and a
  point on the rim; annulus: centre and the outer rim (inner radius half of it). A polygon is
  clicked point by point and closed with a double-click.
* ``shape_item(name, roi)``: the editable pyqtgraph item of a non-rect ROI, and
  ``item_roi(item)``: the `Roi` it shows after an edit.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal

from workbench.core.params import Roi
from workbench.gui.viewer_items import ROI_COLOR, ROI_HOVER_COLOR

DRAW_SHAPES = ("rect", "rotated_rect", "circle", "annulus", "polygon")
_PEN = dict(pen=pg.mkPen(ROI_COLOR, width=2), hoverPen=pg.mkPen(ROI_HOVER_COLOR, width=3),
            handlePen=pg.mkPen(ROI_COLOR, width=2), handleHoverPen=pg.mkPen(ROI_HOVER_COLOR, width=2))


def roi_from_drag(shape: str, p0: tuple[float, float], p1: tuple[float, float]) -> Roi | None:
    """The ROI a drag draws (None: too small to be meant)."""
    (x0, y0), (x1, y1) = p0, p1
    w, h = abs(x1 - x0), abs(y1 - y0)
    r = math.hypot(x1 - x0, y1 - y0)
    if shape == "rect" and w >= 2 and h >= 2:
        return Roi.rect(round(min(x0, x1)), round(min(y0, y1)), round(w), round(h))
    if shape == "rotated_rect" and w >= 2 and h >= 2:
        return Roi.rotated_rect(round((x0 + x1) / 2, 1), round((y0 + y1) / 2, 1), round(w), round(h), 0.0)
    if shape == "circle" and r >= 2:
        return Roi.circle(round(x0, 1), round(y0, 1), round(r, 1))
    if shape == "annulus" and r >= 4:
        return Roi.annulus(round(x0, 1), round(y0, 1), round(r / 2, 1), round(r, 1))
    return None


class _Shape:
    """Mixin: the parameter name, and an outline label like the rectangle's."""

    def _setup(self, name: str) -> None:
        self.name = name
        self.editable = True
        self.label = pg.TextItem(name, color=ROI_COLOR, anchor=(0, 1), fill=pg.mkBrush(18, 20, 24, 190))
        self.label.setParentItem(self)
        self.setZValue(50)


class RotatedRectItem(_Shape, pg.ROI):
    def __init__(self, name: str, roi: Roi) -> None:
        cx, cy, w, h, angle = roi.values
        pg.ROI.__init__(self, (cx - w / 2, cy - h / 2), (w, h), **_PEN)
        self.setAngle(angle, center=(0.5, 0.5), update=False, finish=False)
        self.addRotateHandle((1, 0.5), (0.5, 0.5))
        self.addScaleHandle((0, 0), (1, 1))
        self.addScaleHandle((1, 1), (0, 0))
        self._setup(name)

    def value(self) -> Roi:
        w, h = self.size()
        c = self.mapToParent(QPointF(w / 2, h / 2))
        return Roi.rotated_rect(round(c.x(), 1), round(c.y(), 1), round(w, 1), round(h, 1), round(self.angle(), 2))


class CircleItem(_Shape, pg.CircleROI):
    def __init__(self, name: str, roi: Roi) -> None:
        cx, cy, r = roi.values
        pg.CircleROI.__init__(self, (cx - r, cy - r), radius=r, **_PEN)
        self._setup(name)

    def value(self) -> Roi:
        w, _h = self.size()
        p = self.pos()
        return Roi.circle(round(p.x() + w / 2, 1), round(p.y() + w / 2, 1), round(w / 2, 1))


class AnnulusItem(_Shape, pg.CircleROI):
    """The outer circle (move, resize) with the inner one as a second circle that follows it."""

    def __init__(self, name: str, roi: Roi) -> None:
        cx, cy, ri, ro = roi.values
        pg.CircleROI.__init__(self, (cx - ro, cy - ro), radius=ro, **_PEN)
        self.ratio = ri / ro if ro > 0 else 0.5
        self.inner = pg.CircleROI((0, 0), radius=1, movable=False, pen=pg.mkPen(ROI_COLOR, width=2))
        self.inner.setParentItem(self)
        for hnd in self.inner.getHandles():
            self.inner.removeHandle(hnd)
        self.sigRegionChanged.connect(self._place_inner)
        self._place_inner()
        self._setup(name)

    def _place_inner(self) -> None:
        w = self.size()[0]
        ri = w / 2 * self.ratio
        self.inner.setPos((w / 2 - ri, w / 2 - ri), update=False, finish=False)
        self.inner.setSize((2 * ri, 2 * ri), update=True, finish=False)

    def value(self) -> Roi:
        w, _h = self.size()
        p = self.pos()
        ro = w / 2
        return Roi.annulus(round(p.x() + ro, 1), round(p.y() + ro, 1), round(ro * self.ratio, 1), round(ro, 1))


class PolygonItem(_Shape, pg.PolyLineROI):
    def __init__(self, name: str, roi: Roi) -> None:
        pg.PolyLineROI.__init__(self, [list(p) for p in roi.values[0]], closed=True, **_PEN)
        self._setup(name)

    def value(self) -> Roi:
        pts = [self.mapToParent(h.pos()) for h in self.getHandles()]
        return Roi.polygon([(round(p.x(), 1), round(p.y(), 1)) for p in pts])


ITEMS = {"rotated_rect": RotatedRectItem, "circle": CircleItem, "annulus": AnnulusItem, "polygon": PolygonItem}


def shape_item(name: str, roi: Roi):
    return ITEMS[roi.shape](name, roi)


class RoiDrawer(QObject):
    """Draws one ROI with the mouse on a viewer (an event filter on its view's viewport): press,
    drag, release; a polygon is clicked point by point and closed by a double-click. Emits
    ``drawn(name, Roi)``; Esc or a too small drag cancels (``cancelled``)."""

    drawn = Signal(str, object)
    cancelled = Signal()

    def __init__(self, viewer) -> None:
        super().__init__(viewer)
        self.viewer = viewer
        self.name: str | None = None
        self.shape = ""
        self._start: tuple[float, float] | None = None
        self._points: list[tuple[float, float]] = []
        self._preview = pg.PlotCurveItem(pen=pg.mkPen(ROI_HOVER_COLOR, width=2, style=Qt.DashLine))
        self._preview.setZValue(60)

    @property
    def active(self) -> bool:
        return self.name is not None

    def start(self, name: str, shape: str) -> None:
        if shape not in DRAW_SHAPES:
            raise ValueError(f"ROI shape must be one of {', '.join(DRAW_SHAPES)}, got {shape!r}")
        self.name, self.shape, self._start, self._points = name, shape, None, []
        vp = self.viewer.glw.viewport()
        vp.installEventFilter(self)
        vp.setCursor(Qt.CrossCursor)
        if self._preview.scene() is None:
            self.viewer.view.addItem(self._preview, ignoreBounds=True)

    def stop(self) -> None:
        vp = self.viewer.glw.viewport()
        vp.removeEventFilter(self)
        vp.unsetCursor()
        self._preview.setData([], [])
        self.name = None

    def _pos(self, event) -> tuple[float, float]:
        p = self.viewer.view.mapSceneToView(self.viewer.glw.mapToScene(event.position().toPoint()))
        return float(p.x()), float(p.y())

    def _show(self, pts: list[tuple[float, float]]) -> None:
        if pts:
            xs, ys = zip(*pts)
            self._preview.setData(list(xs), list(ys))

    def _outline(self, roi: Roi | None) -> list[tuple[float, float]]:
        if roi is None:
            return []
        pts = [tuple(map(float, p)) for p in roi.points()]
        return pts + pts[:1]

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        kind = event.type()
        if kind == QEvent.KeyPress and event.key() == Qt.Key_Escape:
            self.stop()
            self.cancelled.emit()
            return True
        if kind not in (QEvent.MouseButtonPress, QEvent.MouseMove, QEvent.MouseButtonRelease,
                        QEvent.MouseButtonDblClick):
            return False
        if kind != QEvent.MouseMove and event.button() != Qt.LeftButton:
            return False
        pos = self._pos(event)
        if self.shape == "polygon":
            return self._polygon_event(kind, pos)
        if kind == QEvent.MouseButtonPress:
            self._start = pos
        elif kind == QEvent.MouseMove and self._start is not None:
            self._show(self._outline(roi_from_drag(self.shape, self._start, pos)))
        elif kind == QEvent.MouseButtonRelease and self._start is not None:
            roi = roi_from_drag(self.shape, self._start, pos)
            name = self.name
            self.stop()
            (self.drawn.emit(name, roi) if roi is not None else self.cancelled.emit())
        return True

    def _polygon_event(self, kind, pos) -> bool:
        if kind == QEvent.MouseButtonPress:
            self._points.append(pos)
        elif kind == QEvent.MouseMove and self._points:
            self._show(self._points + [pos, self._points[0]])
        elif kind == QEvent.MouseButtonDblClick:  # the double-click's point closes the polygon
            pts = []
            for p in self._points + [pos]:
                if not pts or math.hypot(p[0] - pts[-1][0], p[1] - pts[-1][1]) > 2:
                    pts.append(p)
            name = self.name
            self.stop()
            (self.drawn.emit(name, Roi.polygon(pts)) if len(pts) >= 3 else self.cancelled.emit())
        return True
