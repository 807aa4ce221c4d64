"""The one QThread + worker helper: calls run in the worker thread, in order; results come back queued."""

import threading

from PySide6.QtCore import QObject, Signal, Slot

from workbench.gui.worker_thread import WorkerThread


class _Echo(QObject):
    done = Signal(int, object)  # value, thread id

    def run(self, value: int) -> None:
        self.done.emit(value, threading.get_ident())


class _Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.got: list = []

    @Slot(int, object)
    def take(self, value: int, tid: int) -> None:
        self.got.append((value, tid, threading.get_ident()))


def test_calls_run_in_the_worker_thread_in_order(qtbot):
    worker = _Echo()
    jobs = WorkerThread(worker, "test-worker")
    receiver = _Receiver()  # lives in the GUI thread
    got = receiver.got
    worker.done.connect(receiver.take)
    jobs.start()
    try:
        for i in range(5):
            jobs.call(worker.run, i)
        qtbot.waitUntil(lambda: len(got) == 5, timeout=10_000)
    finally:
        jobs.stop()
    gui = threading.get_ident()
    assert [v for v, _, _ in got] == [0, 1, 2, 3, 4]
    assert all(tid != gui for _, tid, _ in got)  # run in the worker thread
    assert all(recv == gui for _, _, recv in got)  # received, queued, in the GUI thread
    assert not jobs.thread.isRunning() and jobs.thread.objectName() == "test-worker"
