"""A camera grabbing in its own thread for live view while tuning: the newest frame waits in a
slot, the caller takes it when it is ready for one (never a queue: a slow pipeline shows fewer
frames, it never falls behind the camera). Reconnects with back-off after an unplug. No Qt.

    live = LiveCamera(source).start()
    frame = live.take()          # the newest frame not taken yet, or None
    live.state, live.message     # connecting / connected / waiting for trigger / lost / reconnecting / stopped
    live.grab()                  # software trigger: one frame now (when not continuous)
    live.stop()
"""

from __future__ import annotations

import threading
import time
from collections import deque

from workbench.runtime.sources import (Frame, FrameSource, SourceConfigError, SourceDisconnected, SourceError)

CONNECTING, CONNECTED, WAITING, LOST, RECONNECTING, STOPPED = (
    "connecting", "connected", "waiting for trigger", "lost", "reconnecting", "stopped")


class LiveCamera:
    """``continuous``: with a software-triggered source, trigger the next frame as soon as the
    last one was taken; otherwise only ``grab()`` triggers. Counts: ``frames`` (received),
    ``skipped`` (replaced in the slot before anyone took them: not shown, not lost by the camera)
    and ``dropped`` (lost by the camera or the network, from the source)."""

    def __init__(self, source: FrameSource, *, continuous: bool = True, backoff_s: tuple[float, float] = (0.5, 5.0),
                 on_state=None) -> None:
        self.source = source
        self.continuous = continuous
        self.backoff_s = backoff_s
        self.on_state = on_state
        self.state, self.message = STOPPED, ""
        self.frames = self.skipped = self.reconnects = 0
        self._slot: Frame | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._next_source: FrameSource | None = None
        self._times: deque[float] = deque(maxlen=60)
        self._thread: threading.Thread | None = None
        self._want_one = False

    # ------------------------------------------------------------------ control (any thread)
    def start(self) -> LiveCamera:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="workbench-live-camera", daemon=True)
        self._thread.start()
        return self

    def stop(self, wait: bool = True, timeout: float = 10.0) -> None:
        """Stop grabbing; the thread closes the camera. ``wait=False`` returns at once (a GUI)."""
        self._stop.set()
        self.source.interrupt()
        if wait and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def take(self) -> Frame | None:
        with self._lock:
            frame, self._slot = self._slot, None
        return frame

    def grab(self) -> None:
        """One frame now: fires the software trigger, or lets the next free-run frame through."""
        self._want_one = True
        if self.source.trigger is not None:
            self.source.trigger.fire()

    def replace_source(self, source: FrameSource) -> None:
        """New settings: the thread closes the current source and opens this one."""
        self._next_source = source
        self.source.interrupt()

    @property
    def dropped(self) -> int:
        return int(getattr(self.source, "dropped", 0))

    def fps(self) -> float:
        t = list(self._times)
        return (len(t) - 1) / (t[-1] - t[0]) if len(t) > 1 and t[-1] > t[0] else 0.0

    def status_line(self) -> str:
        state = WAITING if self.state == CONNECTED and getattr(self.source, "waiting", False) else self.state
        text = f"{self.source.describe()}: {state}"
        if state in (CONNECTED, WAITING):
            text += f", {self.fps():.1f} fps, {self.frames} frames, {self.dropped} dropped"
        elif self.message:
            text += f" ({self.message})"
        return text

    # ------------------------------------------------------------------ the thread
    def _set(self, state: str, message: str = "") -> None:
        if (state, message) != (self.state, self.message):
            self.state, self.message = state, message
            if self.on_state is not None:
                self.on_state(state, message)

    def _connect(self, tries: int) -> bool:
        """Open the source; False when stopping or giving up (a configuration error)."""
        delay = self.backoff_s[0]
        while not self._stop.is_set():
            self._set(CONNECTING if tries == 0 else RECONNECTING, self.message if tries else "")
            try:
                self.source.open()
                if tries:
                    self.reconnects += 1
                    trig = self.source.trigger
                    if self._want_one and trig is not None and trig.pending == 0:
                        trig.fire()  # the grab asked for before the loss still wants its frame
                self._set(CONNECTED)
                return True
            except SourceConfigError as exc:
                self._set(LOST, str(exc))
                return False
            except SourceError as exc:
                tries += 1
                self._set(RECONNECTING, f"{exc}; retrying in {delay:.1f} s")
                if self._stop.wait(delay):
                    return False
                delay = min(delay * 2, self.backoff_s[1])
        return False

    def _swap_source(self) -> None:
        if self._next_source is not None:
            self.source.close()
            self.source, self._next_source = self._next_source, None

    def _loop(self) -> None:
        tries = 0
        try:
            while not self._stop.is_set():
                self._swap_source()
                if not self.source.opened:
                    if not self._connect(tries):
                        break
                    tries = 0
                try:
                    frame = self._read_one()
                except SourceDisconnected as exc:  # unplugged: show it, then reconnect with back-off
                    self.source.close()
                    self._set(LOST, str(exc))
                    tries = 1
                    continue
                if frame is None:
                    continue
                self.frames += 1
                self._times.append(time.perf_counter())
                with self._lock:
                    if self._slot is not None:
                        self.skipped += 1
                    self._slot = frame
        finally:
            self.source.close()
            if self._stop.is_set():
                self._set(STOPPED)  # a configuration error stays shown as "lost" with its reason

    def _read_one(self) -> Frame | None:
        src = self.source
        trig = src.trigger
        if trig is not None:
            if self.continuous and trig.pending == 0 and self._slot is None:
                trig.fire()
            if not trig.wait(0.1):
                self._set(WAITING)
                return None
        frame = src.read()
        if trig is None and not self.continuous and not self._want_one:
            return None  # paused between grabs: free-run frames are read and let go (a grab gets a fresh one)
        if frame is not None:
            self._want_one = False
        if getattr(src, "waiting", False):
            self._set(WAITING)
        elif frame is not None:
            self._set(CONNECTED)
        return frame
