"""Two images compared: side by side in linked views, or in one view split by a draggable divider."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPen
from PySide6.QtWidgets import (QButtonGroup, QGraphicsItem, QGraphicsRectItem, QHBoxLayout, QLabel,
                               QToolButton, QVBoxLayout, QWidget)

from workbench.core.types import NO_VALUE
from workbench.gui.i18n import t
from workbench.gui.widgets import bar_over_stack
from workbench.gui.viewer import ImageViewer
from workbench.gui.viewer_display import _minmax, display_array
from workbench.gui.viewer_items import ROI_COLOR


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
        self.stack = bar_over_stack(self, bar, side, self.split_viewer)
        self._a = self._b = None

    def retranslate(self) -> None:
        self.btn_side.setText(t("Side by side"))
        self.btn_split.setText(t("Split"))
        self.btn_side.setToolTip(t("Two views, zoom and pan linked"))
        self.btn_split.setToolTip(t("One view; drag the divider to compare"))
        for v in (self.viewer_a, self.viewer_b, self.split_viewer):
            if hasattr(v, "retranslate"):
                v.retranslate()

    def set_images(self, a: np.ndarray | None, b: np.ndarray | None, title_a: str = "", title_b: str = "",
                   overlays_a: list | None = None, overlays_b: list | None = None) -> None:
        """Show a and b (OpenCV layout, any dtype), each with its overlays in the side-by-side views.
        Zoom is kept while the sizes stay the same."""
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
        self.viewer_a.set_overlays(list(overlays_a or []))
        self.viewer_b.set_overlays(list(overlays_b or []))

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
