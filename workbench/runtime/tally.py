"""Counters for the operator screen, filled from the stream's threads and read by the GUI (no Qt).

:class:`Tally` keeps the totals (total / OK / NG / errors, yield), the last NG frames and the trend
points under one lock; :func:`rolling_yield` turns trend points into the rolling yield curve.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.runtime.inspection import overlay_values
from workbench.runtime.stream import StreamResult

NG_KEEP = 12  # thumbnails in the NG strip
TREND_KEEP = 600  # points in the trend chart
YIELD_WINDOW = 50  # results in the rolling yield


@dataclass
class NgItem:
    image: np.ndarray | None  # the annotated image when the pipeline draws one, else the frame
    name: str
    when: float  # time.time() of acquisition
    index: int  # frame index in the source
    number: int  # its position in the counters (1 = first result since reset)
    reasons: list[str]
    overlays: list = field(default_factory=list)  # results to draw over a plain frame (no drawn overlay)


class Tally:
    """Counters, recent NG frames and the trend, filled from the runner's output thread and read
    by the GUI. Every method takes the lock briefly; nothing here touches Qt."""

    def __init__(self, ng_keep: int = NG_KEEP, trend_keep: int = TREND_KEEP) -> None:
        self._lock = threading.Lock()
        self.ng_keep, self.trend_keep = ng_keep, trend_keep
        self.version = 0  # bumped by every change: the GUI redraws only when it moved
        self.ng_version = 0
        self.generation = 0  # bumped by reset
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.total = self.ok = self.ng = self.errors = 0
            self.ng_items: deque[NgItem] = deque(maxlen=self.ng_keep)
            self.trend: deque[tuple[int, float, dict, str | None]] = deque(maxlen=self.trend_keep)
            self.done: deque[float] = deque(maxlen=240)
            self.latency: deque[float] = deque(maxlen=100)
            self.generation += 1
            self.version += 1
            self.ng_version += 1

    def add(self, r: StreamResult) -> None:
        row = r.row
        if row.status == "cancelled":  # stopped before it was inspected: not counted, not an error
            return
        with self._lock:
            self.total += 1
            if row.status == "error":
                self.errors += 1
            if row.verdict == "OK":
                self.ok += 1
            elif row.verdict == "NG":
                self.ng += 1
                image = r.overlay if r.overlay is not None else r.frame.image
                marks = overlay_values(r.run) if r.overlay is None and r.run is not None else []
                self.ng_items.append(NgItem(image, r.frame.name, r.frame.timestamp, r.frame.index, self.total,
                                            list(row.reasons), marks))
                self.ng_version += 1
            self.trend.append((self.total, float(r.latency_ms), row.measurements, row.verdict))
            self.done.append(time.perf_counter())
            self.latency.append(float(r.latency_ms))
            self.version += 1

    @property
    def yield_pct(self) -> float | None:
        judged = self.ok + self.ng
        return 100.0 * self.ok / judged if judged else None

    def counters(self) -> dict[str, Any]:
        with self._lock:
            return {"total": self.total, "ok": self.ok, "ng": self.ng, "errors": self.errors,
                    "yield": self.yield_pct, "version": self.version}

    def rates(self, window_s: float = 3.0) -> tuple[float, float | None]:
        """(results per second over the last ``window_s``, mean latency ms of the last 100)."""
        now = time.perf_counter()
        with self._lock:
            times = [x for x in self.done if now - x <= window_s]
            lat = sum(self.latency) / len(self.latency) if self.latency else None
        fps = (len(times) - 1) / max(times[-1] - times[0], 1e-9) if len(times) >= 2 else 0.0
        return fps, lat

    def ng_list(self) -> list[NgItem]:
        with self._lock:
            return list(self.ng_items)

    def trend_points(self) -> list[tuple[int, float, dict, str | None]]:
        with self._lock:
            return list(self.trend)


def rolling_yield(verdicts: list[str | None], window: int = YIELD_WINDOW) -> np.ndarray:
    """Yield in % of OK among the judged (OK/NG) results of the last ``window`` results, per point
    (NaN where none of them was judged)."""
    n = len(verdicts)
    judged = np.fromiter((v in ("OK", "NG") for v in verdicts), bool, n)
    ok = np.fromiter((v == "OK" for v in verdicts), bool, n)
    cj = np.concatenate([[0], np.cumsum(judged)])
    co = np.concatenate([[0], np.cumsum(ok)])
    first = np.maximum(np.arange(1, n + 1) - window, 0)  # rolling window [first, i]
    lj, lo = cj[1:] - cj[first], co[1:] - co[first]
    return np.where(lj > 0, 100.0 * lo / np.maximum(lj, 1), np.nan)

