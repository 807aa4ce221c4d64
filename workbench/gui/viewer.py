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
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)


def display_array(image: np.ndarray) -> np.ndarray:
    """BGR(A) → RGB(A) for display (no copy for gray)."""
    if image.ndim == 3 and image.shape[2] >= 3:
        return image[..., 2::-1] if image.shape[2] == 3 else image[..., [2, 1, 0, 3]]
    return image


class ImageViewer(QWidget):
    cursorInfo = Signal(str)
    roiEdited = Signal(str, tuple)

    def __init__(self, parent=None, *, histogram: bool = True) -> None:
        super().__init__(parent)
        self.glw = pg.GraphicsLayoutWidget()
        self.view = self.glw.addViewBox(lockAspect=True, invertY=True)
        self.item = pg.ImageItem()
        self.view.addItem(self.item)
        self.image: np.ndarray | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.glw)

    def set_image(self, image: np.ndarray | None) -> None:
        old = None if self.image is None else self.image.shape[:2]
        self.image = image
        if image is None:
            self.item.clear()
            return
        arr = display_array(image)
        if arr.dtype == np.bool_:
            arr = arr.view(np.uint8) * 255
        levels = (0, 255) if arr.dtype == np.uint8 else None
        self.item.setImage(arr, autoLevels=levels is None, levels=levels)
        if old != image.shape[:2]:
            self.fit()

    def set_overlays(self, values: list) -> None:
        pass

    def fit(self) -> None:
        self.view.autoRange(padding=0.0)

    def one_to_one(self) -> None:
        pass

    def set_roi(self, name: str, rect) -> None:
        pass
