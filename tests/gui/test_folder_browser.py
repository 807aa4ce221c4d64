"""Issue #13 items 8 (folder part), 11 (error frames), 15 and 16: a folder run is browsed image by
image, its trend shows the tolerance band, the statistics and the error frames, and a stopped
image is "cancelled", not an error."""

import shutil

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from workbench.core.paths import demo_pipeline
from workbench.core.spec import CancelToken
from workbench.runtime.batch import BatchRun
from workbench.runtime.spc import capability, tolerance_limits


@pytest.fixture
def folder(tmp_path):
    coins = cv2.imread(str(demo_pipeline().parent.parent / "samples" / "coins.png"))
    d = tmp_path / "run"
    d.mkdir()
    cv2.imwrite(str(d / "a.png"), coins)
    cv2.imwrite(str(d / "b.png"), coins[:, ::-1])
    (d / "c.png").write_bytes(b"not an image")  # an error frame
    cv2.imwrite(str(d / "d.png"), coins[:200])  # fewer coins: NG
    return d


def test_capability_by_hand():
    c = capability([1.0, 2.0, 3.0, float("nan")], low=0.0, high=6.0)
    assert c.n == 3 and c.mean == 2.0 and c.sigma == 1.0 and (c.minimum, c.maximum) == (1.0, 3.0)
    assert c.cp == pytest.approx(6.0 / 6.0) and c.cpk == pytest.approx(2.0 / 3.0)
    assert capability([5.0, 7.0], low=4.0).cpk == pytest.approx(2.0 / (3 * np.sqrt(2)))
    assert capability([]) is None


def test_a_stopped_image_is_cancelled_not_an_error(tmp_path):
    from workbench.core.pipeline_file import load_pipeline

    pipe = load_pipeline(demo_pipeline())
    token = CancelToken()
    token.cancel()
    row = BatchRun(pipe, tmp_path).run_one(demo_pipeline().parent.parent / "samples" / "coins.png", 0, token)
    assert row.status == "cancelled" and row.verdict is None and "cancelled" not in row.errors


def _run(win, qtbot, folder):
    with qtbot.waitSignal(win.ran, timeout=30_000):
        win.open(demo_pipeline())
    run = win.run_folder(folder)
    with qtbot.waitSignal(run.finished, timeout=120_000):
        pass
    win.trend.flush()
    return run


def test_trend_shows_tolerance_band_statistics_and_error_frames(win, qtbot, folder):
    win.show()
    _run(win, qtbot, folder)
    assert tolerance_limits(win.doc.pipeline) == {"count.coins": (22.0, 26.0)}
    assert win.trend.shown() == ["count.coins"]
    assert win.trend.errors() == [2.0]  # c.png: marked, not skipped
    xs, ys = win.trend.data("count.coins")
    stats = win.trend.stats
    assert stats.n == 3 and stats.low == 22.0 and stats.high == 26.0
    assert stats.cpk == pytest.approx(capability(ys, 22.0, 26.0).cpk)
    assert win.trend._band.isVisible() and win.trend._band.getRegion() == (22.0, 26.0)
    text = win.trend.stats_label.text()
    assert "Cpk" in text and "σ" in text and "errors 1" in text


def test_browse_a_folder_run_with_the_keys_and_a_trend_click(win, qtbot, folder):
    win.show()
    run = _run(win, qtbot, folder)
    trend = win.trend
    win.plots.setCurrentWidget(trend)
    win.dock_plots.show()
    qtbot.waitExposed(trend)
    trend.getPlotItem().getViewBox().autoRange()
    xs, ys = trend.data("count.coins")
    assert list(xs) == [0.0, 1.0, 3.0]  # frame 2 was an error: no value
    vb = trend.getPlotItem().getViewBox()
    pos = trend.mapFromScene(vb.mapViewToScene(QPointF(xs[2], ys[2])))
    with qtbot.waitSignal(win.ran, timeout=30_000):
        qtbot.mouseClick(trend.viewport(), Qt.LeftButton, pos=pos)
    assert win.browse_index == 3 and win.browser.isVisible()
    assert "d.png" in win.browser.info.text() and "NG" in win.browser.info.text()
    assert "results.jsonl" in win.browser.results.text()
    assert win.browser.results.toolTip() == str(run.out_dir / "results.jsonl")
    src = win.result_pipeline.nodes["source"].params["path"]
    assert src.endswith("d.png")  # the live run ran the browsed image
    assert win.result.nodes["count"].outputs["count"] == int(ys[2])
    assert win.doc.pipeline.nodes["source"].params["path"] == "../samples/coins.png"  # the document is unchanged
    win.viewer.setFocus()
    with qtbot.waitSignal(win.ran, timeout=30_000):
        qtbot.keyClick(win.viewer, Qt.Key_Left)
    assert win.browse_index == 2 and "c.png" in win.browser.info.text()
    qtbot.mouseClick(win.browser.prev_btn, Qt.LeftButton)
    assert win.browse_index == 1
    with qtbot.waitSignal(win.ran, timeout=30_000):
        qtbot.mouseClick(win.browser.close_btn, Qt.LeftButton)
    assert win.browse_index is None and not win.browser.isVisible()
    assert win.result_pipeline.nodes["source"].params["path"] == "../samples/coins.png"
