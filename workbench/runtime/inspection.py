"""What one run of a pipeline means as an inspection, in one place. No Qt.

Batch runs, streams, replay, the viewer, the main window and the operator screen all read a
:class:`~workbench.core.engine.RunResult` through these functions:

* :func:`inspect` turns it into the inspection record (:class:`Row`): status, the combined OK/NG
  verdict and its reasons, measurements, texts, detections, where models ran, timings, errors.
  The results database stores that record with its context (``results.Inspection``).
* :func:`combine_verdicts` is the verdict rule: OK when every verdict that ran is OK.
* :func:`final_node` / :func:`result_image` / :func:`overlay_node` say which image is "the result".
* :func:`judged_measurements` names the measurements a judge checks, with its limits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from workbench.core.engine import CACHED, OK, RunResult
from workbench.core.graph import Pipeline
from workbench.core.types import IMAGE, MASK, DetectionSet, MeasurementSet, VerdictResult, to_jsonable

OVERLAY_TYPE = "cv.draw_overlay"  # the node that draws the annotated result image


@dataclass
class Row:
    """The inspection record of one input (results.jsonl writes ``as_dict``)."""

    input: str
    status: str  # "ok" (pipeline ran) | "error" (a node failed or the input was bad) | "cancelled" (stopped)
    verdict: str | None = None  # "OK" | "NG" | None when no judge ran
    reasons: list[str] = field(default_factory=list)
    measurements: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # text outputs, e.g. {"ocr.text": "LOT 2026-11-21"}
    node_ms: dict[str, float] = field(default_factory=dict)
    total_ms: float = 0.0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "detect: CPU — this build has no CUDA support"
    detections: dict[str, Any] = field(default_factory=dict)  # {"count": n, "labels": {"scratch": 2}}
    provider: str = ""  # "detect: ran on CUDA (…)"; empty when no model ran

    def as_dict(self) -> dict:
        return {"input": self.input, "status": self.status, "verdict": self.verdict, "reasons": self.reasons,
                "measurements": self.measurements, "texts": self.texts, "node_ms": self.node_ms, "total_ms": self.total_ms,
                "errors": self.errors, "notes": self.notes}


def combine_verdicts(verdicts: Iterable[VerdictResult]) -> tuple[str | None, list[str]]:
    """("OK" | "NG" | None when there is none, every reason): OK when all verdicts are OK."""
    verdicts = list(verdicts)
    if not verdicts:
        return None, []
    return ("OK" if all(v.ok for v in verdicts) else "NG"), [r for v in verdicts for r in v.reasons]


def verdicts_of(res: RunResult) -> list[VerdictResult]:
    """The verdicts of the nodes that ran (or came from the cache)."""
    return [v for r in res.nodes.values() if r.status in (OK, CACHED)
            for v in r.outputs.values() if isinstance(v, VerdictResult)]


def _detections(res: RunResult) -> tuple[dict[str, Any], str]:
    det_count, labels, providers = 0, Counter(), []
    for nid, r in res.nodes.items():
        if r.status not in (OK, CACHED):
            continue
        providers += [f"{nid}: {n}" for n in r.notes if n.startswith("ran on")]
        for v in r.outputs.values():
            if isinstance(v, DetectionSet):
                det_count += len(v)
                if len(v.labels) == len(v):
                    labels.update(str(x) for x in v.labels)
                else:
                    labels.update(str(int(c)) for c in v.class_ids)
    return ({"count": det_count, "labels": dict(labels)} if det_count or labels else {}), "; ".join(providers)


def inspect(input_path: str, res: RunResult, skip_text: set[str] = frozenset()) -> Row:
    """The inspection record of one run. skip_text: nodes whose text outputs are not results
    (sources: their path)."""
    row = Row(input_path, "error" if res.failed else "ok")
    verdicts = []
    for nid, r in res.nodes.items():
        if r.status in (OK, CACHED):
            row.node_ms[nid] = round(r.seconds * 1000, 3)
            row.notes += [f"{nid}: {n}" for n in r.notes]
        for port, v in r.outputs.items():
            if isinstance(v, MeasurementSet):
                for k, x in to_jsonable(v).items():
                    row.measurements[f"{nid}.{k}"] = x
            elif isinstance(v, VerdictResult):
                verdicts.append(v)
            elif isinstance(v, str) and nid not in skip_text:
                row.texts[f"{nid}.{port}"] = v
    row.verdict, row.reasons = combine_verdicts(verdicts)
    row.detections, row.provider = _detections(res)
    row.errors = res.errors
    row.total_ms = round(res.seconds * 1000, 3)
    if res.cancelled:  # stopped mid-way: its own state, not an error and without a verdict
        row.status, row.verdict, row.reasons = "cancelled", None, []
    return row


# ---------------------------------------------------------------- the result image
def overlay_node(pipeline: Pipeline) -> str | None:
    """The node that draws the annotated result (the first draw_overlay), if the pipeline has one."""
    return next((n.id for n in pipeline.nodes.values() if n.type == OVERLAY_TYPE), None)


def overlay_image(pipeline: Pipeline, res: RunResult, node_id: str | None = None) -> np.ndarray | None:
    """The drawn overlay of this run, or None (no draw_overlay node, or it did not run)."""
    nid = node_id if node_id is not None else overlay_node(pipeline)
    if nid is None or nid not in res.nodes:
        return None
    v = next(iter(res.nodes[nid].outputs.values()), None)
    return v if isinstance(v, np.ndarray) else None


def final_node(pipeline: Pipeline, result: RunResult | None) -> str | None:
    """The node whose image the user most wants to see: the last one with an Image/Mask output."""
    if result is None:
        return None
    for nid in reversed(pipeline.topological_order()):
        r = result.nodes.get(nid)
        if r is None or r.status not in (OK, CACHED):
            continue
        for port in pipeline.nodes[nid].outputs:
            if port.type in (IMAGE, MASK) and isinstance(r.outputs.get(port.name), np.ndarray):
                return nid
    return None


def final_image(pipeline: Pipeline, result: RunResult) -> np.ndarray | None:
    """The last Image/Mask output in execution order."""
    nid = final_node(pipeline, result)
    if nid is None:
        return None
    r = result.nodes[nid]
    return next(r.outputs[p.name] for p in pipeline.nodes[nid].outputs
                if p.type in (IMAGE, MASK) and isinstance(r.outputs.get(p.name), np.ndarray))


def result_image(pipeline: Pipeline, res: RunResult) -> np.ndarray | None:
    """"The result image": the drawn overlay when the pipeline draws one, else the last image."""
    img = overlay_image(pipeline, res)
    return img if img is not None else final_image(pipeline, res)


def overlay_values(res: RunResult) -> list[Any]:
    """The structured results a viewer draws over the frame when the pipeline draws no overlay."""
    from workbench.core.types import ClassificationResult, RegionSet

    kinds = (RegionSet, DetectionSet, ClassificationResult, VerdictResult, MeasurementSet)
    return [v for node in res.nodes.values() for v in node.outputs.values() if isinstance(v, kinds)]


# ---------------------------------------------------------------- judged measurements
def judged_measurements(pipeline: Pipeline) -> dict[str, list[float]]:
    """Result keys ("count.coins") that a judge node checks, with its limits: the default trend
    series, drawn with its limits as dashed lines."""
    from workbench.nodes.judge.judge import judge_limits

    judged: dict[str, list[float]] = {}
    for inst in pipeline.nodes.values():
        m = inst.params.get("measurement") if inst.type == "cv.judge" else None
        edge = pipeline.incoming(inst.id).get("measurements") if m else None
        if edge is None or not isinstance(m, str):
            continue
        judged[f"{edge.src}.{m}"] = judge_limits(inst.params)
    return judged
