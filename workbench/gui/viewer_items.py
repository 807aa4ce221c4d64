"""Graphics items and small widgets of the image viewer: overlay outlines and labels (drawn in
image coordinates with cosmetic pens), corner text boxes, the ROI rectangle, colours."""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QLabel, QWidget

# Colours of the viewer (theme.py holds the app-wide ones; these are the viewer's own).
BACKGROUND = "#16181b"
REGION_COLOR = "#19d3ff"
ROI_COLOR = "#ffb020"
ROI_HOVER_COLOR = "#ffd480"
MASK_COLOR = "#ff4fa3"
PALETTE = ("#19d3ff", "#ffb020", "#ff4fa3", "#7be05a", "#b18cff", "#ff7a45", "#4de1c1", "#ffe14d",
           "#5c9dff", "#e05ad1")
MAX_LABELS = 400  # more labels than this in view are not drawn (unreadable); zoom in to see them
MAX_INFO_LINES = 24
SHADOW = QColor(0, 0, 0, 170)


def _luma(c: QColor) -> float:
    return 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()


def _text_on(c: QColor) -> QColor:
    return QColor("#101214") if _luma(c) > 140 else QColor("#ffffff")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- overlay graphics items
class _Overlay(pg.GraphicsObject):
    """An overlay item in image coordinates whose drawing reaches a few screen pixels beyond
    its data (cosmetic pens, labels): its bounding rect grows by that margin at any zoom."""

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self._margin = (4.0, 4.0)  # screen px (x, y) around self._rect
        self._br: QRectF | None = None

    def viewTransformChanged(self) -> None:
        super().viewTransformChanged()
        self.prepareGeometryChange()
        self._br = None

    def _set_rect(self, rect: QRectF, margin: tuple[float, float]) -> None:
        self.prepareGeometryChange()
        self._rect, self._margin, self._br = rect, margin, None
        self.update()

    def boundingRect(self) -> QRectF:
        if self._br is None:
            pw, ph = self.pixelWidth() or 1.0, self.pixelHeight() or 1.0
            mx, my = self._margin[0] * pw, self._margin[1] * ph
            self._br = self._rect.adjusted(-mx, -my, mx, my)
        return self._br


class OutlineItem(_Overlay):
    """Polylines/polygons (a QPainterPath) stroked twice: a dark under-stroke, then the colour."""

    def __init__(self) -> None:
        super().__init__()
        self.path = QPainterPath()
        self.pen = pg.mkPen(REGION_COLOR, width=2)
        self.shadow = pg.mkPen(SHADOW, width=4)
        self.fill: QColor | None = None
        self.setZValue(20)

    def set_path(self, path: QPainterPath, color: QColor | str, width: float = 2.0,
                 fill: QColor | None = None) -> None:
        self.path = path
        self.pen = pg.mkPen(color, width=width)
        self.shadow = pg.mkPen(SHADOW, width=width + 2)
        self.fill = fill
        self._set_rect(path.boundingRect(), (width + 2, width + 2))

    def paint(self, p: QPainter, *args) -> None:
        if self.fill is not None:
            p.fillPath(self.path, self.fill)
        p.setBrush(Qt.NoBrush)
        p.setPen(self.shadow)
        p.drawPath(self.path)
        p.setPen(self.pen)
        p.drawPath(self.path)


class LabelsItem(_Overlay):
    """Many short texts at image points, drawn in screen space (constant size, a coloured badge
    each): one item for all the labels of an overlay value."""

    def __init__(self) -> None:
        super().__init__()
        self.points = np.zeros((0, 2), np.float64)
        self.texts: list[str] = []
        self.colors: list[QColor] = []
        self.anchor = "center"  # or "above": the badge sits above-right of the point (box labels)
        self.font = QFont()
        self.font.setPixelSize(12)
        self.font.setBold(True)
        self._fm = QFontMetricsF(self.font)
        self.setZValue(30)

    def set_labels(self, points: np.ndarray, texts: Sequence[str], colors: Sequence[QColor],
                   anchor: str = "center") -> None:
        self.points = np.asarray(points, np.float64).reshape(-1, 2)
        self.texts = [str(s) for s in texts]
        self.colors = list(colors) or [QColor(REGION_COLOR)]
        self.anchor = anchor
        if len(self.points):
            x0, y0 = self.points.min(0)
            x1, y1 = self.points.max(0)
            rect = QRectF(x0, y0, x1 - x0, y1 - y0)
            width = max((self._fm.horizontalAdvance(s) for s in self.texts), default=0) + 12
            height = self._fm.height() + 6
            margin = (width + 4, height + 4) if anchor == "above" else (width / 2 + 4, height / 2 + 4)
        else:
            rect, margin = QRectF(), (0.0, 0.0)
        self._set_rect(rect, margin)

    def paint(self, p: QPainter, option, widget=None) -> None:
        if not len(self.points):
            return
        tr = p.transform()
        pts = [tr.map(QPointF(x, y)) for x, y in self.points]
        view = QRectF(widget.rect()) if widget is not None else None
        if view is not None:
            vis = [i for i, q in enumerate(pts) if view.adjusted(-60, -30, 60, 30).contains(q)]
        else:
            vis = list(range(len(pts)))
        if len(vis) > MAX_LABELS:
            return
        p.save()
        p.resetTransform()
        p.setFont(self.font)
        fm = self._fm
        h = fm.height() + 4
        for i in vis:
            text = self.texts[i] if i < len(self.texts) else str(i)
            col = self.colors[i % len(self.colors)]
            w = fm.horizontalAdvance(text) + 10
            q = pts[i]
            if self.anchor == "above":
                r = QRectF(q.x() - 1, q.y() - h - 1, w, h)
            else:
                r = QRectF(q.x() - w / 2, q.y() - h / 2, w, h)
            bg = QColor(col)
            bg.setAlpha(215)
            p.setPen(QPen(SHADOW, 1))
            p.setBrush(bg)
            p.drawRoundedRect(r, 3, 3)
            p.setPen(_text_on(col))
            p.drawText(r, Qt.AlignCenter, text)
        p.restore()


def _polys_path(polys: Iterable[np.ndarray], closed: bool | None = None) -> QPainterPath:
    """One QPainterPath holding every polyline; closed=None closes those with > 2 points."""
    path = QPainterPath()
    path.setFillRule(Qt.OddEvenFill)
    for poly in polys:
        pts = np.asarray(poly, np.float64).reshape(-1, 2)
        if len(pts) == 0:
            continue
        if len(pts) == 1:
            path.addEllipse(QPointF(pts[0, 0] + 0.5, pts[0, 1] + 0.5), 1.5, 1.5)
            continue
        pts = pts + 0.5  # pixel centres
        sub = QPainterPath()
        sub.moveTo(pts[0, 0], pts[0, 1])
        for x, y in pts[1:]:
            sub.lineTo(x, y)
        if closed or (closed is None and len(pts) > 2):
            sub.closeSubpath()
        path.addPath(sub)
    return path


def _mask_lut(colors: Sequence[QColor], alpha: int = 110) -> np.ndarray:
    """RGBA lookup table for a label map: 0 transparent, k (1..255) → colors[(k - 1) % len]."""
    lut = np.zeros((256, 4), np.uint8)
    for k in range(1, 256):
        c = colors[(k - 1) % len(colors)]
        lut[k] = (c.red(), c.green(), c.blue(), alpha)
    return lut


class _Box(QLabel):
    """A text box in a corner of the view (screen space, mouse-transparent)."""

    STYLE = ("QLabel {{ background: {bg}; color: {fg}; border: 1px solid rgba(255,255,255,45); "
             "border-radius: 5px; padding: {pad}; font-size: {size}px; }}")

    def __init__(self, parent: QWidget, *, bg="rgba(18,20,24,215)", fg="#e8eaed", size=12, pad="4px 8px",
                 mono=False) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setTextFormat(Qt.RichText)
        self.set_style(bg, fg, size, pad)
        if mono:
            f = self.font()
            f.setFamily("monospace")
            f.setStyleHint(QFont.Monospace)
            self.setFont(f)
        self.hide()

    def set_style(self, bg: str, fg: str, size: int = 12, pad: str = "4px 8px") -> None:
        self.setStyleSheet(self.STYLE.format(bg=bg, fg=fg, size=size, pad=pad))


class _RectRoi(pg.RectROI):
    """An editable rectangle with handles on the corners and sides, snapped to whole pixels."""

    def __init__(self, name: str, rect: tuple[float, float, float, float], editable: bool) -> None:
        x, y, w, h = rect
        super().__init__((x, y), (w, h), centered=False, sideScalers=False,
                         pen=pg.mkPen(ROI_COLOR, width=2), hoverPen=pg.mkPen(ROI_HOVER_COLOR, width=3),
                         handlePen=pg.mkPen(ROI_COLOR, width=2), handleHoverPen=pg.mkPen(ROI_HOVER_COLOR, width=2),
                         movable=editable, resizable=editable, rotatable=False, removable=False,
                         translateSnap=True, scaleSnap=True, snapSize=1.0)
        self.name = name
        self.editable = editable
        if editable:
            for pos, center in (([0, 0], [1, 1]), ([1, 0], [0, 1]), ([0, 1], [1, 0]), ([0.5, 0], [0.5, 1]),
                                ([0.5, 1], [0.5, 0]), ([0, 0.5], [1, 0.5]), ([1, 0.5], [0, 0.5])):
                self.addScaleHandle(pos, center)
        else:
            for h in self.getHandles():
                self.removeHandle(h)
        self.label = pg.TextItem(name, color=ROI_COLOR, anchor=(0, 1), fill=pg.mkBrush(18, 20, 24, 190))
        self.label.setParentItem(self)
        self.setZValue(50)


def _plain(html: str) -> str:
    import re

    text = re.sub(r"</tr>", "\n", html)
    text = re.sub(r"<[^>]+>", "", text).replace("&nbsp;", " ")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines())


def _clipboard_set(text: str) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText(text)
