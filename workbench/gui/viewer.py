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

Where the parts live: ``viewer_display.py`` (Qt-free: the displayed array, levels, number text),
``viewer_items.py`` (graphics items, corner boxes, the ROI rectangle, colours),
``viewer_overlays.py`` (the table from result type to draw function), ``compare_viewer.py``;
this module keeps the widget itself: image, zoom, levels and histogram, cursor read-out, ROIs.

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

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from workbench.core.params import Roi
from workbench.core.types import NO_VALUE
from workbench.gui.i18n import t
from workbench.gui.viewer_display import _fmt, _minmax, compute_levels, display_array  # noqa: F401 (re-exported)
from workbench.gui.viewer_items import (BACKGROUND, PALETTE, ROI_COLOR, LabelsItem, OutlineItem,  # noqa: F401
                                        _Box, _clipboard_set, _html, _RectRoi)
from workbench.gui.viewer_overlays import OverlayMixin

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


from workbench.gui.qtfix import PYSIDE_GUARDS  # noqa: E402,F401  (PySide6 6.12.0 leaks; applied on import)


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


class ImageViewer(OverlayMixin, QWidget):
    """An image view with zoom/pan, fit and 1:1, cursor read-out, levels, overlays and ROIs."""

    cursorInfo = Signal(str)
    roiEdited = Signal(str, tuple)
    roiShapeEdited = Signal(str, object)  # (param name, Roi) after a shape was drawn or edited

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
        return compute_levels(image, disp, self._auto_levels)

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
                self._set_shape(name, rect)  # rotated rect, circle, annulus, polygon: their own items
                return
            rect = rect.values
        if old is not None and not isinstance(old, _RectRoi):
            self.view.removeItem(old)
            del self._rois[name]
            old = None
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

    def _set_shape(self, name: str, roi: Roi) -> None:
        from workbench.gui.viewer_rois import shape_item

        old = self._rois.get(name)
        if old is not None and getattr(old, "value", None) is not None and not isinstance(old, _RectRoi) \
                and old.value() == roi:
            return
        if old is not None:
            self.view.removeItem(old)
        item = shape_item(name, roi)
        item.sigRegionChangeFinished.connect(lambda it, n=name: self.roiShapeEdited.emit(n, it.value()))
        self.view.addItem(item, ignoreBounds=True)
        self._rois[name] = item

    def draw_roi(self, name: str, shape: str) -> None:
        """Let the user draw ROI ``name`` as ``shape`` by dragging (a polygon: clicks, double-click
        closes); roiShapeEdited(name, Roi) follows."""
        from workbench.gui.viewer_rois import RoiDrawer

        if getattr(self, "drawer", None) is None:
            self.drawer = RoiDrawer(self)
            self.drawer.drawn.connect(self.roiShapeEdited)
        self.drawer.start(name, shape)

    def roi(self, name: str) -> pg.ROI | None:
        return self._rois.get(name)

    def roi_names(self) -> list[str]:
        return list(self._rois)

    def roi_rect(self, name: str) -> tuple[int, int, int, int] | None:
        """The ROI as ints clamped to the image (what roiEdited reports)."""
        roi = self._rois.get(name)
        if roi is None or not isinstance(roi, _RectRoi):
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


from workbench.gui.compare_viewer import CompareViewer  # noqa: E402,F401  (re-exported: the main window uses it)
