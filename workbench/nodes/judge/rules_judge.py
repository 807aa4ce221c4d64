import enum
from typing import Annotated, Any

from workbench.core.params import Help, MaxChars
from workbench.core.spec import node
from workbench.core.types import (Classification, Detections, Measurements, Verdict, VerdictResult)
from workbench.nodes.judge._rules import MAX_RULES_CHARS, parse_rules


class Combine(enum.Enum):
    ALL = "all rules must pass"
    ANY = "one rule passing is enough"


def _values(measurements, classification, detections) -> dict[str, Any]:
    vals: dict[str, Any] = {}
    if detections is not None:
        n = len(detections)
        vals["count"] = n
        vals["max_score"] = float(detections.scores.max()) if n else 0.0
        for j in range(n):
            cid = int(detections.class_ids[j])
            lab = detections.labels[cid] if cid < len(detections.labels) else str(cid)
            vals[f"count:{lab}"] = vals.get(f"count:{lab}", 0) + 1
    if classification is not None:
        vals.update(label=classification.label, score=float(classification.score),
                    class_id=int(classification.class_id))
    if measurements is not None:
        vals.update(measurements.values)
    return vals


def _show(v: Any, unit: str) -> str:
    if isinstance(v, str):
        return repr(v)
    return f"{float(v):g}{(' ' + unit) if unit else ''}"


@node("cv.rules_judge", name="Rules Judge", category="Judgment")
def rules_judge(measurements: Measurements | None = None, classification: Classification | None = None,
                detections: Detections | None = None,
                rules: Annotated[str, MaxChars(MAX_RULES_CHARS), Help("e.g. count in 20..26; mean_area >= 100; label == ok. "
                                           "Operators: in, not in, >=, <=, >, <, ==, !=")] = "count >= 1",
                combine: Combine = Combine.ALL) -> Verdict:
    """OK/NG from a list of rules on measurements, a classification and detections; each failed rule gives one reason.

    Rules are parsed with a small fixed grammar, never evaluated as code. Names: any measurement;
    from a classification label, score, class_id; from detections count, max_score and count:<label>
    for each label (a linked measurement of the same name wins). A rule whose name is missing fails,
    with the available names in the reason."""
    parsed = parse_rules(rules)
    vals = _values(measurements, classification, detections)
    units = measurements.units if measurements is not None else {}
    reasons, passed = [], 0
    for r in parsed:
        if r.name not in vals:
            have = ", ".join(sorted(vals)) or "none"
            reasons.append(f"{r.name}: no such value (available: {have})")
            continue
        if r.check(vals[r.name]):
            passed += 1
        else:
            reasons.append(f"{r.name} = {_show(vals[r.name], units.get(r.name, ''))}, expected {r.expectation()}")
    ok = passed == len(parsed) if combine is Combine.ALL else passed > 0
    return VerdictResult(ok, [] if ok else reasons)
