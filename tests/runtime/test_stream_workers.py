"""Streams with parallel workers: frames emitted in order with the rows of one worker, latency per
frame, each DB row once, live sources drop (counted) when every worker is busy."""

from __future__ import annotations

import threading
import time

import pytest

from tests.runtime.conftest import COINS, coins_image
from workbench.core.pipeline_file import load_pipeline
from workbench.runtime.results import ResultsDB
from workbench.runtime.sources import ArraySource, FolderSource
from workbench.runtime.stream import STOPPED, StreamRecorder, StreamRunner


def _row(r):
    d = r.row.as_dict()
    d.pop("node_ms"), d.pop("total_ms")
    return r.frame.index, d


def _stream(folder, tmp_path, workers):
    pipe = load_pipeline(COINS)
    results = []
    db = ResultsDB(tmp_path / f"s{workers}.db")
    runner = StreamRunner(pipe, FolderSource(folder), output_dir=tmp_path / "out", workers=workers,
                          recorder=StreamRecorder(db, pipe, "coins", source="folder"), on_result=results.append)
    runner.start()
    assert runner.join(120)
    recs = db.query()
    db.close()
    return runner, results, recs


def test_three_workers_emit_in_frame_order_what_one_worker_gives(tmp_path, coins_folder):
    folder = coins_folder[0].parent
    base = threading.active_count()
    r1, one, recs1 = _stream(folder, tmp_path, 1)
    r3, three, recs3 = _stream(folder, tmp_path, 3)
    assert r3.state == STOPPED and r3.error is None
    assert [i for i, _ in map(_row, three)] == list(range(30))
    assert [_row(r) for r in three] == [_row(r) for r in one]
    assert [r.id for r in recs3] == [r.record_id for r in three] and len(recs3) == 30
    assert [(r.input, r.verdict, r.measurements) for r in recs3] == [(r.input, r.verdict, r.measurements)
                                                                      for r in recs1]
    assert all(r.latency_ms >= r.process_ms > 0 for r in three if r.run is not None)
    assert three[1].overlay is not None and three[1].run is not None  # the display still gets it all
    s = r3.stats.snapshot()
    assert (s["acquired"], s["processed"], s["dropped"]) == (30, 30, 0)
    deadline = time.monotonic() + 5
    while threading.active_count() > base and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == base, threading.enumerate()  # the worker threads are gone


def test_live_source_with_workers_drops_rather_than_queueing(tmp_path):
    src = ArraySource([coins_image()], loop=True)
    src.live = True
    seen = []
    runner = StreamRunner(load_pipeline(COINS), src, queue_size=1, max_frames=300, workers=2,
                          on_result=lambda r: seen.append(r.frame.index)).start()
    assert runner.join(60)
    s = runner.stats
    assert s.acquired == 300 and s.dropped > 0 and s.processed + s.dropped == 300
    assert len(seen) == s.processed >= 1 and seen == sorted(seen)  # what was processed came out in order


@pytest.mark.parametrize("value", ["0", "many"])
def test_stream_workers_bad_value_is_one_line(tmp_path, capsys, value, coins_folder):
    from workbench.cli import main

    rc = main(["stream", str(COINS), "--source", f"folder:{coins_folder[0].parent}", "--no-db", "-q",
               "--workers", value])
    assert rc == 2
    assert capsys.readouterr().err.strip() == (f"error: --workers {value!r}: expected a whole number of 1 or "
                                               "more, or auto")
