"""One helper for "a QObject worker in its own QThread" (live tuning, folder runs, replay).

    jobs = WorkerThread(worker, "workbench-engine", parent)   # moves the worker into the thread
    jobs.start()
    jobs.call(worker.run, pipe, cancel, ticket)               # runs in the thread, queued
    jobs.stop()                                               # quit and join (10 s at most)

The worker's own signals (progress, rows, done, error) are emitted from the worker thread and
reach GUI-thread receivers as queued calls, so slots there may touch widgets.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot


class _Invoker(QObject):
    @Slot(object)
    def invoke(self, call: tuple[Callable[..., Any], tuple]) -> None:
        fn, args = call
        fn(*args)


class WorkerThread(QObject):
    _go = Signal(object)

    def __init__(self, worker: QObject, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName(name)
        self._invoker = _Invoker()
        worker.moveToThread(self.thread)
        self._invoker.moveToThread(self.thread)
        self._go.connect(self._invoker.invoke)

    def start(self) -> None:
        if not self.thread.isRunning():
            self.thread.start()

    def call(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` in the worker thread, after the calls queued before it."""
        self._go.emit((fn, args))

    def stop(self, wait_ms: int = 10_000) -> None:
        self.thread.quit()
        self.thread.wait(wait_ms)
