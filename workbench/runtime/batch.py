"""Run a pipeline over many input images, one result row per input.

Used by ``workbench run`` and by the GUI's folder run. A bad input (missing, empty, corrupt)
becomes an error row; the run goes on. Rows are written to results.jsonl as they are made
(so a cancelled or killed run keeps what it did) and to results.csv at the end.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from workbench.core.csvsafe import safe_row
from workbench.core.engine import CACHED, OK, Engine, RunResult
from workbench.core.errors import WorkbenchError
from workbench.core.graph import NodeInstance, Pipeline
from workbench.core.spec import CancelToken, NodeContext
from workbench.core.types import MeasurementSet, VerdictResult, to_jsonable


@dataclass
class Row:
    input: str
    status: str  # "ok" (pipeline ran) | "error" (a node failed or the input was bad)
    verdict: str | None = None  # "OK" | "NG" | None when no judge ran
    reasons: list[str] = field(default_factory=list)
    measurements: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # text outputs, e.g. {"ocr.text": "LOT 2026-11-21"}
    node_ms: dict[str, float] = field(default_factory=dict)
    total_ms: float = 0.0
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "detect: CPU — this build has no CUDA support"

    def as_dict(self) -> dict:
        return {"input": self.input, "status": self.status, "verdict": self.verdict, "reasons": self.reasons,
                "measurements": self.measurements, "texts": self.texts, "node_ms": self.node_ms, "total_ms": self.total_ms,
                "errors": self.errors, "notes": self.notes}


def pick_source(pipeline: Pipeline, source_id: str | None = None) -> NodeInstance:
    sources = pipeline.source_nodes()
    if source_id:
        inst = pipeline.nodes.get(source_id)
        if inst is None or not inst.spec.source:
            names = ", ".join(s.id for s in sources) or "none"
            raise WorkbenchError(f"{source_id!r} is not a source node of this pipeline (sources: {names})")
        return inst
    if not sources:
        raise WorkbenchError("the pipeline has no image source node to feed")
    return sources[0]


def default_inputs(pipeline: Pipeline, source: NodeInstance) -> list[Path]:
    """The files the source would read on its own (its file, or its folder's images)."""
    if source.spec.list_inputs is None:
        return []
    found = source.spec.list_inputs(source.params, NodeContext(base_dir=pipeline.base_dir))
    return [Path(p).resolve() for p in found]


def row_from_result(input_path: str, res: RunResult, skip_text: set[str] = frozenset()) -> Row:
    """One result row. skip_text: nodes whose text outputs are not results (sources: their path)."""
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
    if verdicts:
        row.verdict = "OK" if all(v.ok for v in verdicts) else "NG"
        row.reasons = [reason for v in verdicts for reason in v.reasons]
    row.errors = res.errors
    row.total_ms = round(res.seconds * 1000, 3)
    if res.cancelled:
        row.status, row.errors = "error", row.errors + ["cancelled"]
    return row


class BatchRun:
    """Feeds each input file to the source node and runs the pipeline; collects rows."""

    def __init__(self, pipeline: Pipeline, output_dir: Path, source_id: str | None = None,
                 on_result: Callable[[int, Path, RunResult, Row], None] | None = None) -> None:
        self.pipeline = pipeline
        self.on_result = on_result  # e.g. results.BatchRecorder: (index, input path, RunResult, Row)
        self.output_dir = Path(output_dir)
        self.source = pick_source(pipeline, source_id)
        self.engine = Engine()
        self.rows: list[Row] = []

    def run(self, inputs: Iterable[Path], cancel: CancelToken | None = None,
            on_row: Callable[[int, Row], None] | None = None) -> list[Row]:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        jsonl = self.output_dir / "results.jsonl"
        try:
            with open(jsonl, "w", encoding="utf-8") as f:
                for i, path in enumerate(inputs):
                    if cancel is not None and cancel.cancelled:
                        break
                    row = self.run_one(Path(path), i, cancel)
                    self.rows.append(row)
                    f.write(json.dumps(row.as_dict(), ensure_ascii=False) + "\n")
                    f.flush()
                    if on_row:
                        on_row(i, row)
        finally:
            self.write_csv(self.output_dir / "results.csv")
        return self.rows

    def run_one(self, path: Path, index: int = 0, cancel: CancelToken | None = None) -> Row:
        for name, value in self.source.spec.set_input(path.resolve()).items():
            self.pipeline.set_param(self.source.id, name, value)
        ctx = NodeContext(base_dir=self.pipeline.base_dir, output_dir=self.output_dir, input_path=path,
                          frame_index=index)
        res = self.engine.run(self.pipeline, context=ctx, cancel=cancel)
        row = row_from_result(str(path), res, {n.id for n in self.pipeline.source_nodes()})
        if self.on_result is not None:
            self.on_result(index, path, res, row)
        return row

    def write_csv(self, path: Path) -> None:
        mcols = sorted({k for r in self.rows for k in r.measurements})
        tcols = sorted({k for r in self.rows for k in r.texts})
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(safe_row(["input", "status", "verdict", "reasons", "total_ms", *mcols, *tcols, "errors"]))
            for r in self.rows:
                w.writerow(safe_row([r.input, r.status, r.verdict or "", "; ".join(r.reasons), r.total_ms,
                            *[r.measurements.get(c, "") for c in mcols], *[r.texts.get(c, "") for c in tcols],
                            " | ".join(r.errors)]))
