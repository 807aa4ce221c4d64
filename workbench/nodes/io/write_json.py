import json
import time
from pathlib import Path
from typing import Annotated

from workbench.core.params import FileParam, Help
from workbench.core.spec import NodeContext, node
from workbench.core.types import Measurements, String, Verdict, to_jsonable

from ._records import input_name, record_path


@node("io.write_json", name="Write JSON Record", category="Sinks", cacheable=False)
def write_json(ctx: NodeContext, measurements: Measurements | None = None, verdict: Verdict | None = None,
               file: Annotated[Path, FileParam("JSON lines (*.jsonl)", mode="save"),
                               Help("relative names go into the run's output folder")] = Path("records.jsonl")
               ) -> String:
    """Appends one JSON line per run to a file: time, input, frame, measurements (with units) and verdict."""
    p = record_path(file, ctx, ".jsonl")
    rec: dict = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "input": input_name(ctx),
                 "frame": ctx.frame_index if ctx else 0}
    if measurements is not None:
        rec["measurements"] = to_jsonable(measurements)
        rec["units"] = dict(measurements.units)
    if verdict is not None:
        rec.update(to_jsonable(verdict))
    with p.open("a", encoding="utf-8") as f:
        f.write(json.dumps(rec, ensure_ascii=False, allow_nan=False) + "\n")
    return str(p)
