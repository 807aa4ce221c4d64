"""The Teach panel's result views: score histogram with two draggable thresholds, ROC curve, an image
gallery (thumbnails, heat maps), and a clickable confusion matrix."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QTableWidget, QTableWidgetItem

from workbench.core.imageio import read_image
from workbench.core.types import as_bgr, to_uint8
from workbench.gui import theme
from workbench.gui.i18n import t
from workbench.gui.plots import _style

THUMB = 112


def pixmap(img: np.ndarray, size: int = THUMB) -> QPixmap:
    bgr = as_bgr(to_uint8(img))
    h, w = bgr.shape[:2]
    s = size / max(h, w)
    bgr = cv2.resize(bgr, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(bgr[:, :, ::-1])
    return QPixmap.fromImage(QImage(rgb.data, rgb.shape[1], rgb.shape[0], 3 * rgb.shape[1],
                                    QImage.Format.Format_RGB888).copy())


def heat_overlay(img: np.ndarray, amap: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """The image with its anomaly map (raw values, shown from lo to hi) blended over it in a colour map."""
    bgr = as_bgr(to_uint8(img))
    m = cv2.resize(amap.astype(np.float32), (bgr.shape[1], bgr.shape[0]), interpolation=cv2.INTER_LINEAR)
    m8 = np.clip((m - lo) / max(hi - lo, 1e-6) * 255, 0, 255).astype(np.uint8)
    heat = cv2.applyColorMap(m8, cv2.COLORMAP_JET)
    return cv2.addWeighted(bgr, 0.55, heat, 0.45, 0)


class Gallery(QListWidget):
    """Thumbnails with a caption each; ``show_items([(image or path, caption, colour or None), ...])``."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setMovement(QListWidget.Movement.Static)
        self.setGridSize(QSize(THUMB + 20, THUMB + 36))
        self.setWordWrap(True)
        self.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)

    def show_items(self, items: list[tuple], limit: int = 120) -> None:
        """(image array or path, caption, colour or None[, key]); the key (default: the path) is kept as the
        item's data (``selected_keys``)."""
        self.clear()
        for src, caption, color, *key in items[:limit]:
            try:
                img = read_image(Path(src)) if isinstance(src, (str, Path)) else src
                icon = QIcon(pixmap(img))
            except Exception:  # an unreadable file: a caption without picture
                icon = QIcon()
            it = QListWidgetItem(icon, caption)
            if color:
                it.setForeground(QColor(color))
            it.setToolTip(str(src) if isinstance(src, (str, Path)) else caption)
            path = str(src) if isinstance(src, (str, Path)) else None
            it.setData(Qt.ItemDataRole.UserRole, key[0] if key else path)
            self.addItem(it)
        if len(items) > limit:
            self.addItem(QListWidgetItem(t("… and more")))


    def selected_keys(self) -> list:
        return [it.data(Qt.ItemDataRole.UserRole) for it in self.selectedItems()
                if it.data(Qt.ItemDataRole.UserRole) is not None]


class ScoreHistogram(pg.PlotWidget):
    """Good vs bad score histograms (raw model scores) with two draggable lines: T1 (below: confidently OK)
    and T2 (from it: NG). ``thresholdsChanged(t1, t2)`` fires while dragging."""

    thresholdsChanged = Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        _style(self)
        self.setLabel("bottom", t("anomaly score"))
        self.setLabel("left", t("images"))
        self.addLegend(offset=(-10, 10))
        self.good = self.bad = np.zeros(0)
        self.t1 = pg.InfiniteLine(0, angle=90, movable=True, pen=pg.mkPen(theme.WARN_COLOR, width=2),
                                  label="T1", labelOpts={"position": 0.92, "color": theme.WARN_COLOR})
        self.t2 = pg.InfiniteLine(1, angle=90, movable=True, pen=pg.mkPen(theme.NG_COLOR, width=2),
                                  label="T2", labelOpts={"position": 0.85, "color": theme.NG_COLOR})
        self.band = pg.LinearRegionItem((0, 1), movable=False, brush=QColor(245, 165, 36, 40))
        self.band.setZValue(-10)
        for item in (self.band, self.t1, self.t2):
            self.addItem(item)
            item.setVisible(False)  # until there are scores
        self.t1.sigPositionChanged.connect(self._moved)
        self.t2.sigPositionChanged.connect(self._moved)

    def set_scores(self, good, bad, t1: float, t2: float) -> None:
        self.good, self.bad = np.asarray(good, float), np.asarray(bad, float)
        for it in [i for i in self.listDataItems()]:
            self.removeItem(it)
        allv = np.concatenate([self.good, self.bad, [t1, t2]])
        lo, hi = float(allv.min()), float(allv.max())
        pad = (hi - lo) * 0.08 or 1.0
        bins = np.linspace(lo - pad, hi + pad, 31)
        for vals, color, name in ((self.good, theme.OK_COLOR, t("good")), (self.bad, theme.NG_COLOR, t("bad"))):
            if vals.size:
                y, x = np.histogram(vals, bins)
                c = QColor(color)
                c.setAlpha(150)
                self.plot(x, y, stepMode="center", fillLevel=0, brush=c, pen=pg.mkPen(color), name=name)
        for item in (self.band, self.t1, self.t2):
            item.setVisible(True)
        self.set_thresholds(t1, t2)

    def set_thresholds(self, t1: float, t2: float) -> None:
        for line, v in ((self.t1, t1), (self.t2, t2)):
            line.blockSignals(True)
            line.setValue(v)
            line.blockSignals(False)
        self._moved()

    def thresholds(self) -> tuple[float, float]:
        a, b = float(self.t1.value()), float(self.t2.value())
        return min(a, b), max(a, b)

    def _moved(self, *_):
        a, b = self.thresholds()
        self.band.setRegion((a, b))
        self.thresholdsChanged.emit(a, b)


class RocPlot(pg.PlotWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        _style(self)
        self.setLabel("bottom", t("false-positive rate"))
        self.setLabel("left", t("true-positive rate"))
        self.setXRange(0, 1)
        self.setYRange(0, 1)
        self.curve = self.plot([], [], pen=pg.mkPen("#4f8dff", width=2))
        self.plot([0, 1], [0, 1], pen=pg.mkPen("#8a8f98", style=Qt.PenStyle.DashLine))

    def set_curve(self, fpr, tpr) -> None:
        self.curve.setData(np.asarray(fpr, float), np.asarray(tpr, float))


class ConfusionMatrix(QTableWidget):
    """Rows: true class, columns: predicted. ``cellChosen(true, predicted)`` on a click."""

    cellChosen = Signal(int, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.cellClicked.connect(lambda r, c: self.cellChosen.emit(r, c))

    def set_matrix(self, cm: list[list[int]], names: list[str]) -> None:
        n = len(names)
        self.setRowCount(n)
        self.setColumnCount(n)
        self.setHorizontalHeaderLabels([t("→ {0}").replace("{0}", s) for s in names])
        self.setVerticalHeaderLabels(names)
        top = max(1, max((max(r) for r in cm), default=1))
        for i in range(n):
            for j in range(n):
                v = cm[i][j]
                it = QTableWidgetItem(str(v))
                it.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                base = QColor(theme.OK_COLOR if i == j else theme.NG_COLOR)
                base.setAlpha(int(30 + 200 * v / top) if v else 0)
                it.setBackground(base)
                self.setItem(i, j, it)
        self.resizeColumnsToContents()
        for j in range(n):
            self.setColumnWidth(j, max(self.columnWidth(j), 44))
