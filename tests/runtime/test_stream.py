"""The streaming runner on a folder and on in-memory frames: every frame once and in order, errors
per frame, latest-result display, drops for live sources, reconnect with back-off, clean stop."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from tests.runtime.conftest import COINS, coins_image
from workbench.core.pipeline_file import load_pipeline
from workbench.runtime.results import Archive, ResultsDB
from workbench.runtime.sources import ArraySource, FolderSource, FrameSource, SourceDisconnected, SourceError, Trigger
from workbench.runtime.stream import (CONNECTING, RECONNECTING, RUNNING, STOPPED, Backoff, StreamRecorder,
                                      StreamRunner)


@pytest.fixture
def pipeline():
    return load_pipeline(COINS)


def _until(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return False


def test_folder_stream_every_frame_once_with_db(tmp_path, pipeline, coins_folder):
    base = threading.active_count()
    results, latest_seen = [], []
    db = ResultsDB(tmp_path / "r.db")
    archive = Archive(tmp_path / "archive")
    runner = StreamRunner(pipeline, FolderSource(coins_folder[0].parent), output_dir=tmp_path / "out",
                          recorder=StreamRecorder(db, pipeline, "coins", archive=archive, source="folder"),
                          on_result=results.append, on_latest=lambda r: latest_seen.append(r.frame.index))
    runner.start()
    assert runner.join(60)
    assert runner.state == STOPPED and runner.error is None
    assert [r.frame.index for r in results] == list(range(30))
    assert [r.frame.name for r in results] == [p.name for p in coins_folder]
    bad = results[7]
    assert bad.row.status == "error" and "not a readable image" in bad.row.errors[0]
    verdicts = [r.verdict for i, r in enumerate(results) if i != 7]
    assert verdicts == ["NG" if i % 3 == 0 else "OK" for i in range(30) if i != 7]
    s = runner.stats.snapshot()
    assert (s["acquired"], s["processed"], s["errors"], s["dropped"]) == (30, 30, 1, 0)
    assert s["ok"] + s["ng"] == 29 and s["ng"] == 10
    assert s["latency_ms"]["mean"] > 0 and s["process_ms"]["p95"] > 0 and runner.stats.overall_fps() > 0
    assert runner.latest().frame.index == 29 and latest_seen == list(range(30))
    assert results[1].overlay is not None and results[1].overlay.shape[:2] == (303, 384)
    recs = db.query()
    assert [r.id for r in recs] == [r.record_id for r in results]
    assert recs[7].status == "error" and recs[0].verdict == "NG" and recs[0].measurements["count.coins"] < 22
    assert all(r.pipeline == "coins" and len(r.pipeline_hash) == 16 for r in recs)
    assert recs[0].image_path and recs[1].image_path is None  # NG archived, OK not
    assert len(list((tmp_path / "archive").rglob("*.png"))) == 10
    db.close()
    runner.stop()
    assert _until(lambda: threading.active_count() == base, 5), threading.enumerate()


def test_node_failure_mid_stream_goes_on(pipeline):
    img = coins_image()
    bad = np.zeros((50, 50, 5), np.uint8)  # a node fails on this frame
    frames = [img, img, bad, img, img]
    results = []
    runner = StreamRunner(pipeline, ArraySource(frames), on_result=results.append).start()
    assert runner.join(30)
    assert [r.row.status for r in results] == ["ok", "ok", "error", "ok", "ok"]
    assert "node blur" in results[2].row.errors[0]
    assert [r.verdict for r in results if r.row.status == "ok"] == ["OK"] * 4
    assert runner.stats.errors == 1


class FlakyCamera(FrameSource):
    """A live fake camera: gives frames, disconnects after 3, refuses to open twice, then comes back."""

    live = True
    kind = "fake"

    def __init__(self, image):
        super().__init__()
        self.image = image
        self.opens = 0
        self.fail_opens = 0
        self.served = 0

    def describe(self):
        return "fake:0"

    def _open(self):
        self.opens += 1
        if self.fail_opens > 0:
            self.fail_opens -= 1
            raise SourceError("fake camera not found")

    def _read(self):
        self.served += 1
        if self.served == 4:
            self.fail_opens = 2
            raise SourceDisconnected("fake camera unplugged")
        time.sleep(0.005)
        return self._frame(self.image, f"fake#{self.index}")


def test_camera_disconnect_reconnects_with_backoff(pipeline):
    states = []
    cam = FlakyCamera(coins_image())
    # queue_size >= max_frames: a live source drops frames when the pipeline falls behind, which a busy
    # machine makes happen at random; with room for every frame the counts are exact.
    runner = StreamRunner(pipeline, cam, max_frames=8, backoff=Backoff(0.02, 2, 0.1), queue_size=8,
                          on_state=lambda s, m: states.append(s)).start()
    assert runner.join(30)
    assert runner.stats.processed == 8 and runner.stats.dropped == 0 and runner.stats.reconnects == 1
    assert cam.opens == 4  # first open, then two refused, then back
    assert states[0] == CONNECTING and RECONNECTING in states and states[-1] == STOPPED
    i = states.index(RECONNECTING)
    assert RUNNING in states[i:]
    assert not cam.opened


def test_live_source_drops_instead_of_blocking(pipeline):
    src = ArraySource([coins_image()], loop=True)
    src.live = True
    runner = StreamRunner(pipeline, src, queue_size=1, max_frames=300).start()
    assert runner.join(60)
    s = runner.stats
    assert s.acquired == 300 and s.dropped > 0 and s.processed + s.dropped == 300


def test_software_trigger_and_stop_joins_threads(pipeline):
    base = threading.active_count()
    trig = Trigger()
    runner = StreamRunner(pipeline, ArraySource([coins_image()], loop=True, trigger=trig)).start()
    time.sleep(0.2)
    assert runner.stats.acquired == 0 and runner.state == RUNNING
    runner.trigger()
    runner.trigger()
    assert _until(lambda: runner.stats.processed == 2)
    time.sleep(0.1)
    assert runner.stats.acquired == 2
    runner.stop()
    assert not runner.running and runner.state == STOPPED
    assert _until(lambda: threading.active_count() == base, 5)


def test_stop_during_a_slow_rate_is_prompt(pipeline, coins_folder):
    runner = StreamRunner(pipeline, FolderSource(coins_folder[0].parent, rate=0.0001)).start()  # 10,000 s apart
    assert _until(lambda: runner.stats.processed == 1)
    stopper = threading.Thread(target=runner.stop)
    stopper.start()
    stopper.join(120)  # a watchdog, not a timing: a stop that waited for the next frame would take 10,000 s
    assert not stopper.is_alive() and not runner.running


def test_a_folder_that_does_not_exist_ends_with_its_error(pipeline, tmp_path):
    runner = StreamRunner(pipeline, FolderSource(tmp_path / "nope")).start()
    assert runner.join(10)
    assert "image folder not found" in runner.error and runner.stats.processed == 0


def test_slow_stages_lose_no_frame_at_the_end_of_a_finite_source(pipeline):
    """The end marker waits for room behind the last frames (it used to drop one when a stage took
    longer than 0.1 s: a frame from the frames queue, a result from the results queue)."""
    img = coins_image()
    results = []

    def slow_output(r):
        time.sleep(0.15)
        results.append(r.frame.index)

    runner = StreamRunner(pipeline, ArraySource([img] * 6), queue_size=1, on_result=slow_output,
                          on_latest=lambda r: time.sleep(0.15))
    runner.start()
    assert runner.join(30)
    assert results == list(range(6))
    s = runner.stats.snapshot()
    assert (s["acquired"], s["processed"], s["dropped"]) == (6, 6, 0)
