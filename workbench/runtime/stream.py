"""The streaming runner: a pipeline over a live or replayed source, all day. No Qt.

Three threads joined by bounded queues:

    acquisition ──frames(queue)──▶ processing ──results(queue)──▶ output
    (source.read, trigger,          (Engine.run with the           (results DB, archive, PLC /
     reconnect with back-off)        frame fed to the source node)  text outputs, on_result)

* Display: ``latest()`` always returns the newest result (a slot, replaced, never queued) and
  ``on_latest`` is called from the processing thread; nothing the display does can block
  acquisition. Keep that callback short (a GUI emits a signal).
* Live sources (cameras) drop the oldest waiting frame when processing is behind (counted in
  ``stats.dropped``); replay sources (folder, video file) wait, so every frame is processed once.
* A node failing on one frame gives an error result for that frame; the stream goes on.
* A source that fails to open or disconnects is closed and opened again with exponential
  back-off; ``state`` is connecting → running → reconnecting → … → stopped (``on_state``).
* ``stop()`` ends all three threads and joins them; the source is closed.
"""

from __future__ import annotations

import logging
import queue
import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from workbench.core.engine import Engine, RunResult
from workbench.core.graph import Pipeline
from workbench.core.spec import CancelToken, NodeContext
from workbench.runtime.feed import FrameFeed
from workbench.runtime.inspection import Row, inspect, overlay_image, overlay_node
from workbench.runtime.sources import (Frame, FrameSource, SourceConfigError, SourceDisconnected,
                                       SourceError)

log = logging.getLogger(__name__)

CONNECTING, RUNNING, RECONNECTING, STOPPED = "connecting", "running", "reconnecting", "stopped"
_END = object()
ALARM = "ALARM: "  # starts the state message while an output fails (the operator screen shows it red)


@dataclass
class StreamResult:
    frame: Frame
    row: Row
    run: RunResult | None
    latency_ms: float = 0.0  # acquisition → result ready (queueing included)
    trigger_ms: float | None = None  # trigger fired → result ready (triggered sources only)
    process_ms: float = 0.0  # the pipeline run alone
    overlay: np.ndarray | None = None  # the annotated image when the pipeline draws one
    record_id: int | None = None  # set by the output thread when a DB is attached

    @property
    def verdict(self) -> str | None:
        return self.row.verdict

    @property
    def ok(self) -> bool:
        return self.row.status == "ok"


@dataclass
class Backoff:
    initial_s: float = 0.5
    factor: float = 2.0
    max_s: float = 10.0

    def delays(self):
        d = self.initial_s
        while True:
            yield d
            d = min(d * self.factor, self.max_s)


@dataclass
class StreamStats:
    acquired: int = 0
    processed: int = 0
    dropped: int = 0
    errors: int = 0
    ok: int = 0
    ng: int = 0
    reconnects: int = 0
    started: float = field(default_factory=time.perf_counter)
    latency_ms: deque = field(default_factory=lambda: deque(maxlen=500))
    process_ms: deque = field(default_factory=lambda: deque(maxlen=500))
    acquire_ms: deque = field(default_factory=lambda: deque(maxlen=500))
    output_ms: deque = field(default_factory=lambda: deque(maxlen=500))
    trigger_ms: deque = field(default_factory=lambda: deque(maxlen=500))
    camera_dropped: int = 0  # frames the camera sent that never arrived whole (GenICam)
    done_times: deque = field(default_factory=lambda: deque(maxlen=1000))

    def fps(self, window_s: float = 2.0) -> float:
        """Throughput over the last ``window_s`` seconds (results per second)."""
        now = time.perf_counter()
        times = [t for t in list(self.done_times) if now - t <= window_s]
        if len(times) < 2:
            return 0.0
        span = max(times[-1] - times[0], 1e-9)
        return (len(times) - 1) / span

    def overall_fps(self) -> float:
        t = list(self.done_times)
        if len(t) < 2:
            return 0.0
        return (len(t) - 1) / max(t[-1] - t[0], 1e-9)

    def snapshot(self) -> dict[str, Any]:
        def summary(values) -> dict[str, float]:
            v = sorted(values)
            if not v:
                return {"mean": 0.0, "p50": 0.0, "p95": 0.0, "max": 0.0}
            return {"mean": round(statistics.fmean(v), 3), "p50": round(v[len(v) // 2], 3),
                    "p95": round(v[min(len(v) - 1, int(0.95 * len(v)))], 3), "max": round(v[-1], 3)}

        total = self.ok + self.ng
        return {"acquired": self.acquired, "processed": self.processed, "dropped": self.dropped,
                "errors": self.errors, "ok": self.ok, "ng": self.ng,
                "yield": round(self.ok / total, 4) if total else None, "reconnects": self.reconnects,
                "fps": round(self.fps(), 2), "uptime_s": round(time.perf_counter() - self.started, 2),
                "latency_ms": summary(self.latency_ms), "process_ms": summary(self.process_ms),
                "acquire_ms": summary(self.acquire_ms), "output_ms": summary(self.output_ms),
                "trigger_ms": summary(self.trigger_ms), "camera_dropped": self.camera_dropped}


class StreamRunner:
    """Runs ``pipeline`` on every frame of ``source``. Outputs: ``recorder`` (a callable taking a
    StreamResult and returning a record id, e.g. :class:`StreamRecorder`) and ``outputs`` (objects
    with ``send(result)``: PLC, TCP text); ``on_result`` is called in the output thread."""

    def __init__(self, pipeline: Pipeline, source: FrameSource, *, source_node: str | None = None,
                 output_dir: Path | None = None, recorder: Callable[[StreamResult], int | None] | None = None,
                 outputs: list[Any] = (), on_result: Callable[[StreamResult], None] | None = None,
                 on_latest: Callable[[StreamResult], None] | None = None,
                 on_state: Callable[[str, str], None] | None = None, queue_size: int = 4,
                 max_frames: int | None = None, backoff: Backoff | None = None,
                 max_reconnects: int | None = None, workers: int = 1) -> None:
        self.pipeline = pipeline
        self.source = source
        self.feed = FrameFeed(pipeline, source_node, frame_source=source)
        self.node = self.feed.node
        self.output_dir = output_dir
        self.recorder = recorder
        self.outputs = list(outputs)
        self.on_result, self.on_latest, self.on_state = on_result, on_latest, on_state
        self.max_frames = max_frames
        self.backoff = backoff or Backoff()
        self.max_reconnects = max_reconnects
        self.engine = Engine()
        self.stats = StreamStats()
        self.state = STOPPED
        self.state_message = ""
        self.error: str | None = None  # why the stream ended on its own (source gave up), if it did
        self.alarm = ""  # what is going wrong with the outputs now (results database, PLC), "" when fine
        self._frames: queue.Queue = queue.Queue(maxsize=max(1, queue_size))
        self._results: queue.Queue = queue.Queue(maxsize=max(1, queue_size))
        self._stop = threading.Event()
        self._cancel = CancelToken()
        self._latest: StreamResult | None = None
        self._latest_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._skip_text = self.feed.text_nodes
        self._overlay_node = overlay_node(pipeline)
        self._done = threading.Event()
        self.workers = max(1, int(workers))  # > 1: frames run in parallel threads, emitted in order
        self._local = threading.local()

    # -- control ---------------------------------------------------------------------------------
    def start(self) -> StreamRunner:
        if self._threads:
            raise RuntimeError("the stream runner was already started")
        self.stats = StreamStats()
        for name, target in (("acquire", self._acquire_loop), ("process", self._process_loop),
                             ("output", self._output_loop)):
            t = threading.Thread(target=target, name=f"workbench-stream-{name}", daemon=True)
            self._threads.append(t)
        for t in self._threads:
            t.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Stop acquiring, finish nothing more, join every thread, close the source."""
        self._stop.set()
        self._cancel.cancel()
        self.source.interrupt()  # wakes a source waiting on its rate; the acquisition thread closes it
        self.join(timeout)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the stream to end (a finite source, max_frames, or stop())."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for t in self._threads:
            t.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        alive = any(t.is_alive() for t in self._threads)
        return not alive

    wait = join

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def latest(self) -> StreamResult | None:
        with self._latest_lock:
            return self._latest

    def trigger(self) -> None:
        """Software trigger (when the source has a Trigger)."""
        if self.source.trigger is not None:
            self.source.trigger.fire()

    def __enter__(self) -> StreamRunner:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- state -----------------------------------------------------------------------------------
    def _set_state(self, state: str, message: str = "") -> None:
        self.state, self.state_message = state, message
        shown = f"{ALARM}{self.alarm}" + (f" | {message}" if message else "") if self.alarm else message
        _callback(self.on_state, "on_state", state, shown)

    def _check_alarm(self) -> None:
        """Collect the alarms of the recorder and outputs; tell on_state when they change."""
        alarm = "; ".join(a for a in (getattr(x, "alarm", "") for x in [self.recorder, *self.outputs]) if a)
        if alarm != self.alarm:
            self.alarm = alarm
            self._set_state(self.state, self.state_message)

    # -- threads ---------------------------------------------------------------------------------
    def _put(self, q: queue.Queue, item, drop_oldest: bool = False) -> bool:
        while not self._stop.is_set():
            try:
                if drop_oldest:  # live source: never wait; the oldest waiting frame makes room
                    q.put_nowait(item)
                else:
                    q.put(item, timeout=0.1)
                return True
            except queue.Full:
                if drop_oldest:
                    try:
                        q.get_nowait()
                        self.stats.dropped += 1
                    except queue.Empty:
                        pass
        return False

    def _put_end(self, q: queue.Queue) -> None:
        """Queue the end marker behind the last items. At the end of a finite source it waits for
        room, however slow the next stage is (every frame is processed); only when stopping does it
        drop the oldest waiting item to make room (the next stage discards those anyway)."""
        while True:
            try:
                q.put(_END, timeout=0.1)
                return
            except queue.Full:
                if not self._stop.is_set():
                    continue
                try:
                    q.get_nowait()
                except queue.Empty:
                    pass

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopped; True when stopped."""
        return self._stop.wait(seconds)

    def _acquire_loop(self) -> None:
        src = self.source
        delays = self.backoff.delays()
        tries = 0
        if src.trigger is not None:
            src.trigger.start()  # a timer starts ticking
        try:
            while not self._stop.is_set():
                if not src.opened:
                    self._set_state(CONNECTING if tries == 0 else RECONNECTING, src.describe())
                    try:
                        src.open()
                    except SourceError as exc:
                        tries += 1
                        if (not src.live or isinstance(exc, SourceConfigError)
                                or (self.max_reconnects is not None and tries > self.max_reconnects)):
                            self.error = str(exc)
                            break
                        delay = next(delays)
                        self._set_state(RECONNECTING, f"{exc}; retrying in {delay:.1f} s")
                        if self._sleep(delay):
                            break
                        continue
                    if tries:
                        self.stats.reconnects += 1
                    tries = 0
                    delays = self.backoff.delays()
                    self._set_state(RUNNING, src.describe())
                if src.trigger is not None and not src.trigger.wait(0.1):
                    continue
                t0 = time.perf_counter()
                try:
                    frame = src.read()
                except SourceDisconnected as exc:
                    src.close()
                    tries = 1
                    delay = next(delays)
                    self._set_state(RECONNECTING, f"{exc}; retrying in {delay:.1f} s")
                    if self._sleep(delay):
                        break
                    continue
                except Exception as exc:  # an unexpected source failure: end with one line
                    self.error = f"{src.describe()}: {type(exc).__name__}: {exc}"
                    break
                if frame is None:  # end of a finite source (or closed by stop())
                    if src.incomplete and not self._stop.is_set():  # e.g. a truncated video: say so
                        self.error = src.incomplete
                    break
                if src.trigger is not None:
                    frame.t_trigger = src.trigger.last_fire_t
                self.stats.camera_dropped = int(getattr(src, "dropped", 0))
                self.stats.acquire_ms.append((time.perf_counter() - t0) * 1000)
                self.stats.acquired += 1
                if not self._put(self._frames, frame, drop_oldest=src.live):
                    break
                if self.max_frames is not None and self.stats.acquired >= self.max_frames:
                    break
        finally:
            if src.trigger is not None:
                src.trigger.stop()
            src.close()
            self._put_end(self._frames)

    def _process(self, frame: Frame, feed: FrameFeed | None = None, engine: Engine | None = None) -> StreamResult:
        if frame.image is None:
            row = Row(frame.source_id, "error", errors=[frame.error or "no image"])
            return StreamResult(frame, row, None)
        ctx = NodeContext(base_dir=self.pipeline.base_dir, output_dir=self.output_dir,
                          input_path=Path(frame.source_id.split("#")[0]) if "://" not in frame.source_id else None,
                          frame_index=frame.index)
        t0 = time.perf_counter()
        try:
            res = (feed or self.feed).run(engine or self.engine, frame, ctx, self._cancel)
        except Exception as exc:  # the engine reports node failures itself; this is a last guard
            row = Row(frame.source_id, "error", errors=[f"{type(exc).__name__}: {exc}"])
            return StreamResult(frame, row, None, process_ms=(time.perf_counter() - t0) * 1000)
        process_ms = (time.perf_counter() - t0) * 1000
        row = inspect(frame.source_id, res, (feed or self.feed).text_nodes)
        overlay = overlay_image(self.pipeline, res, self._overlay_node) if self._overlay_node else None
        return StreamResult(frame, row, res, process_ms=process_ms, overlay=overlay)

    @staticmethod
    def _drain(q: queue.Queue, handle: Callable[[Any], None], idle: Callable[[], None] | None = None) -> None:
        """Handle every item of ``q`` up to the end marker; ``idle`` is called every 0.5 s without one."""
        while True:
            try:
                item = q.get(timeout=0.5) if idle else q.get()
            except queue.Empty:
                idle()
                continue
            if item is _END:
                return
            handle(item)

    def _process_one(self, frame: Frame) -> None:
        if self._stop.is_set():
            return  # drain to the end marker
        self._finish(frame, self._process(frame))

    def _finish(self, frame: Frame, result: StreamResult) -> None:
        """A frame's result, in frame order: latency (acquired -> ready; trigger -> ready), the display
        slot, the outputs."""
        now = time.perf_counter()
        result.latency_ms = (now - frame.t_acquired) * 1000
        if frame.t_trigger is not None:
            result.trigger_ms = (now - frame.t_trigger) * 1000
            self.stats.trigger_ms.append(result.trigger_ms)
        self.stats.process_ms.append(result.process_ms)
        with self._latest_lock:
            self._latest = result
        _callback(self.on_latest, "on_latest", result)
        self._put(self._results, result)

    def _output_one(self, result: StreamResult) -> None:
        t0 = time.perf_counter()
        self._output(result)
        self.stats.output_ms.append((time.perf_counter() - t0) * 1000)

    def _process_loop(self) -> None:
        try:
            if self.workers > 1:
                from workbench.runtime.workers import run_in_order

                run_in_order(self, self._frames, _END)
            else:
                self._drain(self._frames, self._process_one)
        finally:
            self._put_end(self._results)

    def _output_loop(self) -> None:
        try:
            self._drain(self._results, self._output_one, idle=self._idle)  # idle: retry waiting records
        finally:
            if self.recorder is not None and hasattr(self.recorder, "close"):
                try:  # last tries for records still waiting; what is lost is counted
                    self.recorder.close()
                except Exception:
                    log.exception("closing the recorder failed")
            self._idle()
            self._set_state(STOPPED, self.error or "")
            self._done.set()

    def _output(self, result: StreamResult) -> None:
        s = self.stats
        s.processed += 1
        if result.row.status == "error":
            s.errors += 1
        if result.row.verdict == "OK":
            s.ok += 1
        elif result.row.verdict == "NG":
            s.ng += 1
        s.latency_ms.append(result.latency_ms)
        s.done_times.append(time.perf_counter())
        if self.recorder is not None:
            try:
                result.record_id = self.recorder(result)
            except Exception as exc:
                log.error("results database: %s", exc)
                result.row.errors.append(f"not recorded: {exc}")
        for out in self.outputs:
            try:
                out.send(result)
            except Exception as exc:
                log.warning("output %s: %s", type(out).__name__, exc)
        _callback(self.on_result, "on_result", result)
        self._check_alarm()

    def _idle(self) -> None:
        if self.recorder is not None and hasattr(self.recorder, "tick"):
            _callback(self.recorder.tick, "recorder tick")
        self._check_alarm()


def _callback(fn, name: str, *args) -> None:
    """Call a user callback; one that raises is logged and never stops the stream."""
    if fn is None:
        return
    try:
        fn(*args)
    except Exception:
        log.exception("%s callback failed", name)


class StreamRecorder:
    """Writes each StreamResult to a ResultsDB, archiving NG (or all) frames. A record whose write
    fails (disk full, database locked) waits in a bounded memory queue and is retried in order
    (:class:`~workbench.runtime.retry_queue.RetryQueue`); ``alarm`` says so, ``close`` makes the last
    tries and counts what is lost (``writer.stats``)."""

    def __init__(self, db, pipeline: Pipeline, pipeline_name: str, *, archive=None, source: str = "",
                 queue_size: int = 1000, policy: str = "drop-oldest", retry_s: float = 0.5) -> None:
        import sqlite3

        from workbench.runtime.results import pipeline_hash
        from workbench.runtime.retry_queue import RetryQueue

        self.db, self.archive, self.source = db, archive, source
        self.name, self.digest = pipeline_name, pipeline_hash(pipeline)
        self.writer = RetryQueue(db.add, what=f"results database {Path(db.path).name}", maxlen=queue_size,
                                 policy=policy, retry_s=retry_s, errors=(sqlite3.Error, OSError))

    @property
    def alarm(self) -> str:
        return self.writer.alarm

    def tick(self) -> None:
        self.writer.tick()

    def close(self):
        return self.writer.close()

    def __call__(self, result: StreamResult) -> int | None:
        from workbench.runtime.results import Inspection, inspection_from_run, iso_from_ts

        f = result.frame
        when = iso_from_ts(f.timestamp)
        if result.run is not None:
            rec = inspection_from_run(result.run, result.row, pipeline_name=self.name, pipeline_digest=self.digest,
                                      source=self.source, frame=f.index, latency_ms=result.latency_ms, when=when)
        else:
            rec = Inspection(time=when, pipeline=self.name, pipeline_hash=self.digest, input=f.source_id,
                             source=self.source, frame=f.index, status="error", errors=list(result.row.errors),
                             latency_ms=round(result.latency_ms, 3))
        if self.archive is not None and f.image is not None and self.archive.wants(rec.verdict, rec.status):
            try:
                rec.image_path = str(self.archive.save_image(f.image, Path(f.source_id.split("#")[0]).stem
                                                             + f"_{f.index}"))
            except Exception as exc:
                rec.errors.append(f"archive: {exc}")
        return self.writer.submit(rec)
