"""Run a pipeline over many input images, one result row per input.

Used by ``workbench run`` and by the GUI's folder run. A bad input (missing, empty, corrupt)
becomes an error row; the run goes on. Rows are written to results.jsonl as they are made
(so a cancelled or killed run keeps what it did) and to results.csv at the end.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable, Iterable

from workbench.core.csvsafe import safe_row
from workbench.core.engine import Engine, RunResult
from workbench.core.graph import Pipeline
from workbench.core.spec import CancelToken, NodeContext
from workbench.runtime.feed import FrameFeed, default_inputs, pick_source  # noqa: F401 (re-exported)
from workbench.runtime.inspection import Row, inspect  # noqa: F401 (re-exported)
from workbench.runtime.results import CSV_ERRORS, json_text
from workbench.runtime.safe_files import OutputWriteError, RowLog, check_writable, write_replacing


row_from_result = inspect  # the inspection record of one run (runtime/inspection.py)


class BatchRun:
    """Feeds each input file to the source node and runs the pipeline; collects rows."""

    def __init__(self, pipeline: Pipeline, output_dir: Path, source_id: str | None = None,
                 on_result: Callable[[int, Path, RunResult, Row], None] | None = None) -> None:
        self.pipeline = pipeline
        self.on_result = on_result  # e.g. results.BatchRecorder: (index, input path, RunResult, Row)
        self.output_dir = Path(output_dir)
        self.feed = FrameFeed(pipeline, source_id)
        self.source = self.feed.node
        self.engine = Engine()
        self.rows: list[Row] = []
        self.row_log: RowLog | None = None  # results.jsonl of the last run (``lines`` written whole)

    def run(self, inputs: Iterable[Path], cancel: CancelToken | None = None,
            on_row: Callable[[int, Row], None] | None = None) -> list[Row]:
        check_writable(self.output_dir)  # read-only, full: one line before any work
        error, self.row_log = None, None
        try:
            with RowLog(self.output_dir / "results.jsonl") as self.row_log:
                for i, path in enumerate(inputs):
                    if cancel is not None and cancel.cancelled:
                        break
                    row = self.run_one(Path(path), i, cancel)
                    self.rows.append(row)
                    if on_row:
                        on_row(i, row)
                    self.row_log.append(json_text(row.as_dict()))  # OutputWriteError: stop; rows so far kept
        except OutputWriteError as exc:
            error = exc
        finally:
            try:
                self.write_csv(self.output_dir / "results.csv")
            except OutputWriteError as exc:
                error = error or exc
        if error is not None:
            raise error
        return self.rows

    def run_one(self, path: Path, index: int = 0, cancel: CancelToken | None = None) -> Row:
        ctx = NodeContext(base_dir=self.pipeline.base_dir, output_dir=self.output_dir, input_path=path,
                          frame_index=index)
        res = self.feed.run(self.engine, path, ctx, cancel)
        row = row_from_result(str(path), res, self.feed.text_nodes)
        if self.on_result is not None:
            self.on_result(index, path, res, row)
        return row

    def write_csv(self, path: Path) -> None:
        mcols = sorted({k for r in self.rows for k in r.measurements})
        tcols = sorted({k for r in self.rows for k in r.texts})

        def write(f) -> None:
            w = csv.writer(f)
            w.writerow(safe_row(["input", "status", "verdict", "reasons", "total_ms", *mcols, *tcols, "errors"]))
            for r in self.rows:
                w.writerow(safe_row([r.input, r.status, r.verdict or "", "; ".join(r.reasons), r.total_ms,
                            *[r.measurements.get(c, "") for c in mcols], *[r.texts.get(c, "") for c in tcols],
                            " | ".join(r.errors)]))

        write_replacing(path, write, errors=CSV_ERRORS)  # complete or not at all: never a 0-byte file
