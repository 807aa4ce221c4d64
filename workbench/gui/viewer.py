"""The image viewer (pyqtgraph, row-major): images with overlays, cursor read-out, fit/1:1.

API used by the main window and the operator screen (keep it stable):

    v = ImageViewer(parent, histogram=True)   # histogram=False for the operator screen
    v.set_image(array_or_None)                # BGR / gray / any dtype, row-major (OpenCV layout)
    v.set_overlays([value, ...])              # RegionSet, DetectionSet, Mask (ndarray bool/uint8
                                              # as OverlayMask), MeasurementSet, VerdictResult,
                                              # ClassificationResult, str (OCR text), ...
    v.fit(); v.one_to_one()
    v.cursorInfo -> Signal(str)               # "x=12 y=40  value=(…)" under the mouse
    v.set_roi(name, (x, y, w, h) | None)      # an editable ROI rectangle
    v.roiEdited -> Signal(str, tuple)         # (param name, (x, y, w, h)) after a drag

More (see the methods): ``ImageViewer(parent, histogram=True, toolbar=True)``; ``zoom_by(f)``,
``zoom()``; ``info_at(x, y)``; ``set_levels(lo, hi)``, ``levels()``, ``set_auto_levels(on)``,
``set_histogram_visible(on)``; ``set_roi(name, rect | Roi | None, editable=True)``, ``roi(name)``,
``roi_names()``; ``overlay_items()``, ``overlay_texts()``. :class:`CompareViewer` shows two images
side by side (linked views) or in one view split by a draggable divider.

Display rules. Images arrive in OpenCV layout (row-major, BGR). Colour is converted to RGB here
and only here (``cv2.cvtColor``, about 1 ms for 5 MP). uint8 mono goes to the ImageItem as it is
and its levels fixed at (0, 255), handed to pyqtgraph without levels: a Grayscale8 QImage over
the array, no copy (with levels=(0, 255) pyqtgraph would make it Indexed8, which Qt draws about
half as fast). uint8 colour at the full range also goes without levels (a direct RGB888 QImage;
levels would make pyqtgraph rescale the 15 M values on every frame). bool masks are shown through a uint8 view with
levels (0, 1). uint16 and float take levels from their data (min/max on a subsample; float data
inside [0, 1] gets (0, 1)) once, then keep them while images of the same kind arrive (live tuning
stays steady); "Auto levels" recomputes them on every image. A new image of the same size keeps
the zoom; a new size fits the view.

Overlays are drawn in image coordinates with cosmetic pens (constant screen width) and a dark
under-stroke so that they read on any image. Each call of :meth:`ImageViewer.set_overlays`
reuses the graphics items of the previous call (one outline item per colour, one label item and
one mask item per value) and removes the ones left over, so nothing accumulates. Texts
(measurements, classification, scalars, OCR text, the verdict) go into boxes in the corners of
the view, in screen space: they stay put and readable at any zoom.
"""

from __future__ import annotations

import math
import weakref
from typing import Iterable, Sequence

import cv2
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QKeySequence, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (QButtonGroup, QGraphicsItem, QGraphicsRectItem, QHBoxLayout, QLabel, QMenu,
                               QSizePolicy, QStackedWidget, QToolButton, QVBoxLayout, QWidget)

from workbench.core.params import Roi
from workbench.core.types import (NO_VALUE, ClassificationResult, DetectionSet, MeasurementSet, RegionSet,
                                  VerdictResult)
from workbench.gui.i18n import t
from workbench.gui.theme import NG_COLOR, OK_COLOR
from workbench.runtime.inspection import combine_verdicts

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


from workbench.gui.qtfix import PYSIDE_GUARDS  # noqa: E402,F401  (PySide6 6.12.0 leaks; applied on import)

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


def display_array(image: np.ndarray) -> np.ndarray:
    """The array the ImageItem shows: BGR(A) → RGB(A), bool → uint8 view (0/1), H x W x 1 → H x W.

    Mono arrays are returned as they are (no copy); colour ones are converted with cv2.cvtColor
    where OpenCV supports the dtype, else with a channel-reversed copy."""
    if image.dtype == np.bool_:
        image = image.view(np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        return image
    if image.shape[2] not in (3, 4):
        raise ValueError(f"cannot show an image with {image.shape[2]} channels")
    if image.dtype.type not in (np.uint8, np.uint16, np.float32) and image.dtype.kind in "biuf":
        image = image.astype(np.float32)
    if image.shape[2] == 4 and image.dtype != np.uint8:  # alpha only shown for uint8 images
        image = image[:, :, :3]
    if image.dtype.type in (np.uint8, np.uint16, np.float32):
        code = cv2.COLOR_BGR2RGB if image.shape[2] == 3 else cv2.COLOR_BGRA2RGBA
        return cv2.cvtColor(np.ascontiguousarray(image), code)
    return np.ascontiguousarray(image[..., [2, 1, 0, 3][: image.shape[2]]])


def _minmax(arr: np.ndarray, target: int = 1_000_000) -> tuple[float, float]:
    """Min and max on a strided subsample (at most ~target pixels); NaNs ignored; alpha ignored."""
    h, w = arr.shape[:2]
    s = max(1, int(math.sqrt(h * w / target)))
    sub = arr[::s, ::s]
    if sub.ndim == 3 and sub.shape[2] == 4:
        sub = sub[..., :3]
    if sub.dtype.kind == "f":
        finite = sub[np.isfinite(sub)]
        if finite.size == 0:
            return 0.0, 1.0
        return float(finite.min()), float(finite.max())
    return float(sub.min()), float(sub.max())


def _fmt(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if math.isfinite(v) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4g}"


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


# ---------------------------------------------------------------- the viewer
class _ViewBox(pg.ViewBox):
    """The image view: locked aspect, y down, no padding; our context menu; double-click fits."""

    def __init__(self, owner: "ImageViewer") -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False, defaultPadding=0.0)
        self._owner = weakref.ref(owner)

    def mouseClickEvent(self, ev) -> None:
        owner = self._owner()
        if owner is None:
            return super().mouseClickEvent(ev)
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            owner._context_menu(ev.screenPos().toPoint())
        elif ev.button() == Qt.MouseButton.LeftButton and ev.double():
            ev.accept()
            owner.fit()
        else:
            super().mouseClickEvent(ev)


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


class ImageViewer(QWidget):
    """An image view with zoom/pan, fit and 1:1, cursor read-out, levels, overlays and ROIs."""

    cursorInfo = Signal(str)
    roiEdited = Signal(str, tuple)

    def __init__(self, parent=None, *, histogram: bool = True, toolbar: bool = True) -> None:
        super().__init__(parent)
        self.image: np.ndarray | None = None  # what was given (BGR / gray, any dtype)
        self._disp: np.ndarray | None = None  # what the ImageItem shows (RGB / gray)
        self._levels: tuple[float, float] | None = None
        self._levels_key: tuple | None = None
        self._auto_levels = False
        self._lut: np.ndarray | None = None
        self._hist_user: bool | None = None  # the user's histogram choice; None: automatic
        self._hist_shown = False
        self._guard = False
        self._cursor_pos = None  # last scene position of the mouse inside the view
        self._last_info = ""
        self._rois: dict[str, _RectRoi] = {}
        self._pool: dict[str, list] = {"outline": [], "labels": [], "mask": []}
        self._used: dict[str, int] = {k: 0 for k in self._pool}
        self._texts: dict[str, str] = {}

        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground(BACKGROUND)
        self.glw.ci.layout.setContentsMargins(0, 0, 0, 0)
        self.glw.ci.layout.setSpacing(0)
        self.view = _ViewBox(self)
        self.glw.ci.addItem(self.view, row=0, col=0)
        self.item = pg.ImageItem()
        self.view.addItem(self.item)
        self.hist: pg.HistogramLUTItem | None = None
        if histogram:
            self.hist = pg.HistogramLUTItem(levelMode="mono")
            self.hist.setMaximumWidth(110)
            self.hist.sigLevelsChanged.connect(self._on_hist_levels)
            self.hist.sigLookupTableChanged.connect(self._on_hist_lut)

        # boxes in the corners of the view
        vp = self.glw
        self._info_box = _Box(vp)
        self._text_box = _Box(vp, size=15, mono=True)
        self._verdict_box = _Box(vp)
        self._cursor_box = _Box(vp, bg="rgba(18,20,24,190)", size=11, pad="2px 6px", mono=True)
        self._empty = QLabel(t("No image"), vp)
        self._empty.setAttribute(Qt.WA_TransparentForMouseEvents)
        self._empty.setStyleSheet("color: #6c717a; font-size: 14px;")

        self._actions()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.toolbar: QWidget | None = self._make_toolbar() if toolbar else None
        if self.toolbar is not None:
            lay.addWidget(self.toolbar)
        lay.addWidget(self.glw, 1)

        self.glw.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.glw.viewport().installEventFilter(self)
        self.glw.installEventFilter(self)
        self.view.sigResized.connect(self._place_boxes)
        self.view.sigRangeChanged.connect(self._on_range_changed)
        self._place_boxes()

    # ------------------------------------------------------------ actions, toolbar, menu
    def _actions(self) -> None:
        def act(text: str, keys, slot, checkable: bool = False) -> QAction:
            a = QAction(text, self)
            if keys:
                a.setShortcuts([QKeySequence(k) for k in keys])
                a.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            a.setCheckable(checkable)
            (a.toggled if checkable else a.triggered).connect(slot)
            self.addAction(a)
            return a

        self.act_fit = act("", ["F"], lambda *_: self.fit())
        self.act_one = act("", ["1"], lambda *_: self.one_to_one())
        self.act_zoom_in = act("", ["+", "="], lambda *_: self.zoom_by(1.25))
        self.act_zoom_out = act("", ["-"], lambda *_: self.zoom_by(0.8))
        self.act_auto = act("", [], self.set_auto_levels, checkable=True)
        self.act_hist = act("", [], self._on_hist_toggled, checkable=True)
        self._set_texts()
        self.act_hist.setVisible(self.hist is not None)

    def _set_texts(self) -> None:
        self.act_fit.setText(t("Fit"))
        self.act_fit.setToolTip(t("Fit the image into the view (F, or double-click)"))
        self.act_one.setText(t("1:1"))
        self.act_one.setToolTip(t("One image pixel per screen pixel (1)"))
        self.act_zoom_in.setText(t("Zoom in"))
        self.act_zoom_out.setText(t("Zoom out"))
        self.act_auto.setText(t("Auto levels"))
        self.act_auto.setToolTip(t("Stretch the levels to the minimum and maximum of every new image"))
        self.act_hist.setText(t("Histogram"))
        self.act_hist.setToolTip(t("Show the histogram and drag the display levels"))
        if getattr(self, "zoom_label", None) is not None:
            self.zoom_label.setToolTip(t("Zoom: screen pixels per image pixel"))
        if getattr(self, "_empty", None) is not None:
            self._empty.setText(t("No image"))

    def retranslate(self) -> None:
        """Re-read the texts after a language switch."""
        self._set_texts()

    def _make_toolbar(self) -> QWidget:
        bar = QWidget(self)
        bar.setObjectName("viewerToolbar")
        h = QHBoxLayout(bar)
        h.setContentsMargins(4, 2, 4, 2)
        h.setSpacing(2)
        for a in (self.act_fit, self.act_one):
            b = QToolButton(bar)
            b.setDefaultAction(a)
            b.setAutoRaise(True)
            h.addWidget(b)
        self.zoom_label = QLabel("", bar)
        self.zoom_label.setMinimumWidth(52)
        self.zoom_label.setToolTip(t("Zoom: screen pixels per image pixel"))
        h.addWidget(self.zoom_label)
        h.addStretch(1)
        for a in (self.act_auto, self.act_hist):
            b = QToolButton(bar)
            b.setDefaultAction(a)
            b.setAutoRaise(True)
            b.setVisible(a.isVisible())
            h.addWidget(b)
        bar.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        return bar

    def _context_menu(self, pos: QPoint) -> None:
        m = QMenu(self)
        m.addActions([self.act_fit, self.act_one, self.act_zoom_in, self.act_zoom_out])
        m.addSeparator()
        m.addAction(self.act_auto)
        if self.hist is not None:
            m.addAction(self.act_hist)
        if self._last_info:
            m.addSeparator()
            info = self._last_info
            m.addAction(t("Copy pixel value"), lambda: _clipboard_set(info))
        m.popup(pos)

    # ------------------------------------------------------------ image
    def set_image(self, image: np.ndarray | None) -> None:
        """Show an image (OpenCV layout: row-major, BGR / BGRA / mono; uint8, uint16, float, bool).
        None clears. The zoom is kept when the size does not change; a new size fits the view."""
        old = None if self.image is None else self.image.shape[:2]
        if image is None or image is NO_VALUE:
            self.image = self._disp = None
            self.item.clear()
            self._empty.show()
            self._refresh_cursor()
            return
        image = np.asarray(image)
        if image.ndim not in (2, 3) or image.size == 0:
            raise ValueError(f"cannot show an array of shape {image.shape}")
        disp = display_array(image)
        self.image, self._disp = image, disp
        key = (image.dtype.str, disp.ndim, disp.shape[2] if disp.ndim == 3 else 1)
        if self._auto_levels or key != self._levels_key or self._levels is None:
            self._levels = self._compute_levels(image, disp)
            self._levels_key = key
        self._show()
        self._empty.hide()
        if old != image.shape[:2]:
            self._on_new_size()
        self._update_hist()
        self._refresh_cursor()

    def _compute_levels(self, image: np.ndarray, disp: np.ndarray) -> tuple[float, float]:
        if self._auto_levels:
            lo, hi = _minmax(disp)
        elif image.dtype == np.bool_:
            lo, hi = 0.0, 1.0
        elif disp.dtype == np.uint8:
            lo, hi = 0.0, 255.0
        else:
            lo, hi = _minmax(disp)
            if disp.dtype.kind == "f" and lo >= 0.0 and hi <= 1.0:
                lo, hi = 0.0, 1.0
        if not hi > lo:
            hi = lo + 1.0
        return float(lo), float(hi)

    def _item_levels(self):
        d = self._disp
        if (d is not None and d.dtype == np.uint8 and self._levels == (0.0, 255.0)
                and (d.ndim == 3 or self._lut is None)):
            # full-range uint8: a QImage straight over the array (Grayscale8 / RGB888 / RGBA8888).
            # With levels, pyqtgraph rescales colour data on every frame, and mono becomes an
            # Indexed8 image that Qt draws about half as fast.
            return None
        return self._levels

    def _show(self) -> None:
        d = self._disp
        lut = self._lut if d.ndim == 2 else None
        self.item.setImage(d, autoLevels=False, levels=self._item_levels(), lut=lut)

    def _on_new_size(self) -> None:
        h, w = self.image.shape[:2]
        for roi in self._rois.values():
            roi.maxBounds = QRectF(0, 0, w, h)
        self.fit()

    # ------------------------------------------------------------ view
    def fit(self) -> None:
        """Show the whole image (and keep fitting while the widget resizes, until the user zooms)."""
        self.view.enableAutoRange()
        if self.image is not None:
            h, w = self.image.shape[:2]
            self.view.setRange(QRectF(0, 0, w, h), padding=0.0)
            self.view.enableAutoRange()

    def one_to_one(self) -> None:
        """One image pixel = one screen pixel, around the centre of the view."""
        vb = self.view
        if vb.width() <= 0 or vb.height() <= 0:
            return
        c = vb.viewRect().center()
        if self.image is not None and self.view.autoRangeEnabled()[0]:
            h, w = self.image.shape[:2]
            c = QPointF(w / 2, h / 2)
        vb.disableAutoRange()
        w, h = vb.width(), vb.height()
        vb.setRange(QRectF(c.x() - w / 2, c.y() - h / 2, w, h), padding=0.0)

    def zoom_by(self, factor: float) -> None:
        """Zoom in (factor > 1) or out around the centre of the view."""
        self.view.disableAutoRange()
        self.view.scaleBy((1.0 / factor, 1.0 / factor))

    def zoom(self) -> float:
        """Screen pixels per image pixel (1.0 at 1:1)."""
        px = self.view.viewPixelSize()[0]
        return 1.0 / px if px > 0 else 0.0

    def _on_range_changed(self, *_) -> None:
        if self.toolbar is not None:
            z = self.zoom()
            self.zoom_label.setText(f"{z * 100:.0f} %" if z >= 0.1 else f"{z * 100:.1f} %")
        self._place_boxes()

    # ------------------------------------------------------------ levels and histogram
    def levels(self) -> tuple[float, float] | None:
        """The display levels (black, white) of the current image."""
        return self._levels

    def set_levels(self, lo: float, hi: float) -> None:
        """Fix the display levels (turns auto levels off); kept for the next images of the same kind."""
        if self._auto_levels:
            self.act_auto.setChecked(False)
        self._levels = (float(lo), float(hi) if hi > lo else float(lo) + 1.0)
        if self._disp is not None:
            self.item.setLevels(self._item_levels())
            self._update_hist_region()

    def auto_levels(self) -> bool:
        return self._auto_levels

    def set_auto_levels(self, on: bool) -> None:
        """Auto levels: stretch every new image from its minimum to its maximum."""
        on = bool(on)
        if self.act_auto.isChecked() != on:
            self.act_auto.setChecked(on)  # comes back here through toggled
            return
        self._auto_levels = on
        if self.image is not None:
            self._levels = self._compute_levels(self.image, self._disp)
            self._show()
            self._update_hist()

    def histogram_visible(self) -> bool:
        return self._hist_shown

    def set_histogram_visible(self, on: bool | None) -> None:
        """Show or hide the histogram/levels panel (None: automatic, shown for non-uint8 images)."""
        if self.hist is None:
            return
        self._hist_user = on
        self._update_hist()

    def _on_hist_toggled(self, on: bool) -> None:
        if not self._guard:
            self.set_histogram_visible(on)

    def _update_hist(self) -> None:
        if self.hist is None:
            return
        want = self._hist_user
        if want is None:
            want = self.image is not None and self.image.dtype not in (np.uint8, np.bool_)
        if want != self._hist_shown:
            if want:
                self.glw.ci.addItem(self.hist, row=0, col=1)
            else:
                self.glw.ci.removeItem(self.hist)
            self.hist.setVisible(want)
            self._hist_shown = want
            self._guard = True
            self.act_hist.setChecked(want)
            self._guard = False
        if not want or self._disp is None:
            return
        d = self._disp
        h, w = d.shape[:2]
        s = max(1, int(math.sqrt(h * w / 250_000)))
        sub = d[::s, ::s]
        if sub.ndim == 3:
            sub = sub[..., :3]
        if sub.dtype == np.uint8:
            counts = np.bincount(sub.ravel(), minlength=256).astype(np.float64)
            x = np.arange(256, dtype=np.float64)
        else:
            vals = sub[np.isfinite(sub)] if sub.dtype.kind == "f" else sub.ravel()
            lo, hi = (float(vals.min()), float(vals.max())) if vals.size else (0.0, 1.0)
            counts, edges = np.histogram(vals, bins=256, range=(lo, hi if hi > lo else lo + 1))
            x = edges[:-1]
        self.hist.plot.setData(x, counts)
        self._update_hist_region()

    def _update_hist_region(self) -> None:
        if self.hist is None or not self._hist_shown or self._levels is None:
            return
        self._guard = True
        try:
            self.hist.region.setRegion(self._levels)
        finally:
            self._guard = False

    def _on_hist_levels(self, *_) -> None:
        if self._guard or self._disp is None:
            return
        lo, hi = self.hist.getLevels()
        self.set_levels(lo, hi)

    def _on_hist_lut(self, *_) -> None:
        self._lut = None if self.hist.gradient.isLookupTrivial() else self.hist.getLookupTable(n=256)
        if self._disp is not None and self._disp.ndim == 2:
            self._show()

    # ------------------------------------------------------------ cursor read-out
    def _info_image(self, x: float, y: float) -> np.ndarray | None:
        """The image whose value is read at (x, y) (the split view of CompareViewer overrides this)."""
        return self.image

    def info_at(self, x: float, y: float) -> str:
        """The read-out for image coordinates (x, y): "x=12 y=40  value=128" (mono) or
        "x=12 y=40  B,G,R=(12, 34, 56)"; "" outside the image."""
        img = self._info_image(x, y)
        if img is None:
            return ""
        xi, yi = int(math.floor(x)), int(math.floor(y))
        h, w = img.shape[:2]
        if not (0 <= xi < w and 0 <= yi < h):
            return ""
        v = img[yi, xi]
        if img.ndim == 2 or img.shape[2] == 1:
            return f"x={xi} y={yi}  {t('value')}={_fmt(np.ravel(v)[0])}"
        names = "B,G,R" if img.shape[2] == 3 else "B,G,R,A" if img.shape[2] == 4 else t("value")
        return f"x={xi} y={yi}  {names}=({', '.join(_fmt(c) for c in v)})"

    def _on_mouse_moved(self, pos) -> None:
        if self.view.sceneBoundingRect().contains(pos):
            self._cursor_pos = pos
            p = self.view.mapSceneToView(pos)
            self._set_cursor_text(self.info_at(p.x(), p.y()))
        else:
            self._cursor_pos = None
            self._set_cursor_text("")

    def _refresh_cursor(self) -> None:
        if self._cursor_pos is None:
            self._set_cursor_text("")
        else:
            self._on_mouse_moved(self._cursor_pos)

    def _set_cursor_text(self, text: str) -> None:
        self._cursor_box.setText(_html(text))
        self._cursor_box.setVisible(bool(text))
        if text:
            self._cursor_box.adjustSize()
            self._place_boxes()
        if text != self._last_info:
            self._last_info = text
            self.cursorInfo.emit(text)

    def cursor_text(self) -> str:
        """What the read-out label shows now ("" when the mouse is not over the image)."""
        return self._last_info

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if ev.type() == QEvent.Leave:
            self._cursor_pos = None
            self._set_cursor_text("")
        elif ev.type() == QEvent.Resize and obj is self.glw:
            self._place_boxes()
        return False

    # ------------------------------------------------------------ overlays
    def set_overlays(self, values: Iterable | None) -> None:
        """Draw overlays for result values, replacing the previous ones: RegionSet (contours +
        index labels), DetectionSet (boxes or polygons, label + score, masks), a 2-D bool/uint8
        array (a mask: semi-transparent fill), MeasurementSet (text, top left), VerdictResult (OK /
        NG banner with reasons, top right), ClassificationResult (label + score), str (OCR text,
        bottom left), int/float/bool (text). None / NO_VALUE / unknown values are skipped."""
        self._used = {k: 0 for k in self._pool}
        info: list[str] = []
        texts: list[str] = []
        verdicts: list[VerdictResult] = []
        n_mask = 0
        for v in values or ():
            if v is None or v is NO_VALUE:
                continue
            if isinstance(v, RegionSet):
                self._draw_regions(v)
            elif isinstance(v, DetectionSet):
                self._draw_detections(v)
            elif isinstance(v, np.ndarray):
                if v.ndim == 2 or (v.ndim == 3 and v.shape[2] == 1):
                    self._draw_mask(v.reshape(v.shape[:2]), [QColor(PALETTE[(2 + n_mask) % len(PALETTE)])])
                    n_mask += 1
            elif isinstance(v, MeasurementSet):
                info += [self._measure_row(k, x, v.units.get(k, "")) for k, x in v.values.items()]
            elif isinstance(v, VerdictResult):
                verdicts.append(v)
            elif isinstance(v, ClassificationResult):
                info.append(f"<tr><td><b>{_html(str(v.label))}</b></td>"
                            f"<td align='right'>&nbsp;{v.score:.3f}</td><td></td></tr>")
            elif isinstance(v, str):
                if v.strip():
                    texts.append(v)
            elif isinstance(v, (bool, np.bool_)):
                info.append(f"<tr><td colspan='3'>{t('true') if v else t('false')}</td></tr>")
            elif isinstance(v, (int, float, np.integer, np.floating)):
                info.append(f"<tr><td colspan='3'>{_fmt(v)}</td></tr>")
        for kind, items in self._pool.items():  # drop what this call did not reuse
            for it in items[self._used[kind]:]:
                self.view.removeItem(it)
            del items[self._used[kind]:]
        self._set_info(info)
        self._set_text(texts)
        self._set_verdict(verdicts)
        self._place_boxes()

    def _take(self, kind: str):
        items = self._pool[kind]
        i = self._used[kind]
        self._used[kind] = i + 1
        if i < len(items):
            return items[i]
        if kind == "outline":
            it = OutlineItem()
        elif kind == "labels":
            it = LabelsItem()
        else:
            it = pg.ImageItem()
            it.setZValue(10)
        self.view.addItem(it, ignoreBounds=True)
        items.append(it)
        return it

    def overlay_items(self) -> list[QGraphicsItem]:
        """The graphics items of the current overlays (image space), in drawing order."""
        return [it for kind in ("mask", "outline", "labels") for it in self._pool[kind]]

    def overlay_texts(self) -> dict[str, str]:
        """The plain texts of the corner boxes shown now: keys "info", "text", "verdict"."""
        return dict(self._texts)

    def _draw_regions(self, rs: RegionSet) -> None:
        if not len(rs):
            return
        color = QColor(REGION_COLOR)
        fill = QColor(color)
        fill.setAlpha(30)
        contours = [np.asarray(c).reshape(-1, 2) for c in rs.contours]
        self._take("outline").set_path(_polys_path(contours), color, 2.0, fill)
        pts, texts = [], []
        for i, c in enumerate(contours):
            st = rs.stats[i] if i < len(rs.stats) else {}
            if "cx" in st and "cy" in st:
                pts.append((st["cx"] + 0.5, st["cy"] + 0.5))
            elif len(c):
                pts.append(tuple(c.mean(0) + 0.5))
            else:
                continue
            if len(c) == 2 and ("distance" in st or "length" in st):  # a measured segment
                texts.append(_fmt(st.get("distance", st.get("length"))))
            else:
                texts.append(str(i))
        self._take("labels").set_labels(np.array(pts), texts, [color])

    def _draw_detections(self, ds: DetectionSet) -> None:
        n = len(ds)
        if not n:
            return
        ids = np.asarray(ds.class_ids).reshape(-1)
        colors = [QColor(PALETTE[int(ids[i]) % len(PALETTE)] if i < len(ids) else PALETTE[0]) for i in range(n)]
        if ds.masks:
            shape = self.image.shape[:2] if self.image is not None else ds.masks[0].shape[:2]
            lab = np.zeros(shape, np.uint8)
            for i, m in enumerate(ds.masks[:n]):
                if m is not None and m.shape[:2] == shape:
                    lab[np.asarray(m) > 0] = (int(ids[i]) % len(PALETTE)) + 1 if i < len(ids) else 1
            if lab.any():
                it = self._take("mask")
                it.setImage(lab, autoLevels=False, levels=None, lut=_mask_lut([QColor(c) for c in PALETTE]))
        groups: dict[str, list[np.ndarray]] = {}
        for i in range(n):
            poly = ds.polygons[i] if ds.polygons is not None and i < len(ds.polygons) else None
            if poly is not None and len(poly) >= 3:
                shape = np.asarray(poly, np.float64).reshape(-1, 2) - 0.5  # _polys_path adds 0.5
            else:
                x1, y1, x2, y2 = (float(c) for c in ds.boxes[i])
                shape = np.array([[x1, y1], [x2, y1], [x2, y2], [x1, y2]]) - 0.5
            groups.setdefault(colors[i].name(), []).append(shape)
        for name, polys in groups.items():
            self._take("outline").set_path(_polys_path(polys, closed=True), QColor(name), 2.0)
        texts = []
        for i in range(n):
            label = ds.labels[i] if i < len(ds.labels) else str(int(ids[i]) if i < len(ids) else i)
            score = float(ds.scores[i]) if i < len(ds.scores) else None
            texts.append(f"{label} {score:.2f}" if score is not None else str(label))
        corners = np.asarray(ds.boxes, np.float64).reshape(-1, 4)[:, :2]
        self._take("labels").set_labels(corners, texts, colors, anchor="above")

    def _draw_mask(self, mask: np.ndarray, colors: list[QColor]) -> None:
        if mask.dtype == np.bool_:
            m = mask.view(np.uint8)
        elif mask.dtype == np.uint8:
            m = mask
        else:
            m = (mask != 0).view(np.uint8)
        lut = np.zeros((256, 4), np.uint8)
        c = colors[0]
        lut[1:] = (c.red(), c.green(), c.blue(), 110)
        self._take("mask").setImage(np.ascontiguousarray(m), autoLevels=False, levels=None, lut=lut)

    @staticmethod
    def _measure_row(name: str, value: float, unit: str) -> str:
        return (f"<tr><td>{_html(name)}</td><td align='right'>&nbsp;&nbsp;<b>{_fmt(value)}</b></td>"
                f"<td>&nbsp;{_html(unit)}</td></tr>")

    def _set_info(self, rows: list[str]) -> None:
        if not rows:
            self._info_box.hide()
            self._texts.pop("info", None)
            return
        more = len(rows) - MAX_INFO_LINES
        if more > 0:
            rows = rows[:MAX_INFO_LINES] + [f"<tr><td colspan='3'><i>… {more} {t('more')}</i></td></tr>"]
        html = "<table cellspacing='0' cellpadding='1'>" + "".join(rows) + "</table>"
        self._info_box.setText(html)
        self._info_box.adjustSize()
        self._info_box.show()
        self._texts["info"] = _plain(html)

    def _set_text(self, texts: list[str]) -> None:
        if not texts:
            self._text_box.hide()
            self._texts.pop("text", None)
            return
        plain = "\n".join(texts)
        self._text_box.setText(_html(plain).replace("\n", "<br>"))
        self._text_box.adjustSize()
        self._text_box.show()
        self._texts["text"] = plain

    def _set_verdict(self, verdicts: list[VerdictResult]) -> None:
        if not verdicts:
            self._verdict_box.hide()
            self._texts.pop("verdict", None)
            return
        label, reasons = combine_verdicts(verdicts)
        color = QColor(OK_COLOR if label == "OK" else NG_COLOR)
        bg = f"rgba({color.red()},{color.green()},{color.blue()},225)"
        html = f"<div style='font-size:34px; font-weight:800; letter-spacing:2px'>{label}</div>"
        if reasons:
            shown = reasons[:6] + ([f"… {len(reasons) - 6} {t('more')}"] if len(reasons) > 6 else [])
            html += "".join(f"<div style='font-size:12px'>{_html(r)}</div>" for r in shown)
        self._verdict_box.set_style(bg, "#ffffff", 12, "2px 14px 6px 14px")
        self._verdict_box.setAlignment(Qt.AlignCenter if not reasons else Qt.AlignLeft)
        self._verdict_box.setText(html)
        self._verdict_box.adjustSize()
        self._verdict_box.show()
        self._texts["verdict"] = "\n".join([label, *reasons])

    def _place_boxes(self, *_) -> None:
        r = self.glw.mapFromScene(self.view.sceneBoundingRect()).boundingRect()
        r.translate(self.glw.viewport().pos())
        m = 8
        self._info_box.move(r.left() + m, r.top() + m)
        self._verdict_box.move(r.right() - m - self._verdict_box.width(), r.top() + m)
        self._text_box.move(r.left() + m, r.bottom() - m - self._text_box.height())
        self._cursor_box.move(r.right() - m - self._cursor_box.width(), r.bottom() - m - self._cursor_box.height())
        self._empty.adjustSize()
        self._empty.move(r.center().x() - self._empty.width() // 2, r.center().y() - self._empty.height() // 2)
        for b in (self._info_box, self._verdict_box, self._text_box, self._cursor_box, self._empty):
            b.raise_()

    # ------------------------------------------------------------ ROIs
    def set_roi(self, name: str, rect, editable: bool = True) -> None:
        """Show the rectangle ROI `name` at (x, y, w, h) (a tuple or a rect Roi); None removes it.
        An editable ROI can be dragged and resized; when a drag ends, roiEdited(name, (x, y, w, h))
        is emitted with ints clamped to the image."""
        old = self._rois.get(name)
        if rect is None:
            if old is not None:
                self.view.removeItem(old)
                del self._rois[name]
            return
        if isinstance(rect, Roi):
            if rect.shape != "rect":
                x, y, w, h = rect.bounds((1 << 30, 1 << 30))
                rect, editable = (x, y, w, h), False  # other shapes: shown by their bounding box, read-only
            else:
                rect = rect.values
        x, y, w, h = (float(v) for v in rect)
        if old is not None and old.editable != editable:
            self.view.removeItem(old)
            old = None
        if old is None:
            roi = _RectRoi(name, (x, y, max(w, 1.0), max(h, 1.0)), editable)
            if self.image is not None:
                roi.maxBounds = QRectF(0, 0, self.image.shape[1], self.image.shape[0])
            roi.sigRegionChangeFinished.connect(lambda _r, n=name: self._roi_finished(n))
            self.view.addItem(roi, ignoreBounds=True)
            self._rois[name] = roi
        else:
            old.setPos((x, y), update=False, finish=False)
            old.setSize((max(w, 1.0), max(h, 1.0)), finish=False)

    def roi(self, name: str) -> pg.ROI | None:
        return self._rois.get(name)

    def roi_names(self) -> list[str]:
        return list(self._rois)

    def roi_rect(self, name: str) -> tuple[int, int, int, int] | None:
        """The ROI as ints clamped to the image (what roiEdited reports)."""
        roi = self._rois.get(name)
        if roi is None:
            return None
        pos, size = roi.pos(), roi.size()
        x0, y0 = round(pos.x()), round(pos.y())
        x1, y1 = x0 + max(1, round(size.x())), y0 + max(1, round(size.y()))
        if self.image is not None:
            H, W = self.image.shape[:2]
            x0, x1 = min(max(x0, 0), W - 1), min(max(x1, 0), W)
            y0, y1 = min(max(y0, 0), H - 1), min(max(y1, 0), H)
        return int(x0), int(y0), int(max(1, x1 - x0)), int(max(1, y1 - y0))

    def _roi_finished(self, name: str) -> None:
        roi = self._rois.get(name)
        if roi is None:
            return
        rect = self.roi_rect(name)
        x, y, w, h = rect
        pos, size = roi.pos(), roi.size()
        if (pos.x(), pos.y(), size.x(), size.y()) != (x, y, w, h):  # show what is reported
            roi.setPos((x, y), update=False, finish=False)
            roi.setSize((w, h), finish=False)
        self.roiEdited.emit(name, rect)


def _plain(html: str) -> str:
    import re

    text = re.sub(r"</tr>", "\n", html)
    text = re.sub(r"<[^>]+>", "", text).replace("&nbsp;", " ")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines())


def _clipboard_set(text: str) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.clipboard().setText(text)


# ---------------------------------------------------------------- compare
class _SplitViewer(ImageViewer):
    """One view: image a left of a draggable divider, image b right of it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, histogram=False, toolbar=False)
        self.image_b: np.ndarray | None = None
        self._clip = QGraphicsRectItem()
        self._clip.setFlag(QGraphicsItem.ItemClipsChildrenToShape)
        self._clip.setPen(QPen(Qt.NoPen))
        self._clip.setZValue(1)
        self.item_b = pg.ImageItem()
        self.item_b.setParentItem(self._clip)
        self.view.addItem(self._clip, ignoreBounds=True)
        self.divider = pg.InfiniteLine(pos=0, angle=90, movable=True,
                                       pen=pg.mkPen("#ffffff", width=2), hoverPen=pg.mkPen(ROI_COLOR, width=3))
        self.divider.setZValue(40)
        self.divider.setCursor(Qt.SplitHCursor)
        self.view.addItem(self.divider, ignoreBounds=True)
        self.divider.sigPositionChanged.connect(self._update_clip)

    def set_pair(self, a: np.ndarray | None, b: np.ndarray | None) -> None:
        old = None if self.image is None else self.image.shape[:2]
        frac = None
        if old is not None and old[1] > 0:
            frac = self.divider.value() / old[1]
        self.set_image(a)
        self.image_b = None if b is None or b is NO_VALUE else np.asarray(b)
        if self.image_b is None:
            self.item_b.clear()
        else:
            d = display_array(self.image_b)
            same = self._disp is not None and d.dtype == self._disp.dtype and d.ndim == self._disp.ndim
            lv = self._item_levels() if same else None
            if lv is None and not (d.dtype == np.uint8 and d.ndim == 3):
                lo, hi = (0.0, 255.0) if d.dtype == np.uint8 else _minmax(d)
                lv = (lo, hi if hi > lo else lo + 1)
            self.item_b.setImage(d, autoLevels=False, levels=lv)
        shape = self.image.shape[:2] if self.image is not None else (
            self.image_b.shape[:2] if self.image_b is not None else (0, 0))
        w = shape[1]
        self.divider.setBounds((0, w))
        if old != shape or frac is None:
            self.divider.setValue(w / 2)
        else:
            self.divider.setValue(frac * w)
        self._update_clip()

    def _update_clip(self, *_) -> None:
        x = self.divider.value()
        hb, wb = self.image_b.shape[:2] if self.image_b is not None else (0, 0)
        self._clip.setRect(QRectF(x, 0, max(0.0, wb - x), hb))

    def _info_image(self, x: float, y: float) -> np.ndarray | None:
        if self.image_b is not None and x >= self.divider.value():
            return self.image_b
        return self.image


class CompareViewer(QWidget):
    """Two images compared: side by side in two linked views, or split in one view by a
    draggable vertical divider (a on the left, b on the right)."""

    cursorInfo = Signal(str)
    MODES = ("side", "split")

    def __init__(self, parent=None, *, histogram: bool = False) -> None:
        super().__init__(parent)
        self._mode = "side"
        self._titles = ("", "")
        self.viewer_a = ImageViewer(histogram=histogram)
        self.viewer_b = ImageViewer(histogram=histogram)
        self.viewer_b.view.setXLink(self.viewer_a.view)
        self.viewer_b.view.setYLink(self.viewer_a.view)
        self.split_viewer = _SplitViewer()
        for v in (self.viewer_a, self.viewer_b, self.split_viewer):
            v.cursorInfo.connect(self.cursorInfo)

        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 2)
        self.btn_side = QToolButton(text=t("Side by side"), checkable=True, autoRaise=True)
        self.btn_split = QToolButton(text=t("Split"), checkable=True, autoRaise=True)
        self.btn_side.setToolTip(t("Two views, zoom and pan linked"))
        self.btn_split.setToolTip(t("One view; drag the divider to compare"))
        group = QButtonGroup(self)
        group.setExclusive(True)
        for b in (self.btn_side, self.btn_split):
            group.addButton(b)
            bar.addWidget(b)
        self.btn_side.setChecked(True)
        self.btn_side.clicked.connect(lambda: self.set_mode("side"))
        self.btn_split.clicked.connect(lambda: self.set_mode("split"))
        self.split_title = QLabel("")
        bar.addSpacing(12)
        bar.addWidget(self.split_title, 1)

        side = QWidget()
        h = QHBoxLayout(side)
        h.setContentsMargins(0, 0, 0, 0)
        h.setSpacing(4)
        self.title_a, self.title_b = QLabel(""), QLabel("")
        for title, viewer in ((self.title_a, self.viewer_a), (self.title_b, self.viewer_b)):
            col = QVBoxLayout()
            col.setSpacing(0)
            title.setStyleSheet("font-weight: 600; padding: 2px 6px;")
            col.addWidget(title)
            col.addWidget(viewer, 1)
            h.addLayout(col, 1)
        self.stack = QStackedWidget()
        self.stack.addWidget(side)
        self.stack.addWidget(self.split_viewer)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)
        self._a = self._b = None

    def retranslate(self) -> None:
        self.btn_side.setText(t("Side by side"))
        self.btn_split.setText(t("Split"))
        self.btn_side.setToolTip(t("Two views, zoom and pan linked"))
        self.btn_split.setToolTip(t("One view; drag the divider to compare"))
        for v in (self.viewer_a, self.viewer_b, self.split_viewer):
            if hasattr(v, "retranslate"):
                v.retranslate()

    def set_images(self, a: np.ndarray | None, b: np.ndarray | None, title_a: str = "", title_b: str = "") -> None:
        """Show a and b (OpenCV layout, any dtype). Zoom is kept while the sizes stay the same."""
        self._a, self._b = a, b
        self._titles = (title_a, title_b)
        self.title_a.setText(title_a)
        self.title_b.setText(title_b)
        self.split_title.setText(f"◀ {title_a}   |   {title_b} ▶" if (title_a or title_b) else "")
        self.split_title.setVisible(self._mode == "split")
        shape_b = None if self.viewer_b.image is None else self.viewer_b.image.shape[:2]
        self.viewer_b.set_image(b)  # a new size fits b, and through the link moves a's view
        self.viewer_a.set_image(a)
        if self.viewer_b.image is not None and self.viewer_b.image.shape[:2] != shape_b:
            self.viewer_a.fit()  # a's fit rules (b follows it through the link)
        self.split_viewer.set_pair(a, b)

    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        """"side": two linked views; "split": one view with a draggable divider."""
        if mode not in self.MODES:
            raise ValueError(f"compare mode must be one of {', '.join(self.MODES)}, got {mode!r}")
        if mode == self._mode:
            return
        src, dst = ((self.viewer_a, self.split_viewer) if mode == "split" else (self.split_viewer, self.viewer_a))
        rect = src.view.viewRect()
        auto = src.view.autoRangeEnabled()[0]
        self._mode = mode
        self.stack.setCurrentIndex(self.MODES.index(mode))
        self.btn_side.setChecked(mode == "side")
        self.btn_split.setChecked(mode == "split")
        self.split_title.setVisible(mode == "split")
        if auto:
            dst.fit()
        else:
            dst.view.disableAutoRange()
            dst.view.setRange(rect, padding=0.0)

    @property
    def left(self) -> ImageViewer:
        return self.viewer_a

    @property
    def right(self) -> ImageViewer:
        return self.viewer_b

    def current_viewers(self) -> list[ImageViewer]:
        return [self.viewer_a, self.viewer_b] if self._mode == "side" else [self.split_viewer]

    def fit(self) -> None:
        self.current_viewers()[0].fit()  # the side view's partner follows through the link

    def one_to_one(self) -> None:
        self.current_viewers()[0].one_to_one()

    def set_divider(self, x: float) -> None:
        """Divider position of the split mode, in image pixels from the left."""
        self.split_viewer.divider.setValue(x)

    def divider(self) -> float:
        return float(self.split_viewer.divider.value())
