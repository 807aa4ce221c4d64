"""A full disk under the results database (`stream`) and under the output folder (`run`), on a real
small file system (tests/runtime/fullfs.py): failures are alarms, records wait and are retried, what
is lost is counted, and nothing already written is damaged."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.runtime.conftest import COINS, make_folder
from tests.runtime.fullfs import SmallFs
from workbench.core.pipeline_file import load_pipeline
from workbench.runtime.results import ResultsDB
from workbench.runtime.sources import FolderSource
from workbench.runtime.stream import ALARM, StreamRecorder, StreamRunner

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file systems and limits")


@pytest.fixture
def small_fs(tmp_path):
    fs = SmallFs(tmp_path / "small", size_kb=1024)
    yield fs
    fs.close()


def wb(*args, timeout=180):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_stream_records_wait_while_the_disk_is_full_and_are_written_when_it_is_freed(tmp_path, small_fs):
    frames = make_folder(tmp_path / "frames", 30, half_every=3)
    pipeline = load_pipeline(COINS)
    db = ResultsDB(small_fs.folder / "r.db")
    states, recorded = [], []
    small_fs.fill()

    def on_result(r):
        recorded.append(r.record_id)
        if len(recorded) == 12:  # the operator makes room: the waiting records go in, in order
            small_fs.free()

    recorder = StreamRecorder(db, pipeline, "coins", source="folder", retry_s=0.0)
    runner = StreamRunner(pipeline, FolderSource(frames[0].parent, rate=60), output_dir=tmp_path / "out",
                          recorder=recorder, on_result=on_result, on_state=lambda s, m: states.append((s, m)))
    runner.start()
    assert runner.join(120)
    small_fs.free()
    s = recorder.writer.stats
    print(f"[{small_fs.kind}] full-disk stream, freed after 12: written {s.written}, failures {s.failures}, "
          f"queued {s.queued}, retried {s.retried}, max waiting {s.max_pending}, dropped {s.dropped}")
    assert recorded[0] is None and s.queued >= 12 and s.failures >= 12  # the full disk refused them
    assert s.retried == s.queued and s.dropped == 0 and s.written == 30
    alarms = [m for _, m in states if m.startswith(ALARM)]
    print(alarms[:2])
    assert alarms and "waiting" in alarms[0] and ("full" in alarms[0] or "I/O" in alarms[0]), states
    assert not states[-1][1].startswith(ALARM)  # the alarm ended once every record was written
    recs = db.query()
    assert [r.input for r in recs] == [str(p) for p in frames]  # all 30, in the order taken
    db.close()


def test_stream_cli_on_a_disk_that_fills_up_counts_the_lost_records(tmp_path, small_fs):
    """The disk fills up while `stream` runs and stays full: exit 4, the summary says how many of
    the frames were recorded and an error line how many were lost; the database stays readable."""
    frames = make_folder(tmp_path / "frames", 30, half_every=3)
    db_path = small_fs.folder / "r.db"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "stream", str(COINS), "--source",
                             f"folder:{frames[0].parent}", "--rate", "10", "--db", str(db_path), "--no-archive",
                             "--db-queue", "8", "--output", str(tmp_path / "o")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, preexec_fn=SmallFs.preexec)
    try:
        first = proc.stdout.readline()  # the first status line: about 10 records are in
        assert first.startswith("[running]"), first + proc.stderr.read()
        small_fs.fill(proc.pid)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        small_fs.free()
    out = first + out
    print(out[-700:], err[-700:])
    assert proc.returncode == 4, err
    assert "Traceback" not in err
    with ResultsDB(db_path, readonly=True) as d:  # still readable, every row whole
        kept = d.count()
        assert [r.frame for r in d.query()] == list(range(kept))
    assert 0 < kept < 30
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("30 frames: 20 OK, 10 NG, 0 errors"), summary
    assert summary.endswith(f"r.db ({kept} of 30 recorded)"), summary
    assert any(ln.startswith("[running]") and "ALARM: results database r.db" in ln for ln in out.splitlines())
    lost = [ln for ln in err.splitlines() if "NOT recorded" in ln]
    assert lost and lost[0].startswith(f"error: {30 - kept} of 30 records NOT recorded in "), err
    print(f"[{small_fs.kind}] stream CLI, disk full after the first second: {kept} recorded, {30 - kept} lost")
