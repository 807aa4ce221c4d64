"""Replay on a real Dask cluster (LocalCluster with worker processes): the verdicts of a local
replay, replay.db written in input order, resume without redoing, one-line errors."""

from __future__ import annotations

import logging
import socket
import sqlite3

import pytest
from distributed import LocalCluster

from tests.runtime.conftest import COINS, make_folder
from workbench.cli import main
from workbench.core.errors import WorkbenchError
from workbench.core.pipeline_file import load_pipeline
from workbench.core.spec import CancelToken
from workbench.runtime.cluster import ClusterReplay, parse_cluster
from workbench.runtime.results import ResultsDB

N = 13


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cl")
    folder = make_folder(tmp / "frames", N, half_every=3, corrupt=(5,))[0].parent
    db = tmp / "r.db"
    assert main(["run", str(COINS), "-i", str(folder), "-o", str(tmp / "o"), "-q", "--db", str(db), "--archive-all",
                 "--workers", "1"]) == 0
    ref = tmp / "ref"
    assert main(["replay", str(COINS), "--db", str(db), "--set", "judge.low=25", "-o", str(ref), "--workers", "1"]) == 0
    return db, (ref / "replay.csv").read_text(encoding="utf-8")


def _positions(out):
    with sqlite3.connect(out / "replay.db") as c:
        return [r[0] for r in c.execute("SELECT position FROM replayed ORDER BY rowid")]


def test_local_cluster_replay_gives_the_local_verdicts_in_order(recorded, tmp_path, capsys):
    db, reference = recorded
    out = tmp_path / "c"
    assert main(["replay", str(COINS), "--db", str(db), "--set", "judge.low=25", "-o", str(out),
                 "--cluster", "local:2", "--chunk", "3"]) == 0
    assert (out / "replay.csv").read_text(encoding="utf-8") == reference
    assert _positions(out) == list(range(N))  # committed in input order, each once
    assert "newly NG" in reference  # the changed judge really changes verdicts


def test_interrupted_cluster_replay_resumes_without_redoing(recorded, tmp_path):
    db, reference = recorded
    with ResultsDB(db, readonly=True) as d:
        records = d.query()
    pipe = load_pipeline(COINS)
    pipe.set_param("judge", "low", 25.0)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    try:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        cancel, first = CancelToken(), []

        def stop_early(item):
            first.append(item.record.id)
            if len(first) == 4:
                cancel.cancel()

        out = tmp_path / "r"
        rp = ClusterReplay(pipe, out, address, db_path=db, chunk=2)
        rp.run(records, cancel, stop_early)
        assert 4 <= len(first) < N and _positions(out) == list(range(len(first)))
        second = []
        rp2 = ClusterReplay(pipe, out, address, db_path=db, chunk=2)
        rp2.run(records, CancelToken(), lambda it: second.append(it.record.id))
        assert rp2.resumed == len(first) and sorted(second) == [r.id for r in records[len(first):]]
        rp2.write_csv(out / "replay.csv")
        assert (out / "replay.csv").read_text(encoding="utf-8") == reference
        assert sorted(_positions(out)) == list(range(N))
    finally:
        cluster.close()


def test_cluster_errors_are_one_line(recorded, tmp_path, capsys):
    db, _ = recorded
    for spec, msg in (("local:0", "expected local:N with N a whole number of 1 or more"),
                      ("dask://nohost", "expected dask://HOST:PORT"), ("spark://x:1", "expected local, local:N")):
        assert main(["replay", str(COINS), "--db", str(db), "-o", str(tmp_path / "e"), "--cluster", spec]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("error: --cluster") and msg in err and "\n" not in err
    with socket.socket() as s:  # a port with no scheduler behind it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rp = ClusterReplay(load_pipeline(COINS), tmp_path / "u", f"dask://127.0.0.1:{port}", db_path=db,
                       connect_timeout_s=2)
    with ResultsDB(db, readonly=True) as d:
        recs = d.query(limit=2)
    with pytest.raises(WorkbenchError, match="cannot reach the Dask scheduler"):
        rp.run(recs)
    assert parse_cluster("local:3") == ("local", 3) and parse_cluster("dask://pc1:8786") == ("remote", "tcp://pc1:8786")
