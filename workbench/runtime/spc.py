"""Process statistics of a measured value across inspections: mean, sigma, min/max and the
capability indices Cp / Cpk against the judge's tolerance limits.

    Cp  = (USL - LSL) / 6 sigma                      (both limits)
    Cpk = min(USL - mean, mean - LSL) / 3 sigma      (one-sided with one limit)

sigma is the sample standard deviation (n - 1). Error frames carry no value (NaN) and are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from workbench.core.graph import Pipeline


@dataclass(frozen=True)
class Capability:
    n: int
    mean: float
    sigma: float
    minimum: float
    maximum: float
    low: float | None = None
    high: float | None = None
    cp: float | None = None
    cpk: float | None = None
    outside: int = 0  # values beyond the limits

    def lines(self) -> list[tuple[str, str]]:
        """(label, value) pairs to show, in order."""
        rows = [("n", str(self.n)), ("mean", f"{self.mean:.4g}"), ("σ", f"{self.sigma:.3g}"),
                ("min", f"{self.minimum:.4g}"), ("max", f"{self.maximum:.4g}")]
        if self.cp is not None:
            rows.append(("Cp", f"{self.cp:.2f}"))
        if self.cpk is not None:
            rows.append(("Cpk", f"{self.cpk:.2f}"))
        return rows


def capability(values: Iterable[float], low: float | None = None, high: float | None = None) -> Capability | None:
    """Statistics of the finite values (None when there are none). With a zero sigma, Cp/Cpk are
    infinite when the values lie inside the limits and None is never guessed."""
    xs = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not xs:
        return None
    n = len(xs)
    mean = sum(xs) / n
    sigma = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1)) if n > 1 else 0.0
    cp = cpk = None
    if sigma > 0:
        if low is not None and high is not None:
            cp = (high - low) / (6 * sigma)
        sides = [d for d in ((high - mean) if high is not None else None,
                             (mean - low) if low is not None else None) if d is not None]
        cpk = min(sides) / (3 * sigma) if sides else None
    elif low is not None or high is not None:
        inside = (low is None or mean >= low) and (high is None or mean <= high)
        cpk = math.inf if inside else -math.inf
        cp = math.inf if low is not None and high is not None else None
    outside = sum(1 for x in xs if (low is not None and x < low) or (high is not None and x > high))
    return Capability(n, mean, sigma, min(xs), max(xs), low, high, cp, cpk, outside)


def tolerance_limits(pipeline: Pipeline) -> dict[str, tuple[float | None, float | None]]:
    """{result key ("count.coins"): (lower limit, upper limit)} for the judges whose rule is a
    tolerance (in range, at least, at most)."""
    out: dict[str, tuple[float | None, float | None]] = {}
    for inst in pipeline.nodes.values():
        if inst.type != "cv.judge":
            continue
        m = inst.params.get("measurement")
        edge = pipeline.incoming(inst.id).get("measurements")
        rule = getattr(inst.params.get("rule"), "name", inst.params.get("rule"))
        if edge is None or not isinstance(m, str):
            continue
        low, high = float(inst.params.get("low", 0.0)), float(inst.params.get("high", 0.0))
        limits = {"IN_RANGE": (low, high), "AT_LEAST": (low, None), "AT_MOST": (None, high)}.get(rule)
        if limits is not None:
            out[f"{edge.src}.{m}"] = limits
    return out
