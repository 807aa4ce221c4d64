"""End to end: `workbench run --db`, `workbench replay` (exact verdict differences), `workbench stream`."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime.conftest import COINS
from workbench.cli import main
from workbench.core.pipeline_file import load_pipeline, save_pipeline
from workbench.runtime.results import ResultsDB


def wb(*args, cwd=None, timeout=120):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout)


@pytest.fixture
def recorded(tmp_path, coins_folder):
    """30 inputs recorded with the demo's judge range [22, 26]: 10 halves NG, 19 OK, 1 corrupt (error)."""
    db = tmp_path / "r.db"
    rc = main(["run", str(COINS), "-i", str(coins_folder[0].parent), "-o", str(tmp_path / "out"), "-q",
               "--db", str(db), "--archive-all"])
    assert rc == 0
    return db


def _replay_rows(out: Path):
    return list(csv.DictReader(open(out / "replay.csv", encoding="utf-8")))


def test_run_db_records_every_input(recorded, tmp_path, capsys):
    with ResultsDB(recorded, readonly=True) as db:
        recs = db.query()
    assert len(recs) == 30
    assert [r.verdict for r in recs].count("NG") == 10 and [r.verdict for r in recs].count("OK") == 19
    assert recs[7].status == "error" and recs[7].errors
    assert all(r.image_path and Path(r.image_path).is_file() for r in recs)
    assert {r.pipeline for r in recs} == {"coins"} and len({r.pipeline_hash for r in recs}) == 1
    assert recs[1].measurements["count.coins"] == 24 and recs[1].latency_ms > 0
    assert (tmp_path / "out" / "results.jsonl").is_file()  # the batch files are still written


def test_run_db_archives_only_ng_by_default(tmp_path, coins_folder):
    db = tmp_path / "d.db"
    assert main(["run", str(COINS), "-i", str(coins_folder[0].parent), "-o", str(tmp_path / "o"), "-q",
                 "--db", str(db)]) == 0
    with ResultsDB(db, readonly=True) as d:
        recs = d.query()
    archived = [r for r in recs if r.image_path]
    assert len(archived) == 11 and all(r.verdict == "NG" or r.status == "error" for r in archived)
    assert Path(archived[0].image_path).parent.parent == tmp_path / "d-images"


def test_replay_with_changed_parameter_reports_exact_differences(recorded, tmp_path, capsys):
    out = tmp_path / "rep"
    rc = main(["replay", str(COINS), "--db", str(recorded), "--set", "judge.low=5", "-o", str(out)])
    text = capsys.readouterr().out
    assert rc == 0
    assert "30 inspections: 0 newly NG, 10 newly OK, 19 unchanged, 0 missing image, 1 error" in text
    rows = _replay_rows(out)
    assert len(rows) == 30
    assert {r["input"][-8:] for r in rows if r["outcome"] == "newly OK"} == {f"f{i:03d}.png" for i in range(0, 30, 3)}
    assert all(r["recorded_verdict"] == "NG" and r["new_verdict"] == "OK" for r in rows if r["outcome"] == "newly OK")
    assert "-> OK" in text and "newly OK" in text


def test_replay_with_changed_pipeline_file_and_missing_image(recorded, tmp_path, capsys):
    pipe = load_pipeline(COINS)
    pipe.set_param("judge", "low", 5.0)
    pipe.set_param("judge", "high", 23.0)
    changed = tmp_path / "changed.json"
    save_pipeline(pipe, changed)
    with ResultsDB(recorded, readonly=True) as db:
        recs = db.query()
    Path(recs[0].image_path).unlink()  # cleaned up by the archive cap, say
    out = tmp_path / "rep2"
    rc = main(["replay", str(changed), "--db", str(recorded), "-o", str(out), "--changes-only"])
    text = capsys.readouterr().out
    assert rc == 0
    assert "30 inspections: 19 newly NG, 9 newly OK, 0 unchanged, 1 missing image, 1 error" in text
    assert "coins = 24, expected in [5, 23]" in text
    rows = _replay_rows(out)
    assert rows[0]["outcome"] == "missing image" and rows[7]["outcome"] == "error"


def test_replay_time_window_and_limit(recorded, tmp_path, capsys):
    with ResultsDB(recorded, readonly=True) as db:
        recs = db.query()
    rc = main(["replay", str(COINS), "--db", str(recorded), "--since", recs[10].time, "--until", recs[19].time,
               "-o", str(tmp_path / "w")])
    assert rc == 0 and "10 inspections: 0 newly NG, 0 newly OK, 10 unchanged" in capsys.readouterr().out
    assert main(["replay", str(COINS), "--db", str(recorded), "--limit", "3", "-o", str(tmp_path / "l")]) == 0
    assert "3 inspections" in capsys.readouterr().out
    assert main(["replay", str(COINS), "--db", str(recorded), "--since", "2999-01-01", "-o", str(tmp_path / "x")]) == 2
    assert "no inspections" in capsys.readouterr().err


def test_replay_errors_are_one_line(tmp_path):
    p = wb("replay", COINS, "--db", tmp_path / "none.db")
    assert p.returncode == 2 and p.stderr.strip().count("\n") == 0 and "not found" in p.stderr
    p = wb("replay", COINS, "--db", tmp_path / "none.db", "--since", "soon")
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_stream_frames_headless(tmp_path, coins_folder):
    db = tmp_path / "s.db"
    p = wb("stream", COINS, "--source", f"folder:{coins_folder[0].parent}", "--loop", "--frames", "45",
           "--db", db, "--output", tmp_path / "o")
    assert p.returncode == 0, p.stderr
    last = p.stdout.strip().splitlines()[-1]
    assert last.startswith("45 frames:") and "fps" in last and "latency" in last
    with ResultsDB(db, readonly=True) as d:
        recs = d.query()
    assert len(recs) == 45 and [r.frame for r in recs] == list(range(45))
    assert sum(r.status == "error" for r in recs) == 2  # the corrupt frame, twice (looped)


def test_stream_status_line_and_rate(tmp_path, coins_folder):
    p = wb("stream", COINS, "--source", str(coins_folder[0].parent), "--rate", "20", "--frames", "30",
           "--no-db", "--output", tmp_path / "o")
    assert p.returncode == 0, p.stderr
    status = [ln for ln in p.stdout.splitlines() if ln.startswith("[running]")]
    assert status and "fps" in status[0] and "OK" in status[0] and "NG" in status[0]


def test_stream_source_errors_are_one_line(tmp_path):
    for spec, msg in (("folder:" + str(tmp_path / "none"), "image folder not found"),
                      ("genicam:" + str(tmp_path / "x.cti"), "GenICam needs the 'harvesters' package"),
                      ("bogus:1", "unknown source kind")):
        p = wb("stream", COINS, "--source", spec, "--no-db")
        assert p.returncode == 2 and msg in p.stderr and "Traceback" not in p.stderr, p.stderr
        assert p.stderr.strip().count("\n") == 0


def test_stream_with_plc(tmp_path, coins_folder):
    from tests.runtime.modbus_server import ModbusTestServer

    srv = ModbusTestServer(lifetime_s=60).start()
    try:
        cfg = tmp_path / "plc.json"
        cfg.write_text(json.dumps({"host": "127.0.0.1", "port": srv.port, "verdict": {"register": 0},
                                   "counters": {"total": 1, "ok": 2, "ng": 3}}))
        p = wb("stream", COINS, "--source", f"folder:{coins_folder[0].parent}", "--plc", cfg, "--no-db",
               "--output", tmp_path / "o")
        assert p.returncode == 0, p.stderr
        assert (srv.register(1), srv.register(2), srv.register(3)) == (30, 19, 10)
        assert srv.register(0) == 1  # the last frame (f029) is OK
    finally:
        srv.stop()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
def test_stream_stops_cleanly_on_ctrl_c_and_sigterm(tmp_path, coins_folder, sig):
    import signal
    import time

    db = tmp_path / "c.db"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "stream", str(COINS), "--source",
                             f"folder:{coins_folder[0].parent}", "--loop", "--rate", "50", "--db", str(db),
                             "--output", str(tmp_path / "o")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        line = proc.stdout.readline()  # the first status line: it is running
        assert line.startswith("[running]"), line
        time.sleep(0.3)
        proc.send_signal(getattr(signal, sig))
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    if sig == "SIGTERM":  # a service manager's stop is a graceful stop, not a failure
        assert proc.returncode == 0, err
        assert "stopped (SIGTERM)" in err and "Traceback" not in err
    else:
        assert proc.returncode == 130, err
        assert "cancelled" in err and "Traceback" not in err
    n = int(out.strip().splitlines()[-1].split()[0])
    with ResultsDB(db, readonly=True) as d:
        assert d.count() == n > 0
