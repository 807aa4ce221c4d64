import enum
from typing import Annotated

from workbench.core.errors import NodeInputError
from workbench.core.params import Help
from workbench.core.spec import node
from workbench.core.types import Measurements, Verdict, VerdictResult


class Rule(enum.Enum):
    IN_RANGE = "in [low, high]"
    OUT_OF_RANGE = "outside [low, high]"
    AT_LEAST = ">= low"
    AT_MOST = "<= high"
    EQUAL = "== low"
    NOT_EQUAL = "!= low"


# the parameters that are a rule's limits (a trend draws them as dashed lines)
LIMITS = {Rule.IN_RANGE: ("low", "high"), Rule.OUT_OF_RANGE: ("low", "high"), Rule.AT_LEAST: ("low",),
          Rule.AT_MOST: ("high",), Rule.EQUAL: ("low",), Rule.NOT_EQUAL: ("low",)}


def judge_limits(params: dict) -> list[float]:
    """The limits a judge node with these parameters checks against."""
    names = LIMITS.get(params.get("rule"), ())
    return [float(params[n]) for n in names if isinstance(params.get(n), (int, float))]


def _g(x: float) -> str:
    return f"{x:g}"


@node("cv.judge", name="Judge", category="Judgment")
def judge(measurements: Measurements,
          measurement: Annotated[str, Help("name of the measurement to test, e.g. count")] = "count",
          rule: Rule = Rule.IN_RANGE, low: float = 0.0, high: float = 1.0) -> Verdict:
    """OK when the measurement satisfies the rule, NG otherwise (with the reason)."""
    if measurement not in measurements.values:
        have = ", ".join(sorted(measurements.values)) or "none"
        raise NodeInputError(f"no measurement {measurement!r} (available: {have})")
    v = measurements.values[measurement]
    unit = measurements.units.get(measurement, "")
    tests = {
        Rule.IN_RANGE: (low <= v <= high, f"in [{_g(low)}, {_g(high)}]"),
        Rule.OUT_OF_RANGE: (not (low <= v <= high), f"outside [{_g(low)}, {_g(high)}]"),
        Rule.AT_LEAST: (v >= low, f">= {_g(low)}"),
        Rule.AT_MOST: (v <= high, f"<= {_g(high)}"),
        Rule.EQUAL: (v == low, f"== {_g(low)}"),
        Rule.NOT_EQUAL: (v != low, f"!= {_g(low)}"),
    }
    ok, expect = tests[rule]
    val = f"{_g(v)}{(' ' + unit) if unit else ''}"
    return VerdictResult(ok, [] if ok else [f"{measurement} = {val}, expected {expect}"])
