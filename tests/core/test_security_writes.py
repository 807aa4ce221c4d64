"""A pipeline file cannot write outside the run's output folder, inject formulas into CSV files or
abuse name templates (issue #18 item 1). Real files, the real CLI."""

import csv
import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from workbench.cli import main
from workbench.core.csvsafe import safe_cell
from workbench.core.engine import Engine
from workbench.core.errors import ParamError
from workbench.core.graph import Pipeline
from workbench.core.pipeline_file import loads_pipeline, save_pipeline
from workbench.core.registry import default_registry
from workbench.core.spec import NodeContext
from workbench.core.writeguard import allow_folder, clear_allowed, confine, outside_folders


@pytest.fixture(autouse=True)
def _no_allowed_folders():
    clear_allowed()
    yield
    clear_allowed()


def _pipeline(tmp_path: Path, *, csv_file="m.csv", json_file="r.jsonl", folder="saved", name="{stem}.png",
              ) -> Path:
    img = np.zeros((48, 48), np.uint8)
    cv2.circle(img, (24, 24), 9, 255, -1)
    cv2.imwrite(str(tmp_path / "part.png"), img)
    pipe = Pipeline(default_registry(), base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "part.png", "mode": "GRAY"})
    pipe.add_node("cv.threshold", "th")
    pipe.add_node("cv.blob_analysis", "blobs")
    pipe.add_node("io.write_csv", "csv", {"file": csv_file})
    pipe.add_node("io.write_json", "json", {"file": json_file})
    pipe.add_node("io.save_image", "save", {"folder": folder})
    pipe.connect("src", "image", "th", "image")
    pipe.connect("th", "out", "blobs", "mask")
    pipe.connect("blobs", "measurements", "csv", "measurements")
    pipe.connect("blobs", "measurements", "json", "measurements")
    pipe.connect("src", "image", "save", "image")
    path = tmp_path / "p.json"
    save_pipeline(pipe, path)
    data = json.loads(path.read_text())  # the template as a crafted file would carry it
    next(n for n in data["nodes"] if n["id"] == "save")["params"]["name"] = name
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("field,value,why", [
    ("csv_file", "/tmp/evil.csv", "an absolute path"),
    ("json_file", "~/evil.jsonl", "a home-folder path"),
    ("folder", "../../outside", "a '..' step"),
    ("csv_file", "C:\\\\Windows\\\\evil.csv", "an absolute path"),
])
def test_validate_and_run_refuse_paths_outside_the_output_folder(tmp_path, capsys, field, value, why):
    path = _pipeline(tmp_path, **{field: value})
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert why in out and "outside the run's output folder" in out and "--allow-write" in out
    assert main(["run", str(path), "-o", str(tmp_path / "out"), "-q"]) == 1  # as validate
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and why in err[0]
    assert not (tmp_path / "outside").exists() and not Path("/tmp/evil.csv").exists()


def test_an_allowed_folder_is_written(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    path = _pipeline(tmp_path, csv_file=str(elsewhere / "m.csv"), folder=str(elsewhere / "imgs"))
    assert main(["validate", str(path)]) == 1
    capsys.readouterr()
    assert main(["validate", str(path), "--allow-write", str(elsewhere)]) == 0
    assert main(["run", str(path), "-o", str(tmp_path / "out"), "-q", "--allow-write", str(elsewhere)]) == 0
    assert (elsewhere / "m.csv").exists() and (elsewhere / "imgs" / "part.png").exists()
    assert (tmp_path / "out" / "r.jsonl").exists()  # relative: inside the output folder


def test_a_link_out_of_the_output_folder_is_refused_when_the_node_runs(tmp_path):
    out, target = tmp_path / "out", tmp_path / "target"
    out.mkdir()
    target.mkdir()
    os.symlink(target, out / "link")
    with pytest.raises(ParamError, match="a link leads outside"):
        confine("link/m.csv", out)
    pipe = loads_pipeline(_pipeline(tmp_path, csv_file="link/m.csv").read_text(), base_dir=tmp_path)
    res = Engine().run(pipe, context=NodeContext(base_dir=tmp_path, output_dir=out))
    assert res.nodes["csv"].status == "failed" and "link leads outside" in res.nodes["csv"].message
    assert list(target.iterdir()) == []


def test_outside_folders_lists_what_the_gui_asks_about(tmp_path):
    pipe = loads_pipeline(_pipeline(tmp_path, csv_file="/srv/line/m.csv", folder="/srv/imgs").read_text(),
                          base_dir=tmp_path, allow_incomplete=True)
    assert outside_folders(pipe) == [Path("/srv/line"), Path("/srv/imgs")]
    allow_folder("/srv")
    assert outside_folders(pipe) == []


@pytest.mark.parametrize("template,msg", [
    ("{stem.__class__}", "plain field name"),
    ("{stem[0]}", "plain field name"),
    ("{stem:>400000000}", "is not allowed"),
    ("{stem!r}", "conversions"),
    ("{user}", "unknown field"),
])
def test_name_templates_are_whitelisted_at_validate(tmp_path, capsys, template, msg):
    path = _pipeline(tmp_path, name=template)
    assert main(["validate", str(path)]) == 1
    assert msg in capsys.readouterr().out


def test_a_good_template_still_works_and_a_path_in_the_name_is_refused(tmp_path):
    path = _pipeline(tmp_path, name="{node}_{index:05d}_{stem}")
    assert main(["run", str(path), "-o", str(tmp_path / "out"), "-q"]) == 0
    assert (tmp_path / "out" / "saved" / "save_00000_part.png").exists()
    pipe = loads_pipeline(_pipeline(tmp_path, name="../{stem}").read_text(), base_dir=tmp_path)
    res = Engine().run(pipe, context=NodeContext(base_dir=tmp_path, output_dir=tmp_path / "o2"))
    assert res.nodes["save"].status == "failed" and "not a file name" in res.nodes["save"].message


def test_csv_cells_cannot_be_formulas_or_start_a_line(tmp_path):
    from workbench.core.types import MeasurementSet
    from workbench.nodes.io.write_csv import write_csv

    ctx = NodeContext(output_dir=tmp_path, input_path=tmp_path / "=HYPERLINK(1).png")
    ms = MeasurementSet({"#!/bin/sh\nrm -rf ~ #": 1.0, "=cmd|' /C calc'!A0": 2.0, "delta": -3.5},
                        {})
    p = Path(write_csv(ms, ctx, file="m.csv"))
    lines = p.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and not lines[0].startswith("#!")
    header, row = list(csv.reader(lines))
    assert "#!/bin/sh rm -rf ~ #" in header and "'=cmd|' /C calc'!A0" in header
    assert row[0] == "'=HYPERLINK(1).png" and row[header.index("delta")] == "-3.5"  # numbers stay numbers
    assert [safe_cell(x) for x in ("+1", "-1.5", "@SUM(A1)", "\tx", "ok", 3)] == ["+1", "-1.5", "'@SUM(A1)",
                                                                               "'\tx", "ok", 3]


def test_results_csv_of_a_run_is_escaped(tmp_path):
    img = np.zeros((32, 32), np.uint8)
    inputs = tmp_path / "in"
    inputs.mkdir()
    cv2.imwrite(str(inputs / "=1+2.png"), img)
    path = _pipeline(tmp_path)
    assert main(["run", str(path), "-i", str(inputs), "-o", str(tmp_path / "out"), "-q"]) == 0
    rows = list(csv.reader((tmp_path / "out" / "results.csv").open(encoding="utf-8")))
    assert rows[1][0].endswith("=1+2.png")
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    assert json.loads((tmp_path / "out" / "r.jsonl").read_text().splitlines()[0])["input"] == "=1+2.png"
