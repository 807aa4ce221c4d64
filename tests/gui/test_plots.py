"""The Plots dock's widgets: histogram, per-node timing bars, trends across frames."""

import numpy as np
import pytest
from PySide6.QtGui import QColor

from workbench.gui.plots import HistogramPlot, TimingPlot, TrendPlot
from workbench.gui.theme import STATUS_COLORS


@pytest.fixture
def show(qtbot):
    def make(w):
        qtbot.addWidget(w)
        w.resize(500, 300)
        w.show()
        return w

    return make


def test_histogram_gray_and_bgr(show):
    h = show(HistogramPlot())
    g = np.zeros((10, 20), np.uint8)
    g[:5] = 200
    g[0, 0] = 255
    h.set_image(g)
    c = h.counts()
    assert list(c) == ["gray"] and c["gray"].shape == (256,)
    assert c["gray"].sum() == 200 and c["gray"][0] == 100 and c["gray"][200] == 99 and c["gray"][255] == 1
    assert h.edges()[0] == 0 and h.edges()[-1] == 256
    curve = h._curves["gray"]
    assert curve.yData.sum() == 200 and len(curve.xData) == 257  # step curve over the bin edges

    bgr = np.zeros((8, 8, 3), np.uint8)
    bgr[..., 0] = 10
    bgr[..., 1] = 20
    bgr[:4, :, 2] = 250
    h.set_image(bgr)
    c = h.counts()
    assert list(c) == ["b", "g", "r"] and all(v.sum() == 64 for v in c.values())
    assert c["b"][10] == 64 and c["g"][20] == 64 and c["r"][250] == 32 and c["r"][0] == 32
    assert not h._curves["gray"].isVisible() and h._curves["r"].isVisible()
    assert h._curves["r"].opts["pen"].color() == QColor("#ff5a5a")


def test_histogram_uint16_float_bool_and_none(show):
    h = show(HistogramPlot())
    u = np.array([[0, 100, 100, 4095]], np.uint16)
    h.set_image(u)
    c, e = h.counts()["gray"], h.edges()
    assert c.sum() == 4 and e[0] == 0 and e[-1] == 4096
    assert c[np.searchsorted(e, 100, side="right") - 1] == 2 and c[-1] == 1
    f = np.array([[0.0, 0.5, 1.0, np.nan]], np.float32)
    h.set_image(f)
    c = h.counts()["gray"]
    assert c.sum() == 3 and c[0] == 1 and c[-1] == 1  # NaN not counted; the maximum is in the last bin
    h.set_image(np.array([[True, False, True]]))
    assert h.counts()["gray"][1] == 2 and h.counts()["gray"][0] == 1
    h.set_image(None)
    assert h.counts() == {} and not any(cv.isVisible() for cv in h._curves.values())


def test_timing_bars_in_execution_order_coloured_by_status(show):
    tp = show(TimingPlot())
    rows = [("Image File (source)", 3.2, "ok"), ("Gaussian Blur (blur)", 12.5, "ok"),
            ("Threshold (threshold)", 0.4, "cached"), ("Judge (judge)", 0.0, "failed")]
    tp.set_timings(rows)
    o = tp.bars.opts
    assert list(o["width"]) == [3.2, 12.5, 0.4, 0.0]
    assert list(o["y"]) == [0, 1, 2, 3] and list(o["x0"]) == [0, 0, 0, 0]
    assert [b.color().name() for b in o["brushes"]] == [STATUS_COLORS["ok"], STATUS_COLORS["ok"],
                                                        STATUS_COLORS["cached"], STATUS_COLORS["failed"]]
    assert tp.getViewBox().yInverted()  # the first node on top
    ticks = tp.getAxis("left")._tickLevels[0]
    assert [label for _, label in ticks] == [r[0] for r in rows]
    assert tp.bar_texts() == ["3.2 ms", "12.5 ms", "0.4 ms (cached)", "failed"]
    assert tp.tooltip_at(1) == "Gaussian Blur (blur): 12.50 ms — ran"
    assert "16.1 ms" in tp.plotItem.titleLabel.text
    tp.set_timings(rows[:2])  # a shorter run: labels do not accumulate
    assert len(tp.bars.opts["width"]) == 2 and tp.bar_texts() == ["3.2 ms", "12.5 ms"]
    assert sum(1 for it in tp.getViewBox().addedItems if it.__class__.__name__ == "TextItem") == 2
    tp.set_timings([])
    assert len(tp.bars.opts["width"]) == 0 and tp.bar_texts() == []


def test_trend_series_points_legend_and_choice(show, qtbot):
    tr = show(TrendPlot())
    for i in range(5):
        tr.add_point("coins", i, 20 + i)
        tr.add_point("area", i, 1000.0 * i)
    tr.add_point("coins", 5, None)  # a frame without the value: a gap
    qtbot.waitUntil(lambda: tr.curve("coins") is not None and len(tr.curve("coins").xData) == 6, timeout=2000)
    xs, ys = tr.data("coins")
    assert xs.tolist() == [0, 1, 2, 3, 4, 5] and ys[:5].tolist() == [20, 21, 22, 23, 24] and np.isnan(ys[5])
    assert tr.series_names() == ["coins", "area"]
    assert [item.text for _, item in tr.legend.items] == ["coins", "area"]
    assert tr.curve("coins").opts["pen"].color() != tr.curve("area").opts["pen"].color()
    tr.set_shown(["area"])
    assert tr.shown() == ["area"] and not tr.curve("coins").isVisible()
    tr.set_series("score", [0, 1, 2], [0.9, 0.8, 0.95])
    assert not tr.curve("score").isVisible()  # not in the chosen list
    tr.set_shown(None)
    assert tr.shown() == ["coins", "area", "score"]
    assert tr.curve("score").yData.tolist() == [0.9, 0.8, 0.95]
    with pytest.raises(ValueError):
        tr.set_series("bad", [1, 2], [1])
    tr.clear()
    assert tr.series_names() == [] and tr.legend.items == [] and tr.curve("coins") is None
    assert not [it for it in tr.getViewBox().addedItems if it.__class__.__name__ == "PlotDataItem"]
