import csv
import io
import os
from pathlib import Path
from typing import Annotated

from workbench.core.csvsafe import safe_cell
from workbench.core.params import FileParam, Help
from workbench.core.spec import NodeContext, node
from workbench.core.types import Measurements, String, Verdict, to_jsonable

from ._records import input_name, record_path


def _read_header(p: Path) -> list[str]:
    if not p.exists() or p.stat().st_size == 0:
        return []
    with p.open(newline="", encoding="utf-8") as f:
        return next(csv.reader(f), [])


@node("io.write_csv", name="Write CSV Record", category="Sinks", cacheable=False)
def write_csv(measurements: Measurements, ctx: NodeContext, verdict: Verdict | None = None,
              file: Annotated[Path, FileParam("CSV (*.csv)", mode="save"),
                              Help("relative names go into the run's output folder")] = Path("measurements.csv")
              ) -> String:
    """Appends one row per run (input, frame, verdict, every measurement) to a CSV file.

    The header is written once. Text cells (names too) starting with ``= + - @`` get a leading
    ``'`` and line breaks become spaces, so no cell can act as a formula or start a line. A measurement that appears in a later run adds a column at the
    end (the file is rewritten once with the wider header); earlier columns keep their order.
    """
    p = record_path(file, ctx, ".csv")
    row = {"input": input_name(ctx), "frame": ctx.frame_index if ctx else 0}
    if verdict is not None:
        row["verdict"] = verdict.label
    row.update({k: to_jsonable(v) for k, v in measurements.values.items()})
    # names and text are escaped against formula / shell injection (core.csvsafe)
    row = {safe_cell(k): safe_cell(v) for k, v in row.items()}
    header = _read_header(p)
    new_cols = [k for k in row if k not in header]
    if header and new_cols:
        with p.open(newline="", encoding="utf-8") as f:
            old = list(csv.DictReader(f))
        header += new_cols
        buf = io.StringIO()
        w = csv.DictWriter(buf, header, lineterminator="\n")
        w.writeheader()
        w.writerows(old)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(buf.getvalue(), encoding="utf-8", newline="")
        os.replace(tmp, p)
    elif not header:
        header = list(row)
    with p.open("a", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        if f.tell() == 0:
            w.writeheader()
        w.writerow(row)
    return str(p)
