"""Results database: schema, migration, WAL, CSV, archive cap, crash safety (SIGKILL)."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from workbench.core.errors import WorkbenchError
from workbench.runtime.results import (SCHEMA_VERSION, Archive, Inspection, ResultsDB, default_db_path, migrate,
                                       parse_time, schema_version)


def test_schema_wal_and_roundtrip(tmp_path):
    db = ResultsDB(tmp_path / "r.db")
    rec = Inspection(pipeline="coins", pipeline_hash="abc", input="a.png", verdict="NG", reasons=["coins = 3"],
                     measurements={"count.coins": np.int64(3), "area": 1.5}, detections={"count": 2, "labels": {"x": 2}},
                     provider="det: ran on CPU", latency_ms=12.5, texts={"ocr.text": "LOT 1"})
    rid = db.add(rec)
    assert rid == 1 and rec.id == 1
    (back,) = db.query()
    assert back.measurements == {"count.coins": 3, "area": 1.5} and back.reasons == ["coins = 3"]
    assert back.detections["labels"] == {"x": 2} and back.provider == "det: ran on CPU" and back.texts["ocr.text"] == "LOT 1"
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema_version(db.conn) == SCHEMA_VERSION
    db.close()


def test_default_path_is_in_user_data(tmp_path):
    assert default_db_path().name == "results.db" and "VisionWorkbench" in str(default_db_path())


def test_migration_from_version_1_keeps_rows(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    migrate(conn, target=1)
    conn.execute("INSERT INTO inspections(time, pipeline, pipeline_hash, input, status, verdict) "
                 "VALUES ('2026-01-01T00:00:00.000+00:00', 'p', 'h', 'x.png', 'ok', 'OK')")
    conn.commit()
    conn.close()
    db = ResultsDB(path)
    assert schema_version(db.conn) == SCHEMA_VERSION
    (rec,) = db.query()
    assert rec.input == "x.png" and rec.verdict == "OK" and rec.source == "" and rec.errors == []
    db.close()


def test_newer_schema_is_refused_in_one_line(tmp_path):
    path = tmp_path / "new.db"
    ResultsDB(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_version SET version = 99")
    conn.commit()
    conn.close()
    with pytest.raises(WorkbenchError, match="schema version 99"):
        ResultsDB(path)


def test_not_a_database_is_one_line(tmp_path):
    p = tmp_path / "x.db"
    p.write_bytes(b"garbage" * 1000)
    with pytest.raises(WorkbenchError, match="cannot open results database"):
        ResultsDB(p)


def test_query_filters_and_csv(tmp_path):
    db = ResultsDB(tmp_path / "r.db")
    for i, t in enumerate(["2026-01-01T08:00:00.000+00:00", "2026-01-01T09:00:00.000+00:00",
                           "2026-01-01T10:00:00.000+00:00"]):
        db.add(Inspection(time=t, pipeline="p", input=f"{i}.png", verdict="OK" if i else "NG",
                          measurements={"m": i}, reasons=[] if i else ["too few"]))
    assert [r.input for r in db.query(since="2026-01-01T08:30:00.000+00:00")] == ["1.png", "2.png"]
    assert [r.input for r in db.query(until="2026-01-01T09:00:00.000+00:00", limit=1)] == ["0.png"]
    assert parse_time("2026-01-01T09:00Z") == "2026-01-01T09:00:00.000+00:00"
    with pytest.raises(WorkbenchError, match="not a date"):
        parse_time("yesterday")
    n = db.export_csv(tmp_path / "out.csv")
    rows = list(csv.DictReader(open(tmp_path / "out.csv", encoding="utf-8")))
    assert n == 3 and rows[0]["verdict"] == "NG" and rows[0]["reasons"] == "too few" and rows[2]["m"] == "2"
    db.close()


def test_archive_cap_deletes_oldest_first(tmp_path):
    img = (np.random.default_rng(0).random((64, 64)) * 255).astype(np.uint8)  # ~4 KB as PNG
    arch = Archive(tmp_path / "a", max_bytes=20_000)
    paths = [arch.save_image(img, f"n{i}") for i in range(10)]
    assert arch.total_bytes <= 20_000 and arch.deleted > 0
    kept = [p for p in paths if p.exists()]
    assert kept == paths[len(paths) - len(kept):]  # the newest survive, in order
    assert sum(p.stat().st_size for p in kept) == arch.total_bytes
    # a new Archive on the same folder counts what is there
    arch2 = Archive(tmp_path / "a", max_bytes=20_000)
    assert arch2.total_bytes == arch.total_bytes
    assert arch.wants("NG") and not arch.wants("OK") and arch.wants(None, "error")
    assert Archive(tmp_path / "b", save_all=True).wants("OK")


WRITER = textwrap.dedent("""
    import sys
    from workbench.runtime.results import Inspection, ResultsDB
    db = ResultsDB(sys.argv[1])
    i = 0
    while True:
        i += 1
        rid = db.add(Inspection(pipeline="p", input=f"{i}.png", verdict="OK", measurements={"i": i},
                                reasons=["x" * 200]))
        sys.stdout.write(f"{rid}\\n")
        sys.stdout.flush()
""")


def test_sigkill_while_writing_keeps_every_committed_record(tmp_path):
    if sys.platform == "win32":
        pytest.skip("SIGKILL is POSIX")
    path = tmp_path / "crash.db"
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.getcwd(), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True, env=env)
    committed = []
    t0 = time.monotonic()
    try:
        while len(committed) < 300 and time.monotonic() - t0 < 60:
            line = proc.stdout.readline()
            if not line:
                break
            committed.append(int(line))
        os.kill(proc.pid, signal.SIGKILL)
        rest = proc.stdout.read()  # ids printed between our last read and the kill
        committed += [int(x) for x in rest.split()]
    finally:
        proc.kill()
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    assert len(committed) >= 300, "the writer did not get going"
    db = ResultsDB(path, readonly=True)
    assert db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = {r.id for r in db.query()}
    assert set(committed) <= ids  # every committed record is there
    assert ids == set(range(1, max(ids) + 1))  # and nothing half-written in between
    db.close()
    ResultsDB(path).close()  # opens for writing again (WAL recovered)
