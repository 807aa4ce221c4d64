"""Parallel workers (runtime/workers.py): rows identical to one worker, in input order, every DB row once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.runtime.conftest import COINS, make_folder
from workbench.cli import main
from workbench.core.errors import WorkbenchError
from workbench.core.pipeline_file import load_pipeline
from workbench.core.spec import CancelToken
from workbench.runtime.batch import BatchRun
from workbench.runtime.results import ResultsDB
from workbench.runtime.workers import WorkerPool, default_workers, parse_workers, thread_budget

TIMING = ("node_ms", "total_ms")


def _rows(jsonl: Path) -> list[dict]:
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    for r in rows:
        for k in TIMING:
            r.pop(k)
    return rows


def _db_rows(path: Path) -> list[tuple]:
    with ResultsDB(path, readonly=True) as db:
        return [(Path(r.input).name, r.frame, r.status, r.verdict, r.reasons, r.measurements, r.errors)
                for r in db.query()]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    # 13 images: halves (NG), whole (OK), one corrupt (error): finishing times differ between them
    return make_folder(tmp_path_factory.mktemp("w") / "frames", 13, half_every=3, corrupt=(5,))[0].parent


@pytest.mark.parametrize("kind", ["process", "thread"])
def test_two_workers_give_the_rows_of_one_in_order_and_each_db_row_once(folder, tmp_path, kind):
    outs = {}
    for n in (1, 2):
        out = tmp_path / f"o{n}"
        rc = main(["run", str(COINS), "-i", str(folder), "-o", str(out), "-q", "--db", str(tmp_path / f"{n}.db"),
                   "--workers", str(n), "--worker-kind", kind, "--set", "save.folder=annotated"])
        assert rc == 0
        outs[n] = out
    one, two = _rows(outs[1] / "results.jsonl"), _rows(outs[2] / "results.jsonl")
    assert len(one) == 13 and [Path(r["input"]).name for r in one] == [f"f{i:03d}.png" for i in range(13)]
    for r in one + two:  # files written by the Save node differ by the output folder only
        r["texts"] = {k: Path(v).name for k, v in r["texts"].items()}
    assert two == one  # row by row, in input order
    assert [r["verdict"] for r in one].count("NG") == 5 and one[5]["status"] == "error"
    db1, db2 = _db_rows(tmp_path / "1.db"), _db_rows(tmp_path / "2.db")
    assert db2 == db1 and len(db2) == 13 and [r[1] for r in db2] == list(range(13))
    with ResultsDB(tmp_path / "2.db", readonly=True) as db:
        times = [r.time for r in db.query()]
    assert times == sorted(set(times))  # rows written back to back still get increasing times (time windows)
    assert sorted((outs[2] / "annotated").iterdir()) and len(list((outs[2] / "annotated").iterdir())) == 12


def test_cancel_keeps_the_rows_before_it_in_order(folder, tmp_path):
    pipe = load_pipeline(COINS)
    cancel = CancelToken()
    seen = []

    def on_row(i, row):
        seen.append(i)
        if i == 2:
            cancel.cancel()

    batch = BatchRun(pipe, tmp_path / "c", workers=2, worker_kind="thread")
    rows = batch.run(sorted(folder.iterdir()), cancel, on_row)
    # the inputs already in flight (at most 2 x workers) finish; nothing more starts
    assert seen == list(range(len(rows))) and 3 <= len(rows) <= 7
    assert len(_rows(tmp_path / "c" / "results.jsonl")) == len(rows)


def test_worker_pool_builds_its_own_pipeline_copies(folder):
    pipe = load_pipeline(COINS)
    before = pipe.nodes["source"].params["path"]
    files = sorted(folder.iterdir())[:4]
    with WorkerPool(pipe, workers=2, kind="thread") as pool:
        got = [(i, row.input) for i, _p, (row, res) in pool.map(enumerate(files))]
    assert got == [(i, str(f)) for i, f in enumerate(files)]
    assert pipe.nodes["source"].params["path"] == before  # the caller's pipeline is never fed


def test_replay_with_workers_equals_one_worker(folder, tmp_path, capsys):
    db = tmp_path / "r.db"
    assert main(["run", str(COINS), "-i", str(folder), "-o", str(tmp_path / "o"), "-q", "--db", str(db),
                 "--archive-all", "--workers", "1"]) == 0
    csvs = []
    for n in (1, 2):
        out = tmp_path / f"rp{n}"
        assert main(["replay", str(COINS), "--db", str(db), "--set", "judge.low=23", "-o", str(out),
                     "--workers", str(n)]) == 0
        csvs.append((out / "replay.csv").read_text(encoding="utf-8"))
    assert csvs[0] == csvs[1] and csvs[0].count("\n") == 14


def test_bad_worker_values_are_one_line(folder, tmp_path, capsys):
    assert main(["run", str(COINS), "-i", str(folder), "-o", str(tmp_path / "b"), "--workers", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: --workers '0': expected a whole number of 1 or more, or auto"
    with pytest.raises(WorkbenchError, match="expected one of process, thread"):
        WorkerPool(load_pipeline(COINS), workers=2, kind="fibre")


def test_thread_budget_never_oversubscribes():
    assert thread_budget(1, 16) == 16 and thread_budget(4, 16) == 4 and thread_budget(3, 2) == 1
    assert all(w * thread_budget(w, c) <= max(c, w) for w in range(1, 20) for c in range(1, 65))
    assert 1 <= default_workers() <= 8 and parse_workers("auto") == default_workers() and parse_workers("3") == 3
