"""The operator screen's trend chart: the chosen series (a judged measurement with its limits as
dashed lines, or latency) with NG points marked, and the rolling yield below it."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from workbench.gui.theme import NG_COLOR, OK_COLOR, WARN_COLOR
from workbench.runtime.tally import YIELD_WINDOW, rolling_yield

LATENCY = "__latency__"  # the trend series that is not a measurement


class OperatorTrend(pg.GraphicsLayoutWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setBackground("#1b1e23")
        self.ci.setContentsMargins(0, 0, 0, 0)
        self.value_plot = self.addPlot(row=0, col=0)
        self.yield_plot = self.addPlot(row=1, col=0)
        self.yield_plot.setXLink(self.value_plot)
        self.ci.layout.setRowStretchFactor(0, 3)
        self.ci.layout.setRowStretchFactor(1, 2)
        for plot in (self.value_plot, self.yield_plot):
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            for ax in ("left", "bottom"):
                plot.getAxis(ax).setTextPen("#8a8f98")
                plot.getAxis(ax).setPen("#3a3f47")
            plot.getAxis("left").setWidth(44)
        self.value_plot.getAxis("bottom").setStyle(showValues=False)
        self.yield_plot.setYRange(-10, 110, padding=0)  # room for the 0 and 100 labels
        self.yield_plot.getAxis("left").setTicks([[(0, "0"), (50, "50"), (100, "100")]])
        self.limit_lines = [pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen(WARN_COLOR, width=1,
                                                                                  style=Qt.PenStyle.DashLine))
                            for _ in range(2)]
        for line in self.limit_lines:
            line.setVisible(False)
            self.value_plot.addItem(line, ignoreBounds=False)
        # no antialiasing and 1-pixel (cosmetic) pens: an antialiased wide pen or a filled area over a
        # few hundred zig-zag points costs tens of milliseconds per repaint in Qt's raster engine
        self.value_curve = self.value_plot.plot(pen=pg.mkPen("#5aa9ff", width=1), antialias=False)
        self.value_ng = pg.ScatterPlotItem(size=7, pen=None, brush=pg.mkBrush(NG_COLOR), antialias=False)
        self.value_plot.addItem(self.value_ng)
        self.yield_curve = self.yield_plot.plot(pen=pg.mkPen(OK_COLOR, width=1), antialias=False)

    def draw(self, pts: list[tuple[int, float, dict, str | None]], key: str, limits: list[float]) -> None:
        """Points (number, latency ms, measurements, verdict) of series ``key`` with its limits."""
        for i, line in enumerate(self.limit_lines):
            line.setVisible(i < len(limits))
            if i < len(limits):
                line.setValue(limits[i])
        if not pts:
            self.value_curve.setData([], [])
            self.value_ng.setData([], [])
            self.yield_curve.setData([], [])
            return
        n = np.fromiter((p[0] for p in pts), float, len(pts))
        if key == LATENCY:
            y = np.fromiter((p[1] for p in pts), float, len(pts))
        else:
            y = np.fromiter((float(p[2].get(key, np.nan)) if isinstance(p[2].get(key), (int, float)) else np.nan
                             for p in pts), float, len(pts))
        ng = np.fromiter((p[3] == "NG" for p in pts), bool, len(pts))
        self.value_curve.setData(n, y, connect="finite")
        self.value_ng.setData(n[ng], y[ng])
        self.yield_curve.setData(n, rolling_yield([p[3] for p in pts], YIELD_WINDOW), connect="finite")
