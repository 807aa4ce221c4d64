"""A full disk under the results database (`stream`) and under the output folder (`run`), on a real
small file system (tests/runtime/fullfs.py): failures are alarms, records wait and are retried, what
is lost is counted, and nothing already written is damaged."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

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
    """The command line in a subprocess; root in it obeys file modes (see SmallFs.without_override)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout, preexec_fn=SmallFs.without_override)


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


# ---------------------------------------------------------------- `run` (#18 item 8)
def _jsonl_rows(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]  # every line whole


def test_run_into_a_read_only_output_folder_is_one_line_and_keeps_the_earlier_results(tmp_path, small_fs):
    frames = make_folder(tmp_path / "frames", 4, half_every=2)
    out = small_fs.folder / "out"
    assert wb("run", COINS, "-i", frames[0].parent, "-o", out, "-q").returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("results.*")}
    small_fs.readonly()
    for target in (out, small_fs.folder / "new"):
        p = wb("run", COINS, "-i", frames[0].parent, "-o", target, "-q")
        assert p.returncode == 2, p.stderr
        assert p.stdout == "" and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
        reason = "Read-only file system" if small_fs.mounted else "Permission denied"
        assert p.stderr.strip() == f"error: cannot write to the output folder {target}: {reason}", p.stderr
    for extra, msg in ((("--db", small_fs.folder / "new" / "r.db"), "error: cannot open results database "),
                       (("--db", tmp_path / "r.db", "--archive", small_fs.folder / "arch"),
                        "error: cannot make the image archive ")):
        p = wb("run", COINS, "-i", frames[0].parent, "-o", tmp_path / "o", "-q", *extra)
        assert p.returncode == 2 and p.stderr.startswith(msg) and p.stderr.count("\n") == 1, p.stderr
    assert {p.name: p.read_bytes() for p in out.glob("results.*")} == before  # untouched, readable
    assert wb("run", COINS, "-i", frames[0].parent, "-o", tmp_path / "o", "-q", "--db", tmp_path / "r.db",
              "--archive-all").returncode == 0
    p = wb("replay", COINS, "--db", tmp_path / "r.db", "-o", small_fs.folder / "replay")
    assert p.returncode == 2 and p.stderr.startswith("error: cannot write to the output folder ") \
        and p.stderr.count("\n") == 1, p.stderr
    assert len(list(csv.DictReader(open(out / "results.csv", encoding="utf-8")))) == 4
    assert len(_jsonl_rows(out / "results.jsonl")) == 4


def test_run_on_a_disk_that_fills_up_stops_with_one_line_and_whole_rows(tmp_path, small_fs):
    """30 inputs; the pipeline saves an annotated image per input into the 1 MB output disk, which
    fills up after a few: one error line, exit 4, results.jsonl holds whole rows only, no 0-byte CSV."""
    frames = make_folder(tmp_path / "frames", 30, half_every=3)
    out = small_fs.folder / "out"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    p = subprocess.run([sys.executable, "-m", "workbench", "run", str(COINS), "-i", str(frames[0].parent),
                        "-o", str(out), "-q"], capture_output=True, text=True, env=env, timeout=300,
                       preexec_fn=None if small_fs.mounted else SmallFs.limit(3000))
    print(p.stdout[-500:], p.stderr[-800:])
    assert p.returncode == 4, p.stderr
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr
    errors = [ln for ln in p.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: cannot write results."), p.stderr
    reason = "No space left on device" if small_fs.mounted else "File too large"
    assert reason in errors[0]
    rows = _jsonl_rows(out / "results.jsonl")
    assert errors[0].endswith(f"({len(rows)} whole rows in results.jsonl)")
    assert [Path(r["input"]).name for r in rows] == [f.name for f in frames[:len(rows)]]
    csv_file = out / "results.csv"
    assert not csv_file.exists() or len(list(csv.DictReader(open(csv_file, encoding="utf-8")))) >= len(rows)
    assert not list(out.glob(".*.tmp"))
    print(f"[{small_fs.kind}] run on a filling disk: {len(rows)} whole rows kept of 30; {errors[0]}")


def test_run_db_records_wait_for_a_full_disk_and_are_written_in_order_when_freed(tmp_path, small_fs):
    from workbench.runtime.batch import BatchRun
    from workbench.runtime.results import BatchRecorder

    frames = make_folder(tmp_path / "frames", 8, half_every=3)
    pipeline = load_pipeline(COINS)
    db = ResultsDB(small_fs.folder / "r.db")
    recorder = BatchRecorder(db, pipeline, "coins")
    recorder.writer.retry_s = 0.0
    batch = BatchRun(pipeline, tmp_path / "out", on_result=recorder)
    small_fs.fill()
    batch.run(frames, on_row=lambda i, row: small_fs.free() if i == 4 else None)
    s = recorder.close()
    assert s.queued == 5 and s.retried == 5 and s.dropped == 0 and s.written == 8
    assert [r.input for r in db.query()] == [str(f) for f in frames]
    small_fs.fill()  # and once it stays full: counted, not silently gone
    recorder = BatchRecorder(db, pipeline, "coins")
    recorder.writer.close_timeout_s = 0.2
    BatchRun(pipeline, tmp_path / "out2", on_result=recorder).run(frames[:3])
    assert recorder.close().dropped == 3 and db.count() == 8
    db.close()


def test_db_queue_must_be_positive_one_line(tmp_path):
    frames = make_folder(tmp_path / "frames", 1)
    p = wb("stream", COINS, "--source", f"folder:{frames[0].parent}", "--db", tmp_path / "r.db", "--db-queue", 0)
    assert p.returncode == 2 and p.stderr == "error: --db-queue must be 1 or more\n", p.stderr
    assert not (tmp_path / "r.db").exists()  # refused before anything was made
