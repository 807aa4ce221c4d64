"""The Plots dock's widgets (pyqtgraph PlotWidget based).

    h = HistogramPlot(); h.set_image(array_or_None)          # B/G/R or gray, 256 bins
    tp = TimingPlot(); tp.set_timings([(label, ms, status), ...])   # in execution order
    tr = TrendPlot(); tr.add_point(series, x, y); tr.set_series(name, xs, ys); tr.clear()
    tr.set_shown(names | None)                                # the chosen series (None: all)

Colours come from workbench.gui.theme (STATUS_COLORS for the timing bars).
"""

from __future__ import annotations

from typing import Iterable, Sequence

import cv2
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QMenu

from workbench.gui import theme
from workbench.gui.i18n import t
from workbench.gui.viewer import PYSIDE_GUARDS  # noqa: F401  (PySide6 6.12 reference leaks, see there)

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)

CHANNEL_COLORS = {"gray": "#c8ccd2", "b": "#4f8dff", "g": "#3ccf6e", "r": "#ff5a5a"}
SERIES_COLORS = ("#4f8dff", "#ffb020", "#3ccf6e", "#ff5a5a", "#b18cff", "#19d3ff", "#ff7a45", "#e05ad1",
                 "#c8ccd2", "#ffe14d")
UNKNOWN_STATUS_COLOR = "#8a8f98"


def _style(plot: pg.PlotWidget) -> None:
    """Background and axis colours for the current theme."""
    dark = theme.is_dark()
    plot.setBackground("#1e2126" if dark else "#ffffff")
    fg = "#aab0b8" if dark else "#444a52"
    for name in ("left", "bottom"):
        ax = plot.getAxis(name)
        ax.setPen(pg.mkPen(fg))
        ax.setTextPen(pg.mkPen(fg))
    plot.showGrid(x=True, y=True, alpha=0.15)
    plot.hideButtons()


def _alpha(color: str, a: int) -> QColor:
    c = QColor(color)
    c.setAlpha(a)
    return c


class HistogramPlot(pg.PlotWidget):
    """Per-channel histogram of an image: B, G, R for colour, one curve for mono; 256 bins.
    With a threshold shown (``set_marker``), a click on the plot emits ``valuePicked(value)``."""

    valuePicked = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._marker = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#ffb020", width=2))
        self._marker.setZValue(10)
        self._marker.hide()
        self.addItem(self._marker, ignoreBounds=True)
        self.scene().sigMouseClicked.connect(self._clicked)
        _style(self)
        self.retranslate()
        self.getAxis("left").setWidth(56)  # room for 7-digit counts from the first paint on
        self.setMouseEnabled(x=True, y=False)
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._counts: dict[str, np.ndarray] = {}
        self._edges = np.zeros(0)

    def retranslate(self) -> None:
        self.setLabel("bottom", t("Value"))
        self.setToolTip(t("Pixel count per value (256 bins)"))

    def set_image(self, image: np.ndarray | None) -> None:
        """Histogram of `image` (OpenCV layout: mono or BGR(A); uint8, uint16, float, bool). None clears.
        uint8 uses the bins 0..255; other dtypes 256 equal bins from the minimum to the maximum."""
        self._counts = {}
        if image is None or not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
            self._edges = np.zeros(0)
            for c in self._curves.values():
                c.hide()
            return
        img = image.view(np.uint8) if image.dtype == np.bool_ else image
        if img.dtype.type not in (np.uint8, np.uint16, np.float32):
            img = img.astype(np.float32)
        img = np.ascontiguousarray(img)
        chans = [("gray", 0)] if img.ndim == 2 or img.shape[2] == 1 else [("b", 0), ("g", 1), ("r", 2)]
        if img.ndim == 3 and img.shape[2] == 1:
            img = img[:, :, 0]
        if img.dtype == np.uint8:
            lo, hi = 0.0, 256.0
            edges = np.arange(257, dtype=np.float64)
        else:
            data = img if img.ndim == 2 else img[..., :3]
            finite = data[np.isfinite(data)] if data.dtype.kind == "f" else data
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            if img.dtype == np.uint16:
                hi += 1.0  # integer values: the top value gets its own bin
            elif hi <= lo:
                hi = lo + 1.0
            else:
                hi = float(np.nextafter(np.float32(hi), np.float32(np.inf)))  # max inclusive
            edges = np.linspace(lo, hi, 257)
        mask = None
        if img.dtype.kind == "f":
            finite = np.isfinite(img if img.ndim == 2 else img[..., :3])
            if not finite.all():  # NaN would land in the first bin
                mask = (finite if finite.ndim == 2 else finite.all(axis=2)).view(np.uint8)
        for name, ch in chans:
            counts = cv2.calcHist([img], [ch], mask, [256], [lo, hi]).ravel().astype(np.int64)
            self._counts[name] = counts
        self._edges = edges
        for name, curve in self._curves.items():
            curve.setVisible(name in self._counts)
        for name, counts in self._counts.items():
            curve = self._curves.get(name)
            color = CHANNEL_COLORS[name]
            if curve is None:
                curve = self.plot(stepMode="center", fillLevel=0, pen=pg.mkPen(color, width=1.5),
                                  brush=_alpha(color, 50 if name != "gray" else 70), name=name)
                self._curves[name] = curve
            curve.setData(edges, counts.astype(np.float64))
            curve.show()
        self.setXRange(edges[0], edges[-1], padding=0.01)
        self.enableAutoRange(axis="y")

    def set_marker(self, value: float | None) -> None:
        """Show a threshold as a vertical line (None hides it and ignores clicks)."""
        self._marker.setVisible(value is not None)
        if value is not None:
            self._marker.setValue(float(value))
        self.setToolTip(t("Click to set the threshold") if value is not None
                        else t("Pixel count per value (256 bins)"))

    def marker(self) -> float | None:
        return float(self._marker.value()) if self._marker.isVisible() else None

    def _clicked(self, ev) -> None:
        if not self._marker.isVisible() or ev.button() != Qt.LeftButton or not self._edges.size:
            return
        vb = self.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        x = float(vb.mapSceneToView(ev.scenePos()).x())
        x = min(max(x, float(self._edges[0])), float(self._edges[-1]))
        value = float(round(x)) if self._edges[-1] - self._edges[0] > 2 else round(x, 3)
        self._marker.setValue(value)
        self.valuePicked.emit(value)

    def counts(self) -> dict[str, np.ndarray]:
        """The bin counts per channel ("gray" or "b", "g", "r") of the last image."""
        return dict(self._counts)

    def edges(self) -> np.ndarray:
        """The 257 bin edges of the last image."""
        return self._edges.copy()


class TimingPlot(pg.PlotWidget):
    """Per-node time of the last run as horizontal bars, in execution order (first on top),
    coloured by status (ran, cached, failed, skipped); each bar labelled with its ms."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        _style(self)
        self.showGrid(x=True, y=False, alpha=0.15)
        self.retranslate()
        self.setMouseEnabled(x=True, y=False)
        self.getViewBox().invertY(True)
        self.bars = pg.BarGraphItem(x0=[], y=[], height=0.7, width=[])
        self.addItem(self.bars)
        self._rows: list[tuple[str, float, str]] = []
        self._texts: list[pg.TextItem] = []
        self.scene().sigMouseMoved.connect(self._hover)

    def retranslate(self) -> None:
        self.setLabel("bottom", t("Time (ms)"))

    def set_timings(self, rows: Iterable[tuple[str, float, str]]) -> None:
        """Bars for [(node label, ms, status), ...] in execution order."""
        self._rows = [(str(label), max(0.0, float(ms)), str(status)) for label, ms, status in rows]
        n = len(self._rows)
        ms = np.array([r[1] for r in self._rows], np.float64)
        brushes = [pg.mkBrush(self.color(r[2])) for r in self._rows]
        if n:
            self.bars.setOpts(x0=np.zeros(n), y=np.arange(n, dtype=np.float64), height=0.7, width=ms,
                              brushes=brushes, pens=[pg.mkPen(None)] * n)
        else:  # (BarGraphItem fails on empty pen lists)
            self.bars.setOpts(x0=np.zeros(0), y=np.zeros(0), width=np.zeros(0), brushes=None, pens=None)
        self.bars.setVisible(bool(n))
        ax = self.getAxis("left")
        names = [r[0] if len(r[0]) <= 40 else r[0][:39] + "…" for r in self._rows]
        ax.setTicks([list(enumerate(names))])
        fm = QFontMetrics(ax.style["tickFont"] or QFont())
        ax.setWidth(max(40, max((fm.horizontalAdvance(n) for n in names), default=0) + 14))
        while len(self._texts) < n:  # one label per bar, reused between runs
            ti = pg.TextItem(anchor=(0, 0.5), color=theme.canvas_colors()["subtext"])
            self.addItem(ti)
            self._texts.append(ti)
        for ti in self._texts[n:]:
            self.removeItem(ti)
        del self._texts[n:]
        xmax = float(ms.max()) if n else 1.0
        for i, (label, m, status) in enumerate(self._rows):
            self._texts[i].setText(self._bar_text(m, status))
            self._texts[i].setPos(m + 0.01 * max(xmax, 1e-3), i)
        total = float(ms.sum()) if n else 0.0
        self.setTitle(f"{t('Last run')}: {total:.1f} ms" if n else "", color="#aab0b8", size="9pt")
        self.setXRange(0, max(xmax, 1e-3) * 1.25, padding=0)
        self.setYRange(-0.6, max(n, 1) - 0.4, padding=0)

    @staticmethod
    def color(status: str) -> str:
        return theme.STATUS_COLORS.get(status, UNKNOWN_STATUS_COLOR)

    @staticmethod
    def status_text(status: str) -> str:
        return {"ok": t("ran"), "cached": t("cached"), "failed": t("failed"), "skipped": t("skipped"),
                "cancelled": t("cancelled"), "running": t("running")}.get(status, status)

    def _bar_text(self, ms: float, status: str) -> str:
        text = f"{ms:.1f} ms" if ms >= 0.1 else f"{ms:.2f} ms"
        if status == "ok":
            return text
        return f"{text} ({self.status_text(status)})" if ms > 0 else self.status_text(status)

    def timings(self) -> list[tuple[str, float, str]]:
        return list(self._rows)

    def bar_texts(self) -> list[str]:
        return [ti.toPlainText() for ti in self._texts]

    def tooltip_at(self, index: int) -> str:
        if not 0 <= index < len(self._rows):
            return ""
        label, ms, status = self._rows[index]
        return f"{label}: {ms:.2f} ms — {self.status_text(status)}"

    def _hover(self, pos) -> None:
        vb = self.getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            self.setToolTip("")
            return
        p = vb.mapSceneToView(pos)
        i = int(round(p.y()))
        inside = 0 <= i < len(self._rows) and abs(p.y() - i) <= 0.35
        self.setToolTip(self.tooltip_at(i) if inside else "")


class TrendPlot(pg.PlotWidget):
    """Values across the frames of a folder run: one curve per series, a legend, and the chosen
    series (set_shown, or click a legend entry, or the context menu's Series list). A series with
    tolerance limits (set_limits) shows them as a band, with mean, sigma, min/max, Cp and Cpk of the
    first shown series; error frames (add_error) are red marks; a click on a point emits its frame."""

    seriesAdded = Signal(str)
    pointClicked = Signal(int)  # the frame index of a clicked point

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        _style(self)
        del self.clear  # PlotWidget sets clear = plotItem.clear on the instance; ours also drops the data
        self.retranslate()
        dark = theme.is_dark()
        self.legend = self.addLegend(offset=(8, 8), labelTextColor="#d8dce2" if dark else "#333",
                                     brush=pg.mkBrush(30, 33, 38, 210) if dark else pg.mkBrush(255, 255, 255, 220),
                                     pen=pg.mkPen(90, 96, 104))
        self._data: dict[str, tuple[list[float], list[float]]] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._shown: set[str] | None = None  # None: all
        self._dirty: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(40)  # add_point bursts redraw at most 25 times a second
        self._timer.timeout.connect(self.flush)
        self._limits: dict[str, tuple[float | None, float | None]] = {}
        self._band = pg.LinearRegionItem(orientation="horizontal", movable=False,
                                         brush=pg.mkBrush(60, 200, 110, 38), pen=pg.mkPen("#3ccf6e", style=Qt.DashLine))
        self._band.setZValue(-10)
        self._band.hide()
        self.addItem(self._band)  # in the auto range: both limits stay in view
        self._errors: list[float] = []
        self._error_marks = pg.ScatterPlotItem(symbol="x", size=11, pen=pg.mkPen("#ff5a5a", width=2), brush=None)
        self._error_marks.setZValue(5)
        self.addItem(self._error_marks)
        self.stats = None  # runtime.spc.Capability of the first shown series
        self.stats_label = QLabel(self)
        self.stats_label.setStyleSheet("background: rgba(30,33,38,210); color: #d8dce2; padding: 3px 6px;"
                                       " border-radius: 3px;")
        self.stats_label.hide()
        menu = self.getViewBox().menu
        if menu is not None:
            self._series_menu = QMenu(t("Series"), menu)
            self._series_menu.aboutToShow.connect(self._fill_series_menu)
            menu.addMenu(self._series_menu)

    # -- data
    def retranslate(self) -> None:
        self.setLabel("bottom", t("Frame"))

    def add_point(self, series: str, x: float, y: float) -> None:
        """Append one point (drawn within 40 ms; call flush() to draw now)."""
        xs, ys = self._series(series)
        xs.append(float(x))
        ys.append(float(y) if y is not None else float("nan"))
        self._dirty.add(series)
        if not self._timer.isActive():
            self._timer.start()

    def set_series(self, name: str, xs: Sequence[float], ys: Sequence[float]) -> None:
        """Replace a whole series."""
        if len(xs) != len(ys):
            raise ValueError(f"series {name!r}: {len(xs)} x values but {len(ys)} y values")
        d = self._series(name)
        d[0][:] = [float(x) for x in xs]
        d[1][:] = [float("nan") if y is None else float(y) for y in ys]
        self._dirty.add(name)
        self.flush()

    def clear(self) -> None:
        """Remove every series (curves, legend entries and data)."""
        for c in self._curves.values():
            self.removeItem(c)
        self.legend.clear()
        self._curves.clear()
        self._data.clear()
        self._dirty.clear()
        self._limits.clear()
        self._errors.clear()
        self._error_marks.setData([], [])
        self._band.hide()
        self.stats = None
        self.stats_label.hide()

    def series_names(self) -> list[str]:
        return list(self._data)

    def data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = self._data[name]
        return np.array(xs, np.float64), np.array(ys, np.float64)

    # -- which series are shown
    def set_shown(self, names: Iterable[str] | None) -> None:
        """Show only these series (None: all, also the ones added later)."""
        self._shown = None if names is None else set(names)
        for name, c in self._curves.items():
            c.setVisible(self.is_shown(name))
        self._update_stats()

    def is_shown(self, name: str) -> bool:
        return self._shown is None or name in self._shown

    def shown(self) -> list[str]:
        return [n for n in self._data if self._curves.get(n) is not None and self._curves[n].isVisible()]

    def curve(self, name: str) -> pg.PlotDataItem | None:
        return self._curves.get(name)

    def flush(self) -> None:
        """Draw the points added since the last flush."""
        self._timer.stop()
        for name in [n for n in self._data if n in self._dirty]:
            xs, ys = self._data.get(name, ([], []))
            c = self._curves.get(name)
            if c is None:
                color = SERIES_COLORS[len(self._curves) % len(SERIES_COLORS)]
                c = self.plot([], [], name=name, pen=pg.mkPen(color, width=2), connect="finite",
                              symbol="o", symbolSize=5, symbolBrush=color, symbolPen=None)
                c.sigPointsClicked.connect(self._point_clicked)
                c.setVisible(self._shown is None or name in self._shown)
                self._curves[name] = c
                self.seriesAdded.emit(name)
            n = len(xs)
            c.setSymbol("o" if n <= 300 else None)
            c.setData(np.array(xs, np.float64), np.array(ys, np.float64))
        self._dirty.clear()
        self._update_stats()

    # -- limits, statistics, error frames, clicks
    def set_limits(self, series: str, low: float | None, high: float | None) -> None:
        """The tolerance of a series (a judge's limits): a band while it is the first shown series."""
        self._limits[str(series)] = (low, high)
        self._update_stats()

    def add_error(self, x: float) -> None:
        """Mark frame x as an error (no value): a red cross on the frame axis."""
        self._errors.append(float(x))
        self._dirty.add("")  # redraw soon
        if not self._timer.isActive():
            self._timer.start()

    def errors(self) -> list[float]:
        return list(self._errors)

    def _update_stats(self) -> None:
        from workbench.runtime.spc import capability

        shown = self.shown()
        name = shown[0] if shown else None
        low, high = self._limits.get(name, (None, None)) if name else (None, None)
        ys = self._data[name][1] if name else []
        self.stats = capability(ys, low, high) if name else None
        if low is not None or high is not None:
            top = high if high is not None else max([y for y in ys if np.isfinite(y)] + [low]) * 1.05 + 1
            bottom = low if low is not None else min([y for y in ys if np.isfinite(y)] + [high]) * 0.95 - 1
            self._band.setRegion((bottom, top))
            self._band.show()
        else:
            self._band.hide()
        finite = [y for y in ys if np.isfinite(y)]
        base = min(finite) if finite else 0.0
        self._error_marks.setData(self._errors, [base] * len(self._errors))
        if self.stats is None:
            self.stats_label.hide()
            return
        text = "   ".join(f"{k} {v}" for k, v in self.stats.lines())
        if self._errors:
            text += "   " + t("errors") + f" {len(self._errors)}"
        self.stats_label.setText(f"{name}:  {text}")
        self.stats_label.adjustSize()
        self.stats_label.move(max(60, self.width() - self.stats_label.width() - 10), 6)
        self.stats_label.show()

    def resizeEvent(self, ev) -> None:  # noqa: N802
        super().resizeEvent(ev)
        if "stats_label" in self.__dict__ and self.stats_label.isVisible():
            self.stats_label.move(max(60, self.width() - self.stats_label.width() - 10), 6)

    def _point_clicked(self, _curve, points, *_a) -> None:
        if len(points):
            self.pointClicked.emit(int(round(points[0].pos().x())))

    def _series(self, name: str) -> tuple[list[float], list[float]]:
        name = str(name)
        if name not in self._data:
            self._data[name] = ([], [])
        return self._data[name]

    def _fill_series_menu(self) -> None:
        self._series_menu.clear()
        show_all = QAction(t("Show all"), self._series_menu)
        show_all.triggered.connect(lambda: self.set_shown(None))
        self._series_menu.addAction(show_all)
        self._series_menu.addSeparator()
        for name, c in self._curves.items():
            a = QAction(name, self._series_menu, checkable=True)
            a.setChecked(c.isVisible())
            a.toggled.connect(lambda on, n=name: self._toggle(n, on))
            self._series_menu.addAction(a)

    def _toggle(self, name: str, on: bool) -> None:
        shown = set(self.shown())
        (shown.add if on else shown.discard)(name)
        self.set_shown(shown)

