"""Io family (new nodes): video file source, CSV and JSON-lines record sinks."""

import csv
import json

import cv2
import numpy as np
import pytest

from workbench.core.engine import Engine
from workbench.core.errors import NodeInputError, ParamError
from workbench.core.graph import Pipeline
from workbench.core.registry import default_registry
from workbench.core.spec import NodeContext
from workbench.core.types import MeasurementSet, VerdictResult
from workbench.nodes.io.video_file import video_file
from workbench.nodes.io.write_csv import write_csv
from workbench.nodes.io.write_json import write_json

FRAMES = 6


@pytest.fixture
def video(tmp_path):
    """A 64x48 MJPG .avi of 6 frames at 12.5 fps; frame i is gray level 30 + 40*i with a square at x=8*i."""
    path = tmp_path / "clip.avi"
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 12.5, (64, 48))
    assert w.isOpened(), "MJPG/AVI writer not available in this OpenCV build"
    for i in range(FRAMES):
        f = np.full((48, 64, 3), 30 + 40 * i, np.uint8)
        cv2.rectangle(f, (8 * i, 10), (8 * i + 9, 19), (0, 0, 0), -1)
        w.write(f)
    w.release()
    return path


def test_video_file_reads_the_chosen_frame(video):
    out = video_file(video, frame=3)
    assert out.image.shape == (48, 64, 3) and out.image.dtype == np.uint8
    assert out.frame_count == FRAMES and out.fps == pytest.approx(12.5)
    assert out.image[40, 60, 1] == pytest.approx(150, abs=6)  # background of frame 3
    assert out.image[14, 28].max() < 30  # the square at x = 24..33
    assert video_file(video).image[40, 60, 1] == pytest.approx(30, abs=6)
    last = video_file(video, frame=FRAMES - 1)
    assert last.image[40, 10, 1] == pytest.approx(230, abs=6)


def test_video_file_errors(video, tmp_path):
    with pytest.raises(NodeInputError, match="frame 6 is out of range: clip.avi has 6 frames"):
        video_file(video, frame=6)
    with pytest.raises(NodeInputError, match="video not found"):
        video_file(tmp_path / "missing.avi")
    bad = tmp_path / "bad.avi"
    bad.write_bytes(b"not a video at all" * 10)
    with pytest.raises(NodeInputError, match="cannot"):
        video_file(bad)
    with pytest.raises(ValueError, match="no video file chosen"):
        video_file(None)


def test_video_file_is_a_source_in_a_pipeline(video, tmp_path):
    reg = default_registry()
    spec = reg["io.video_file"]
    assert spec.source and spec.set_input(video) == {"path": str(video), "frame": 0}
    ctx = NodeContext(base_dir=tmp_path)
    assert spec.list_inputs({"path": "clip.avi", "frame": 0}, ctx) == [tmp_path / "clip.avi"]
    pipe = Pipeline(reg, base_dir=tmp_path)
    pipe.add_node("io.video_file", "v", {"path": "clip.avi", "frame": 2})
    eng = Engine()
    res = eng.run(pipe, context=ctx)
    assert res.nodes["v"].status == "ok", res.nodes["v"].message
    assert res.nodes["v"].outputs["frame_count"] == FRAMES
    assert eng.run(pipe, context=ctx).nodes["v"].status == "cached"


def ms(**kw):
    m = MeasurementSet()
    for k, v in kw.items():
        m.add(k, v, "px" if k.startswith("w") else "")
    return m


def test_write_csv_appends_rows_with_a_stable_header(tmp_path):
    ctx = NodeContext(output_dir=tmp_path, input_path=tmp_path / "a.png")
    p = write_csv(ms(count=3, width=1.5), ctx, file="res.csv")
    assert p == str(tmp_path / "res.csv")
    write_csv(ms(width=2.0, count=4), ctx, verdict=VerdictResult(False, ["x"]), file="res.csv")
    ctx2 = NodeContext(output_dir=tmp_path, input_path=tmp_path / "b.png", frame_index=7)
    write_csv(ms(count=5, area=9), ctx2, file="res")  # the .csv suffix is added
    text = (tmp_path / "res.csv").read_text(encoding="utf-8").splitlines()
    assert text[0] == "input,frame,count,width,verdict,area"  # new columns appended at the end
    assert sum(line.startswith("input,") for line in text) == 1
    rows = list(csv.DictReader(text))
    assert [r["count"] for r in rows] == ["3", "4", "5"]
    assert rows[0]["width"] == "1.5" and rows[0]["verdict"] == "" and rows[1]["verdict"] == "NG"
    assert rows[2] == {"input": "b.png", "frame": "7", "count": "5", "width": "", "verdict": "", "area": "9"}
    with pytest.raises(ParamError, match="file name is required"):
        write_csv(ms(count=1), ctx, file="")


def test_write_json_appends_one_line_per_run(tmp_path):
    ctx = NodeContext(output_dir=tmp_path, input_path=tmp_path / "part_01.png", frame_index=2)
    write_json(ctx, measurements=ms(count=2, width=3.25), verdict=VerdictResult(True))
    write_json(ctx, verdict=VerdictResult(False, ["count = 0, expected >= 1"]))
    lines = (tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(x) for x in lines)
    assert first["input"] == "part_01.png" and first["frame"] == 2
    assert first["measurements"] == {"count": 2, "width": 3.25} and first["units"] == {"width": "px"}
    assert first["verdict"] == "OK" and first["reasons"] == []
    assert "measurements" not in second and second["reasons"] == ["count = 0, expected >= 1"]


def test_sinks_always_run_in_the_engine(tmp_path):
    reg = default_registry()
    assert not reg["io.write_csv"].cacheable and not reg["io.write_json"].cacheable
    img = tmp_path / "img.png"
    disc = np.zeros((64, 64), np.uint8)
    cv2.circle(disc, (32, 32), 10, 255, -1)
    cv2.imwrite(str(img), disc)
    pipe = Pipeline(reg, base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "img.png", "mode": "GRAY"})
    pipe.add_node("cv.threshold", "th")
    pipe.add_node("cv.blob_analysis", "blobs")
    pipe.add_node("io.write_csv", "csv", {"file": "out.csv"})
    pipe.connect("src", "image", "th", "image")
    pipe.connect("th", "out", "blobs", "mask")
    pipe.connect("blobs", "measurements", "csv", "measurements")
    eng = Engine()
    ctx = NodeContext(base_dir=tmp_path, output_dir=tmp_path / "run")
    for _ in range(2):
        res = eng.run(pipe, context=ctx)
        assert res.nodes["csv"].status == "ok", res.nodes["csv"].message
    rows = list(csv.DictReader((tmp_path / "run" / "out.csv").open(encoding="utf-8")))
    assert len(rows) == 2 and rows[0]["count"] == "1"
