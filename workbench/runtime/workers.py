"""Parallel workers on one machine: the pipeline over many inputs on every core, results in input order.

``workbench run``, ``replay`` and the GUI's folder run hand their inputs to a :class:`WorkerPool`;
``stream`` hands frames to one (``runtime/stream.py``). Each worker holds its own copy of the
pipeline, its own :class:`~workbench.runtime.feed.FrameFeed` and :class:`~workbench.core.engine.Engine`
(so its own cache); the caller gets ``(index, path, Row, RunResult | None)`` back **in input order**
and writes rows, records and files itself, in one thread: the results database gets every row
once and in order, whatever order the workers finish in.

Kinds (measured in bench/bench_workers.py, docs/PERFORMANCE.md):

* ``process`` (the default): a ``spawn``-ed process per worker. The pipeline travels as its file text
  and is loaded once per worker; models are loaded once per worker (an onnxruntime session cannot
  be pickled, and a session shared by threads runs one call at a time). Only the small inspection
  record (:class:`~workbench.runtime.inspection.Row`) comes back, so ``RunResult`` is ``None``.
  The engine's own Python (cache keys, type checks, blob measurements) holds the GIL, which is
  why processes beat threads on the coins pipeline.
* ``thread``: a thread per worker, same process; ``RunResult`` comes back too (the GUI can show
  it) and frames need no copying (streams).

Thread pools: each worker gets ``cores // workers`` OpenCV threads and onnxruntime intra-op threads
(at least 1), so workers x threads never oversubscribes the cores (:func:`thread_budget`).
Default worker count: :func:`default_workers`. No Qt.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from workbench.core.errors import WorkbenchError
from workbench.core.graph import Pipeline
from workbench.core.spec import CancelToken, NodeContext
from workbench.runtime.inspection import Row, inspect

KINDS = ("process", "thread")
INPUTS_PER_AUTO_WORKER = 4  # --workers auto: a worker process takes about a second to start
MAX_DEFAULT_WORKERS = 8  # past this, memory (a 5 MP image is 15 MB per node output) matters more than cores


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_workers() -> int:
    """The default ``--workers``: every usable core, at most 8 (``MAX_DEFAULT_WORKERS``)."""
    return max(1, min(MAX_DEFAULT_WORKERS, usable_cores()))


def auto_workers(n_inputs: int) -> int:
    """`--workers auto` for a batch of ``n_inputs``: :func:`default_workers`, at most one per
    ``INPUTS_PER_AUTO_WORKER`` inputs (a worker process takes about a second to start)."""
    return max(1, min(default_workers(), n_inputs // INPUTS_PER_AUTO_WORKER))


def batch_workers(value: str | int | None, n_inputs: int) -> int:
    """The workers a batch of ``n_inputs`` gets from ``--workers`` ("auto": :func:`auto_workers`)."""
    if value is None or str(value).strip().lower() in ("", "auto"):
        return auto_workers(n_inputs)
    return max(1, min(parse_workers(value), n_inputs))


def stream_workers(value: str | int | None) -> int:
    """The worker threads of a stream from ``--workers``; sizes OpenCV's one pool to cores ÷ workers."""
    n = parse_workers(value)
    if n > 1:
        import cv2

        cv2.setNumThreads(thread_budget(n))  # one process-wide OpenCV pool, shared by the worker threads
    return n


def thread_budget(workers: int, cores: int | None = None) -> int:
    """OpenCV / onnxruntime threads per worker so that workers x threads <= cores (at least 1)."""
    return max(1, (cores or usable_cores()) // max(1, workers))


def parse_workers(value: str | int | None) -> int:
    """``--workers`` as given: a count >= 1, or "auto"/None for :func:`default_workers`."""
    if value is None or str(value).strip().lower() in ("", "auto"):
        return default_workers()
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise WorkbenchError(f"--workers {value!r}: expected a whole number of 1 or more, or auto")
    return int(text)


# ---------------------------------------------------------------- one worker's state
@dataclass
class _Job:
    """What a worker needs to build its own pipeline: the file text (processes) or a copy (threads)."""

    text: str
    base_dir: str
    source_id: str | None
    output_dir: str | None
    threads: int


class _WorkerState:
    """A worker's pipeline, feed and engine (one per thread or process)."""

    def __init__(self, pipeline: Pipeline, source_id: str | None, output_dir: str | None) -> None:
        from workbench.core.engine import Engine
        from workbench.runtime.feed import FrameFeed

        self.pipeline = pipeline
        self.feed = FrameFeed(pipeline, source_id)
        self.engine = Engine()
        self.output_dir = Path(output_dir) if output_dir else None

    def run(self, index: int, path: str, cancel: CancelToken | None = None):
        ctx = NodeContext(base_dir=self.pipeline.base_dir, output_dir=self.output_dir, input_path=Path(path),
                          frame_index=index)
        res = self.feed.run(self.engine, Path(path), ctx, cancel)
        return inspect(str(path), res, self.feed.text_nodes), res


_PROCESS_STATE: _WorkerState | None = None  # the one state of a worker process


def _process_init(job: _Job) -> None:
    """Runs once in each spawned worker process: thread pools, then the pipeline and its feed."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle (it cancels)
    os.environ["WORKBENCH_ORT_THREADS"] = str(job.threads)
    os.environ["WORKBENCH_CV_THREADS"] = str(job.threads)
    import cv2

    cv2.setNumThreads(job.threads)
    from workbench.core.pipeline_file import loads_pipeline

    global _PROCESS_STATE
    pipe = loads_pipeline(job.text, base_dir=Path(job.base_dir), allow_incomplete=True)
    _PROCESS_STATE = _WorkerState(pipe, job.source_id, job.output_dir)


def _process_run(index: int, path: str) -> Row:
    assert _PROCESS_STATE is not None, "worker process not initialised"
    return _PROCESS_STATE.run(index, path)[0]


def _done(value) -> Future:
    f: Future = Future()
    f.set_result(value)
    return f


# ---------------------------------------------------------------- the pool
class WorkerPool:
    """``workers`` copies of ``pipeline`` fed with files; :meth:`map` yields results in input order.

    At most ``2 x workers`` inputs are in flight (memory stays bounded however long the list).
    Cancelling (the token, or closing the pool) lets the inputs in flight finish and starts no more.
    """

    def __init__(self, pipeline: Pipeline, *, workers: int, kind: str = "process", source_id: str | None = None,
                 output_dir: Path | None = None, threads: int | None = None) -> None:
        if kind not in KINDS:
            raise WorkbenchError(f"worker kind {kind!r}: expected one of {', '.join(KINDS)}")
        if workers < 1:
            raise WorkbenchError("--workers must be 1 or more")
        from workbench.core.pipeline_file import dumps_pipeline
        from workbench.runtime.feed import pick_source

        pick_source(pipeline, source_id)  # a wrong --source is one line now, not in every worker
        self.workers, self.kind = workers, kind
        self.threads = threads or thread_budget(workers)
        self._pipeline, self._source_id = pipeline, source_id
        self._output_dir = str(output_dir) if output_dir else None
        self._local = threading.local()
        self._states: list[_WorkerState] = []
        self._lock = threading.Lock()
        self._saved_cv: int | None = None
        if kind == "process":
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            job = _Job(dumps_pipeline(pipeline), str(pipeline.base_dir), source_id, self._output_dir, self.threads)
            self._ex = ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=_process_init,
                                           initargs=(job,))
        else:
            import cv2

            self._saved_cv = cv2.getNumThreads()
            cv2.setNumThreads(self.threads)  # one process-wide pool, shared by the worker threads
            self._ex = ThreadPoolExecutor(workers, thread_name_prefix="workbench-worker")

    # -- threads ---------------------------------------------------------------------------------
    def _thread_state(self) -> _WorkerState:
        st = getattr(self._local, "state", None)
        if st is None:
            with self._lock:  # Pipeline.copy reads the shared graph: one at a time
                st = _WorkerState(self._pipeline.copy(), self._source_id, self._output_dir)
                self._states.append(st)
            self._local.state = st
        return st

    def _thread_run(self, index: int, path: str, cancel: CancelToken | None):
        return self._thread_state().run(index, path, cancel)

    # -- work ------------------------------------------------------------------------------------
    def submit(self, index: int, path: Path | str | None, cancel: CancelToken | None = None) -> Future:
        """A future of (Row, RunResult | None); ``path`` None: nothing to run (a future of None)."""
        if path is None:
            return _done(None)
        if self.kind == "process":
            fut = self._ex.submit(_process_run, index, str(path))
            out: Future = Future()

            def relay(f: Future) -> None:
                if f.cancelled():  # the pool shut down (cancel, an error in the caller): nothing to relay
                    out.cancel()
                    return
                exc = f.exception()
                if exc is not None:
                    out.set_exception(exc)
                else:
                    out.set_result((f.result(), None))

            fut.add_done_callback(relay)
            return out
        return self._ex.submit(self._thread_run, index, str(path), cancel)

    def map(self, items: Iterable[tuple[int, Path | str | None]], cancel: CancelToken | None = None
            ) -> Iterator[tuple[int, Path | str | None, tuple[Row, object] | None]]:
        """``(index, path, (Row, RunResult | None) | None)`` for each ``(index, path)``, in input order."""
        pending: deque = deque()
        it = iter(items)
        exhausted = False
        while True:
            while not exhausted and len(pending) < 2 * self.workers and not (cancel and cancel.cancelled):
                try:
                    index, path = next(it)
                except StopIteration:
                    exhausted = True
                    break
                pending.append((index, path, self.submit(index, path, cancel)))
            if not pending:
                return
            index, path, fut = pending.popleft()
            yield index, path, _result(fut)

    def close(self) -> None:
        """Start nothing more; wait for what runs (a worker process that died is reported by map)."""
        self._ex.shutdown(wait=True, cancel_futures=True)
        if self._saved_cv is not None:
            import cv2

            cv2.setNumThreads(self._saved_cv)
            self._saved_cv = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _result(fut: Future):
    from concurrent.futures.process import BrokenProcessPool

    try:
        return fut.result()
    except BrokenProcessPool as exc:
        raise WorkbenchError(f"a worker process ended unexpectedly ({exc}); the rows before it were kept") from None


# ---------------------------------------------------------------- streams
def run_in_order(runner, frames, end) -> None:
    """The processing stage of a :class:`~workbench.runtime.stream.StreamRunner` with
    ``runner.workers`` threads: frames from the ``frames`` queue (up to ``end``) run in parallel,
    each thread with its own pipeline copy, feed and engine; an emitter thread hands results to
    ``runner._finish`` in frame order, the moment the oldest one is ready. At most ``workers``
    frames are in flight: when all are busy this loop stops taking frames, the runner's bounded
    frame queue fills and a live source drops (counted) instead of queueing without bound."""
    import queue

    from workbench.core.engine import Engine
    from workbench.runtime.feed import FrameFeed

    local = threading.local()
    lock = threading.Lock()
    slots = threading.Semaphore(runner.workers)
    ordered: queue.Queue = queue.Queue()

    def work(frame):
        st = getattr(local, "st", None)
        if st is None:
            with lock:  # Pipeline.copy reads the shared graph: one at a time
                pipe = runner.pipeline.copy()
            st = local.st = (FrameFeed(pipe, runner.node.id, frame_source=runner.source), Engine())
        return runner._process(frame, *st)

    def emit() -> None:
        for frame, fut in iter(ordered.get, end):
            try:
                result = fut.result()
            except Exception as exc:  # _process guards the run; this guards the guard (the stream goes on)
                from workbench.runtime.stream import StreamResult

                result = StreamResult(frame, Row(frame.source_id, "error", errors=[f"{type(exc).__name__}: {exc}"]),
                                      None)
            finally:
                slots.release()
            if not runner._stop.is_set():
                runner._finish(frame, result)

    emitter = threading.Thread(target=emit, name="workbench-stream-order", daemon=True)
    emitter.start()
    try:
        with ThreadPoolExecutor(runner.workers, thread_name_prefix="workbench-stream-worker") as ex:
            for frame in iter(frames.get, end):
                if runner._stop.is_set():
                    continue  # drain to the end marker
                while not slots.acquire(timeout=0.1):
                    if runner._stop.is_set():
                        break
                else:
                    ordered.put((frame, ex.submit(work, frame)))
    finally:
        ordered.put(end)
        emitter.join()
