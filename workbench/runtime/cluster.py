"""Replay on a Dask cluster: ``workbench replay PIPELINE --db FILE --cluster local[:N]|dask://HOST:PORT``.

* ``local[:N]``: an in-process ``distributed.LocalCluster`` of N worker *processes* (one thread
  each; default: one per usable core, at most 8). ``dask://HOST:PORT``: a running scheduler
  (``dask scheduler`` on one PC, ``dask worker tcp://HOST:8786 --nworkers N --nthreads 1`` on each
  of the others; docs/CLUSTER.md). Every worker must have the workbench installed and see the
  archived images and the pipeline's model files under the same paths (a network share).
* The records are cut into chunks (``chunk`` images each, at most two chunks per worker thread in
  flight); a chunk runs in one worker, which loads the pipeline and its models **once** and keeps
  them in a worker-level cache (``_STATES``, keyed by the pipeline's digest): onnxruntime sessions
  cannot be pickled, so only the pipeline's file text travels.
* Results come back as small inspection records and are written, **in input order**, into
  ``replay.db`` (SQLite, one committed row per record) in the output folder. A replay that is
  cancelled or killed keeps what was written; running the same replay again (same pipeline, same
  results database) skips the records already in ``replay.db`` and only runs the others.
* Progress: ``on_item`` per record, in order; cancel: the token (or Ctrl+C) stops submitting,
  cancels what is queued and closes the client (and the local cluster).

Dask is optional: ``pip install "vision-workbench[cluster]"``. No Qt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
from collections import deque
from pathlib import Path
from typing import Callable, Iterable

from workbench.core.errors import WorkbenchError
from workbench.core.graph import Pipeline
from workbench.core.spec import CancelToken
from workbench.runtime.inspection import Row
from workbench.runtime.replay import Replay, ReplayItem, replay_item
from workbench.runtime.results import Inspection, pipeline_hash
from workbench.runtime.workers import _Job, _WorkerState, default_workers, thread_budget

log = logging.getLogger(__name__)

DEFAULT_CHUNK = 8
_STATES: dict[str, _WorkerState] = {}  # in each Dask worker process: the loaded pipelines, by digest


def parse_cluster(spec: str) -> tuple[str, int | str]:
    """("local", workers) or ("remote", "tcp://HOST:PORT") from a --cluster value; one-line errors."""
    text = (spec or "").strip()
    if text == "local" or text.startswith("local:"):
        n = text.partition(":")[2]
        if not n:
            return "local", default_workers()
        if not n.isdigit() or int(n) < 1:
            raise WorkbenchError(f"--cluster {spec!r}: expected local:N with N a whole number of 1 or more")
        return "local", int(n)
    if text.startswith("dask://"):
        host, sep, port = text[len("dask://"):].rpartition(":")
        if not host or not sep or not port.isdigit():
            raise WorkbenchError(f"--cluster {spec!r}: expected dask://HOST:PORT (the scheduler, e.g. dask://pc1:8786)")
        return "remote", f"tcp://{host}:{port}"
    raise WorkbenchError(f"--cluster {spec!r}: expected local, local:N or dask://HOST:PORT")


def _require_dask():
    try:
        import distributed
    except ImportError:
        raise WorkbenchError("--cluster needs Dask: pip install \"vision-workbench[cluster]\" "
                             "(dask[distributed])") from None
    return distributed


def connect(spec: str, timeout_s: float = 10.0):
    """(Client, LocalCluster | None) for a --cluster value."""
    distributed = _require_dask()
    for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.worker"):
        if not log.isEnabledFor(logging.DEBUG):
            logging.getLogger(name).setLevel(logging.ERROR)
    kind, where = parse_cluster(spec)
    cluster = None
    try:
        if kind == "local":
            cluster = distributed.LocalCluster(n_workers=int(where), threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=logging.ERROR)
            client = distributed.Client(cluster, timeout=timeout_s)
        else:
            client = distributed.Client(str(where), timeout=timeout_s)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise WorkbenchError(f"--cluster {spec}: cannot reach the Dask scheduler ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else 'timed out'})") from None
    return client, cluster


def _state(job: _Job, digest: str) -> _WorkerState:
    st = _STATES.get(digest)
    if st is None:
        import cv2

        from workbench.core.pipeline_file import loads_pipeline

        os.environ["WORKBENCH_ORT_THREADS"] = str(job.threads)
        cv2.setNumThreads(job.threads)
        pipe = loads_pipeline(job.text, base_dir=Path(job.base_dir), allow_incomplete=True)
        st = _STATES[digest] = _WorkerState(pipe, job.source_id, job.output_dir)
    return st


def replay_chunk(job: _Job, digest: str, items: list[tuple[int, str | None]]) -> list[tuple[int, Row | None]]:
    """Runs in a Dask worker: the pipeline (loaded once per worker) over ``items`` (index, image path)."""
    st = _state(job, digest)
    return [(i, None if path is None or not Path(path).is_file() else st.run(i, path)[0]) for i, path in items]


# ---------------------------------------------------------------- replay.db
class ReplayStore:
    """``replay.db``: one committed row per replayed record, for resuming and reading back."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = Path(path)
        try:
            self.conn = sqlite3.connect(str(self.path), timeout=10)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")  # as the results database: survives a killed process
            self.conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            self.conn.execute("""CREATE TABLE IF NOT EXISTS replayed (
                record_id INTEGER PRIMARY KEY, position INTEGER NOT NULL, outcome TEXT NOT NULL,
                new_verdict TEXT, new_reasons TEXT NOT NULL, errors TEXT NOT NULL, measurements TEXT NOT NULL)""")
            old = self.conn.execute("SELECT value FROM meta WHERE key='replay'").fetchone()
            with self.conn:
                if old is not None and old[0] != key:  # another pipeline or database: start afresh
                    self.conn.execute("DELETE FROM replayed")
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('replay', ?)", (key,))
        except sqlite3.DatabaseError as exc:
            raise WorkbenchError(f"cannot open {self.path}: {exc}") from None

    def done(self) -> dict[int, ReplayItem]:
        rows = self.conn.execute("SELECT record_id, outcome, new_verdict, new_reasons, errors, measurements "
                                 "FROM replayed ORDER BY position").fetchall()
        return {r[0]: ReplayItem(Inspection(id=r[0]), r[1], r[2], json.loads(r[3]), json.loads(r[4]),
                                 json.loads(r[5])) for r in rows}

    def add(self, items: list[tuple[int, ReplayItem]]) -> None:
        """(position, item) pairs in one transaction (a chunk is committed whole or not at all)."""
        with self.conn:
            self.conn.executemany("INSERT OR REPLACE INTO replayed VALUES (?, ?, ?, ?, ?, ?, ?)",
                                  [(item.record.id, position, item.outcome, item.new_verdict,
                                    json.dumps(item.new_reasons, ensure_ascii=False),
                                    json.dumps(item.errors, ensure_ascii=False),
                                    json.dumps(item.measurements, ensure_ascii=False, default=str))
                                   for position, item in items])

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM replayed").fetchone()[0])

    def close(self) -> None:
        self.conn.close()


class ClusterReplay(Replay):
    """A :class:`~workbench.runtime.replay.Replay` whose images run on a Dask cluster."""

    def __init__(self, pipeline: Pipeline, output_dir: Path, cluster: str, source_id: str | None = None, *,
                 db_path: Path | str = "", chunk: int = DEFAULT_CHUNK, connect_timeout_s: float = 10.0) -> None:
        from workbench.core.pipeline_file import dumps_pipeline

        super().__init__(pipeline, output_dir, source_id)
        parse_cluster(cluster)  # a wrong spec is one line before anything starts
        if chunk < 1:
            raise WorkbenchError("--chunk must be 1 or more")
        self.cluster, self.chunk = cluster, chunk
        self.output_dir = Path(output_dir)
        self.digest = pipeline_hash(pipeline)
        self.key = f"{self.digest}|{Path(db_path).resolve() if db_path else ''}"
        self.job = _Job(dumps_pipeline(pipeline), str(pipeline.base_dir), self.batch.source.id,
                        str(self.output_dir), 1)
        self.connect_timeout_s = connect_timeout_s
        self.resumed = 0  # records found already replayed in replay.db
        self.startup_s = 0.0

    def run(self, records: Iterable[Inspection], cancel: CancelToken | None = None,
            on_item: Callable[[ReplayItem], None] | None = None) -> list[ReplayItem]:
        import time

        records = list(records)
        results: dict[int, ReplayItem] = {}
        self.output_dir.mkdir(parents=True, exist_ok=True)
        store = ReplayStore(self.output_dir / "replay.db", self.key)
        try:
            done = store.done()
            todo = [(i, r) for i, r in enumerate(records) if r.id not in done]
            self.resumed = len(records) - len(todo)
            for i, r in enumerate(records):
                if r.id in done:
                    it = done[r.id]
                    results[i] = ReplayItem(r, it.outcome, it.new_verdict, it.new_reasons, it.errors, it.measurements)
            if todo:
                t0 = time.perf_counter()
                client, cluster = connect(self.cluster, self.connect_timeout_s)
                self.startup_s = time.perf_counter() - t0
                try:
                    self._run_chunks(client, records, todo, results, store, cancel, on_item)
                finally:
                    client.close()
                    if cluster is not None:
                        cluster.close()
        finally:
            self.items = [results[i] for i in sorted(results)]  # also when cancelled or interrupted
            store.close()
        return self.items

    def _run_chunks(self, client, records, todo, results, store, cancel, on_item) -> None:
        from distributed import as_completed

        nthreads = sum(client.nthreads().values()) or 1
        self.job.threads = thread_budget(nthreads) if self.cluster.startswith("local") else 1
        chunks = [todo[k:k + self.chunk] for k in range(0, len(todo), self.chunk)]
        order = deque(range(len(chunks)))  # chunks are written in this order
        ready: dict[int, list] = {}
        futures = {}
        pending = iter(range(len(chunks)))
        ac = as_completed()

        def submit_more() -> None:
            while len(futures) < 2 * nthreads and not (cancel and cancel.cancelled):
                c = next(pending, None)
                if c is None:
                    return
                items = [(i, records[i].image_path) for i, _r in chunks[c]]
                fut = client.submit(replay_chunk, self.job, self.digest, items, pure=False,
                                    key=f"replay-{c}-{id(self)}")
                futures[fut] = c
                ac.add(fut)

        try:
            submit_more()
            for fut in ac:
                c = futures.pop(fut)
                try:
                    ready[c] = fut.result()
                except Exception as exc:  # a worker died or raised: one line; replay.db keeps what was done
                    first = (str(exc).strip().splitlines() or [""])[0]
                    raise WorkbenchError(f"cluster: {type(exc).__name__}: {first} (the records replayed so far "
                                         "are in replay.db: run the same replay again to resume)") from None
                while order and order[0] in ready:  # in input order, whatever order chunks finish in
                    items = [(i, replay_item(records[i], row)) for i, row in ready.pop(order.popleft())]
                    store.add(items)  # one commit per chunk
                    for i, item in items:
                        results[i] = item
                        if on_item:
                            on_item(item)
                if cancel and cancel.cancelled:
                    break
                submit_more()
        finally:
            client.cancel(list(futures))
