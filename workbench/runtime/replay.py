"""Replay (shadow mode): re-run a changed pipeline over the archived images of past inspections
and report how its verdicts differ from the recorded ones, before the change goes to the line.

Outcomes per record: "newly NG" (recorded OK, now NG), "newly OK" (recorded NG, now OK),
"unchanged", "missing image" (no archived image, or cleaned up by the archive cap), "error"
(the new pipeline failed on it). A record without a verdict (an error then) that now gets one
counts as newly OK / newly NG. No Qt.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from workbench.core.csvsafe import safe_row
from workbench.core.graph import Pipeline
from workbench.core.spec import CancelToken
from workbench.runtime.batch import BatchRun
from workbench.runtime.results import CSV_ERRORS, Inspection
from workbench.runtime.safe_files import check_writable, write_replacing

NEWLY_NG, NEWLY_OK, UNCHANGED, MISSING, ERROR = "newly NG", "newly OK", "unchanged", "missing image", "error"
OUTCOMES = (NEWLY_NG, NEWLY_OK, UNCHANGED, MISSING, ERROR)


@dataclass
class ReplayItem:
    record: Inspection
    outcome: str
    new_verdict: str | None = None
    new_reasons: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    measurements: dict = field(default_factory=dict)


def classify(old: str | None, new: str | None, status: str) -> str:
    if status == "error":
        return ERROR
    if new == old:
        return UNCHANGED
    if new == "NG":
        return NEWLY_NG
    if new == "OK":
        return NEWLY_OK
    return UNCHANGED if old is None else ERROR  # the new pipeline gives no verdict at all


class Replay:
    def __init__(self, pipeline: Pipeline, output_dir: Path, source_id: str | None = None) -> None:
        self.batch = BatchRun(pipeline, output_dir, source_id)
        self.items: list[ReplayItem] = []

    def run(self, records: Iterable[Inspection], cancel: CancelToken | None = None,
            on_item: Callable[[ReplayItem], None] | None = None) -> list[ReplayItem]:
        for i, rec in enumerate(records):
            if cancel is not None and cancel.cancelled:
                break
            path = Path(rec.image_path) if rec.image_path else None
            if path is None or not path.is_file():
                item = ReplayItem(rec, MISSING)
            else:
                row = self.batch.run_one(path, i, cancel)
                item = ReplayItem(rec, classify(rec.verdict, row.verdict, row.status), row.verdict,
                                  list(row.reasons), list(row.errors), dict(row.measurements))
            self.items.append(item)
            if on_item:
                on_item(item)
        return self.items

    def counts(self) -> dict[str, int]:
        c = {k: 0 for k in OUTCOMES}
        for it in self.items:
            c[it.outcome] += 1
        return c

    def write_csv(self, path: Path) -> Path:
        path = Path(path)
        check_writable(path.parent)  # read-only, full: one line (OutputWriteError)

        def write(f) -> None:
            w = csv.writer(f)
            w.writerow(safe_row(["id", "time", "input", "image_path", "recorded_verdict", "new_verdict", "outcome",
                        "recorded_reasons", "new_reasons", "errors"]))
            for it in self.items:
                r = it.record
                w.writerow(safe_row([r.id, r.time, r.input, r.image_path or "", r.verdict or "", it.new_verdict or "",
                            it.outcome, "; ".join(r.reasons), "; ".join(it.new_reasons), " | ".join(it.errors)]))

        write_replacing(path, write, errors=CSV_ERRORS)  # complete or not at all; the previous one kept
        return path
