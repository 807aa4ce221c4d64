"""Runs the engine off the GUI thread: live tuning and folder runs.

* :class:`RunController` owns the open pipeline's :class:`Engine` (and so its cache) and one
  worker thread. ``request(pipeline)`` takes a snapshot of the pipeline right away (the GUI
  goes on editing the original) and runs it in the worker. Edits that arrive while a run is in
  flight are coalesced: only the latest snapshot waits, and it starts the moment the current
  run ends — the latest edit wins and the UI never blocks. A run that has already taken longer
  than ``cancel_after_s`` is cancelled between nodes so a slow model does not delay the edit.
* Engine events cross into the GUI thread as the ``event`` signal (queued connection).
* :class:`FolderRun` runs the pipeline over a folder of images (BatchRun) in its own thread,
  with progress, a cancel token and one row per image.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from workbench.core.engine import Engine, RunResult
from workbench.core.graph import Pipeline
from workbench.core.paths import user_data_dir
from workbench.core.spec import CancelToken, NodeContext
from workbench.gui.document import snapshot
from workbench.gui.worker_thread import WorkerThread


def output_dir() -> Path:
    """Where files written by sink nodes go when run from the GUI (never beside the pipeline)."""
    return user_data_dir() / "output"


class _Worker(QObject):
    event = Signal(object)
    done = Signal(object, object, int)  # RunResult | None, snapshot, ticket
    error = Signal(str, int)

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    @Slot(object, object, int, object)
    def run(self, pipe: Pipeline, cancel: CancelToken, ticket: int, feed: dict | None = None) -> None:
        try:
            ctx = NodeContext(base_dir=pipe.base_dir, output_dir=output_dir())
            res = self.engine.run(pipe, context=ctx, cancel=cancel, on_event=self.event.emit, feed=feed)
            self.done.emit(res, pipe, ticket)
        except Exception as exc:  # a graph error (e.g. a cycle) becomes one line, never a crash
            self.error.emit(f"{type(exc).__name__}: {exc}" if not str(exc).startswith(type(exc).__name__)
                            else str(exc), ticket)


class RunController(QObject):
    event = Signal(object)  # engine events: NodeStarted, NodeFinished, NodeFailed, NodeSkipped, ...
    finished = Signal(object, object)  # RunResult, the snapshot it ran
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None, cancel_after_s: float = 0.5) -> None:
        super().__init__(parent)
        self.engine = Engine()
        self.cancel_after_s = cancel_after_s
        self._worker = _Worker(self.engine)
        self._jobs = WorkerThread(self._worker, "workbench-engine", self)
        self._worker.event.connect(self.event)
        self._worker.done.connect(self._on_done)
        self._worker.error.connect(self._on_error)
        self._jobs.start()
        self._busy = False
        self._pending: Pipeline | None = None
        self._pending_feed: dict | None = None
        self._cancel: CancelToken | None = None
        self._started = 0.0
        self._ticket = 0
        self.runs = 0  # runs started (tests and benches read it)
        self.last: RunResult | None = None
        self.last_pipeline: Pipeline | None = None

    @property
    def busy(self) -> bool:
        return self._busy

    def reset(self) -> None:
        """A different pipeline was opened: forget the cache and the last result."""
        self.engine.clear_cache()
        self.last = None
        self.last_pipeline = None

    def request(self, pipeline: Pipeline, feed: dict | None = None) -> None:
        """Run (a snapshot of) ``pipeline`` as soon as possible; the latest request wins. ``feed``
        gives source nodes their outputs (a live camera's frame: runtime/feed.FrameFeed)."""
        snap = snapshot(pipeline)
        if not self._busy:
            self._start(snap, feed)
            return
        self._pending = snap
        self._pending_feed = feed
        if self._cancel is not None and time.perf_counter() - self._started > self.cancel_after_s:
            self._cancel.cancel()

    def cancel(self) -> None:
        self._pending = None
        if self._cancel is not None:
            self._cancel.cancel()

    def _start(self, snap: Pipeline, feed: dict | None = None) -> None:
        self._busy = True
        self.busyChanged.emit(True)
        self._cancel = CancelToken()
        self._started = time.perf_counter()
        self._ticket += 1
        self.runs += 1
        self._jobs.call(self._worker.run, snap, self._cancel, self._ticket, feed)

    def _next(self) -> None:
        if self._pending is not None:
            snap, self._pending = self._pending, None
            self._start(snap, self._pending_feed)
        else:
            self._busy = False
            self._cancel = None
            self.busyChanged.emit(False)

    @Slot(object, object, int)
    def _on_done(self, res: RunResult, pipe: Pipeline, ticket: int) -> None:
        if not res.cancelled or self._pending is None:
            self.last, self.last_pipeline = res, pipe
            self.finished.emit(res, pipe)
        self._next()

    @Slot(str, int)
    def _on_error(self, message: str, ticket: int) -> None:
        self.failed.emit(message)
        self._next()

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Process events until no run is in flight (tests, screenshots)."""
        from PySide6.QtCore import QCoreApplication

        end = time.perf_counter() + timeout_s
        while (self._busy or self._pending is not None) and time.perf_counter() < end:
            QCoreApplication.processEvents()
            time.sleep(0.002)
        return not self._busy

    def shutdown(self) -> None:
        self.cancel()
        self._jobs.stop()


class _FolderWorker(QObject):
    row = Signal(int, object, object)  # index, Row, RunResult (None from process workers)
    done = Signal(int, bool)  # rows, cancelled
    error = Signal(str)

    def __init__(self, workers: int = 1) -> None:
        super().__init__()
        self.workers = workers

    @Slot(object, object, object, object)
    def run(self, pipe: Pipeline, files: list, out_dir: Path, cancel: CancelToken) -> None:
        from workbench.runtime.batch import BatchRun

        try:
            batch = BatchRun(pipe, out_dir, on_result=lambda i, path, res, row: self.row.emit(i, row, res),
                             workers=self.workers)
            rows = batch.run(files, cancel=cancel)
            self.done.emit(len(rows), cancel.cancelled)
        except Exception as exc:
            self.error.emit(str(exc))


class FolderRun(QObject):
    """One run of the pipeline over a list of image files, in a worker thread; ``workers`` > 1 runs
    the images in that many worker processes (runtime/workers.py), rows still in file order;
    None: the `--workers auto` rule (one per usable core, at most 8, at most one per 4 images)."""

    row = Signal(int, object, object)  # index, Row, RunResult (GUI thread)
    finished = Signal(int, bool)  # rows done, cancelled
    failed = Signal(str)

    def __init__(self, pipeline: Pipeline, files: list[Path], out_dir: Path | None = None,
                 parent: QObject | None = None, workers: int | None = 1) -> None:
        from workbench.runtime.workers import auto_workers

        super().__init__(parent)
        self.files = list(files)
        self.total = len(self.files)
        self.workers = auto_workers(self.total) if workers is None else max(1, min(int(workers), self.total or 1))
        self.out_dir = out_dir or output_dir() / "folder-run"
        self.cancel_token = CancelToken()
        self._pipe = snapshot(pipeline)  # BatchRun sets the source's params: never the document's
        self._worker = _FolderWorker(self.workers)
        self._jobs = WorkerThread(self._worker, "workbench-folder-run", self)
        self._worker.row.connect(self.row)
        self._worker.done.connect(self._done)
        self._worker.error.connect(self._error)
        self.running = False

    def start(self) -> None:
        self.running = True
        self._jobs.start()
        self._jobs.call(self._worker.run, self._pipe, self.files, self.out_dir, self.cancel_token)

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def _stop_thread(self) -> None:
        self.running = False
        self._jobs.stop()

    def _done(self, n: int, cancelled: bool) -> None:
        self._stop_thread()
        self.finished.emit(n, cancelled)

    def _error(self, message: str) -> None:
        self._stop_thread()
        self.failed.emit(message)
