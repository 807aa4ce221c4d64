"""The timing harness shared by bench_engine.py and bench_inference.py.

Both scripts are run as `python bench/<script>.py`, so bench/ is on sys.path and they import
this module as `from _harness import ...`.

Timing: time.perf_counter around each call. The measured side and its baseline are timed in
pairs, back to back, in alternating order (so drift and warm caches affect both sides alike); a
figure is the median over N pairs of the per-pair ratio (or difference).
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import cv2
import numpy as np


class Mismatch(Exception):
    """The measured result differs from the baseline's: the figures would be meaningless."""


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def ms(x: float) -> str:
    return f"{x * 1e3:.3f} ms"


def us(x: float) -> str:
    return f"{x * 1e6:.1f} µs"


@dataclass
class Compare:
    """Measured times `a` against baseline times `b`, measured as pairs (a[i] next to b[i])."""

    a: list[float]
    b: list[float]

    @property
    def ratio(self) -> float:  # the figure: median of the per-pair ratios (drift cancels in a pair)
        return statistics.median(x / y for x, y in zip(self.a, self.b))

    @property
    def diff(self) -> float:  # median of the per-pair differences
        return statistics.median(x - y for x, y in zip(self.a, self.b))

    @property
    def ratio_of_medians(self) -> float:
        return statistics.median(self.a) / statistics.median(self.b)

    @property
    def ratio_of_mins(self) -> float:
        return min(self.a) / min(self.b)

    @property
    def ratio_iqr(self) -> tuple[float, float]:  # the spread of the per-pair ratios (a noise gauge)
        q = statistics.quantiles([x / y for x, y in zip(self.a, self.b)], n=4)
        return q[0], q[2]

    def describe(self, fmt: Callable[[float], str] = ms) -> str:
        lo, hi = self.ratio_iqr
        return (f"median {fmt(statistics.median(self.a))} vs {fmt(statistics.median(self.b))}; "
                f"per-pair ratios' quartiles {lo:.3f}–{hi:.3f}; "
                f"ratio of medians {self.ratio_of_medians:.4f}, of minima {self.ratio_of_mins:.4f}; "
                f"N={len(self.a)}")


def pair(a: Callable[[], object], b: Callable[[], object], flip: bool):
    """Time a and b, b first when flip (alternated between repetitions, so that neither side
    always finds the caches warmed by the other). Returns (time a, result a, time b, result b)."""
    if flip:
        tb, rb = timed(b)
        ta, ra = timed(a)
    else:
        ta, ra = timed(a)
        tb, rb = timed(b)
    return ta, ra, tb, rb


@dataclass
class Row:
    name: str
    value: float | None  # the figure compared with the target; None: not measured
    target: float
    detail: str  # how it was computed, with the raw times
    unit: str = "x"  # "us" or "x"

    @property
    def result(self) -> str:
        if self.value is None:
            return "not measured"
        return "PASS" if self.value <= self.target else "FAIL"

    @property
    def passed(self) -> bool:
        return self.result == "PASS"

    def fmt_value(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value:.2f} µs" if self.unit == "us" else f"{self.value:.4f}"

    def fmt_target(self) -> str:
        if self.value is None:
            return "—"
        return f"≤ {self.target:g} µs" if self.unit == "us" else f"≤ {self.target:g}"


def machine(libraries: dict[str, str] | None = None, threads: dict[str, str] | None = None) -> dict[str, str]:
    """The machine and library versions. `libraries` go after OpenCV, `threads` after cv2's threads."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    return {
        "CPU": cpu,
        "CPU count": f"{os.cpu_count()} (usable by this process: {usable})",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "NumPy": np.__version__,
        "OpenCV": cv2.__version__,
        **(libraries or {}),
        "cv2 threads": str(cv2.getNumThreads()),
        **(threads or {}),
    }


def write_section(doc: Path, name: str, text: str) -> None:
    """Replace the text between ``<!-- name -->`` and ``<!-- /name -->`` in ``doc`` with ``text``
    (which starts and ends with those markers); append it when the markers are missing. Every
    other part of the file is kept as it is."""
    import re

    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    assert text.startswith(begin) and text.rstrip().endswith(end), "the section must carry its markers"
    text = text.rstrip("\n") + "\n"
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    pat = re.compile(re.escape(begin) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pat.search(old):
        new = pat.sub(lambda _m: text, old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + text if old else text
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(new, encoding="utf-8")


def load_line() -> str:
    """`uptime`'s load averages, e.g. "load average 0.52, 0.61, 0.70 (1/5/15 min) on 2 CPUs"."""
    try:
        one, five, fifteen = os.getloadavg()
    except (AttributeError, OSError):
        return "load average: not available"
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} CPUs"
