"""Flow nodes: gate (conditional skip), switch, for-each (0, 1 and many items) and the two-stage
example pipeline, all run through the real engine on real or drawn images."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from workbench.cli import main
from workbench.core.engine import FAILED, OK, SKIPPED, Engine
from workbench.core.graph import Pipeline
from workbench.core.pipeline_file import dumps_pipeline, load_pipeline, loads_pipeline
from workbench.core.registry import default_registry
from workbench.core.types import DetectionSet, VerdictResult
from workbench.nodes.flow._items import boxes_of
from workbench.nodes.flow.gate import gate
from workbench.runtime.samples import ensure_for_pipeline

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "pipelines" / "coins_per_coin.json"


def discs(n: int, size: int = 160) -> np.ndarray:
    """A grey image with n discs; disc i has grey level 250 - 40 * i (so the later ones are darker)."""
    img = np.full((size, size), 10, np.uint8)
    for i in range(n):
        cx, cy = 25 + (i % 3) * 50, 25 + (i // 3) * 50
        cv2.circle(img, (cx, cy), 15, 250 - 40 * i, -1)
    return img


def inner_graph(base: Path, low: float = 100.0, fail: bool = False) -> Pipeline:
    """crop -> intensity statistics -> judge(mean >= low); outputs: verdict and measurements."""
    g = Pipeline(default_registry(), base_dir=base)
    g.add_node("core.graph_input", "crop", {"name": "crop", "type": "Image"})
    g.add_node("cv.intensity_stats", "stats", {})
    g.add_node("cv.judge", "judge", {"measurement": "nonexistent" if fail else "max", "rule": "AT_LEAST",
                                      "low": low})
    g.add_node("core.graph_output", "v", {"name": "verdict", "type": "Verdict"})
    g.add_node("core.graph_output", "m", {"name": "measurements", "type": "Measurements"})
    g.connect("crop", "value", "stats", "image")
    g.connect("stats", "out", "judge", "measurements")
    g.connect("judge", "out", "v", "value")
    g.connect("stats", "out", "m", "value")
    return g


def loop_pipeline(tmp_path: Path, n: int, **kw) -> Pipeline:
    path = tmp_path / f"discs{n}.png"
    cv2.imwrite(str(path), discs(n))
    p = Pipeline(default_registry(), base_dir=tmp_path)
    p.add_node("io.image_file", "src", {"path": path.name})
    p.add_node("cv.threshold", "thr", {"mode": "FIXED", "value": 50.0})
    p.add_node("cv.blob_analysis", "blobs", {"min_area": 50.0})
    p.add_node("flow.for_each", "each", {"padding": 2, "min_count": kw.pop("min_count", 0)},
               graph=inner_graph(tmp_path, **kw))
    p.connect("src", "image", "thr", "image")
    p.connect("thr", "out", "blobs", "mask")
    p.connect("src", "image", "each", "image")
    p.connect("blobs", "regions", "each", "regions")
    return p


# ---------------------------------------------------------------- for-each
def test_for_each_over_many_items_collects_per_item_results_and_a_combined_verdict(tmp_path):
    res = Engine().run(loop_pipeline(tmp_path, 5, low=120.0))  # levels 250, 210, 170, 130, 90
    each = res.nodes["each"]
    assert each.status == OK, each.message
    out = each.outputs
    assert out["count"] == 5
    m = out["measurements"].values
    assert m["count"] == 5 and m["ng_count"] == 1
    assert sorted(m[f"item{i}.max"] for i in range(5)) == [90, 130, 170, 210, 250]
    dark = next(i for i in range(5) if m[f"item{i}.max"] == 90)
    assert not out["verdict"].ok
    assert out["verdict"].reasons == [f"item {dark}: max = 90, expected >= 120"]
    items = out["items"]
    assert len(items) == 5 and list(items.class_ids).count(1) == 1 and items.class_ids[dark] == 1
    x0, y0, x1, y1 = items.boxes[dark].astype(int)
    assert (x1 - x0, y1 - y0) == (35, 35)  # the 31-pixel disc plus 2 pixels of padding each side
    overlay = out["overlay"]
    assert overlay.shape == (160, 160, 3)
    assert tuple(overlay[y0, (x0 + x1) // 2]) == (40, 40, 230)  # the NG item's box is drawn red


def test_for_each_over_one_item(tmp_path):
    out = Engine().run(loop_pipeline(tmp_path, 1)).nodes["each"].outputs
    assert out["count"] == 1 and out["verdict"].ok
    assert out["measurements"].values["item0.max"] == 250
    assert out["items"].labels == ["0: OK"]


def test_for_each_over_zero_items_is_ok_unless_a_minimum_count_is_set(tmp_path):
    out = Engine().run(loop_pipeline(tmp_path, 0)).nodes["each"].outputs
    assert out["count"] == 0 and out["verdict"].ok and len(out["items"]) == 0
    assert out["measurements"].values == {"count": 0, "ng_count": 0}
    out = Engine().run(loop_pipeline(tmp_path, 0, min_count=1)).nodes["each"].outputs
    assert out["verdict"].reasons == ["0 items, expected at least 1"]


def test_an_item_whose_inner_run_fails_is_ng_and_the_loop_goes_on(tmp_path):
    res = Engine().run(loop_pipeline(tmp_path, 3, fail=True))
    out = res.nodes["each"].outputs
    assert res.nodes["each"].status == OK and out["count"] == 3
    assert out["measurements"].values["ng_count"] == 3
    assert "no measurement 'nonexistent'" in out["verdict"].reasons[0]


def test_for_each_reruns_when_an_inner_parameter_changes_and_round_trips_through_a_file(tmp_path):
    p = loop_pipeline(tmp_path, 5, low=120.0)
    engine = Engine()
    assert engine.run(p).nodes["each"].outputs["measurements"].values["ng_count"] == 1
    p.nodes["each"].graph.set_param("judge", "low", 200.0)
    assert engine.run(p).nodes["each"].outputs["measurements"].values["ng_count"] == 3
    again = loads_pipeline(dumps_pipeline(p), base_dir=tmp_path)
    assert again.nodes["each"].graph is not None
    assert Engine().run(again).nodes["each"].outputs["measurements"].values["ng_count"] == 3


def test_for_each_without_inner_graph_or_items_fails_with_one_line(tmp_path):
    p = loop_pipeline(tmp_path, 1)
    p.nodes["each"].graph = None
    res = Engine().run(p).nodes["each"]
    assert res.status == FAILED and "no inner graph" in res.message
    with pytest.raises(Exception, match="either regions or detections"):
        boxes_of(None, None, (10, 10), 0)
    doc = json.loads(dumps_pipeline(loop_pipeline(tmp_path, 1)))
    del next(n for n in doc["nodes"] if n["id"] == "each")["graph"]
    with pytest.raises(Exception, match="flow.for_each node needs a 'graph'"):
        loads_pipeline(json.dumps(doc), base_dir=tmp_path)


def test_detection_boxes_are_padded_and_clipped_to_the_image():
    dets = DetectionSet(boxes=np.array([[-5, 2.5, 20, 8], [90, 90, 120, 130]], np.float32),
                        scores=np.ones(2, np.float32), class_ids=np.zeros(2, np.int32), labels=["a", "b"])
    assert boxes_of(None, dets, (100, 100), 1) == [(0, 1, 21, 9), (89, 89, 100, 100)]


# ---------------------------------------------------------------- gate and switch
def gated(tmp_path: Path, n: int, pass_when: str = "TRUE") -> Pipeline:
    """for-each verdict -> gate(overlay) -> resize; and a switch choosing the gated branch or the source."""
    p = loop_pipeline(tmp_path, n, low=120.0)
    p.add_node("flow.gate", "gate", {"type": "Image", "pass_when": pass_when})
    p.add_node("cv.resize", "after", {})
    p.connect("each", "overlay", "gate", "value")
    p.connect("each", "verdict", "gate", "condition")
    p.connect("gate", "out", "after", "image")
    p.add_node("flow.switch", "pick", {"type": "Image"})
    p.connect("each", "verdict", "pick", "select")
    p.connect("after", "out", "pick", "in0")
    p.connect("src", "image", "pick", "in1")
    return p


def test_gate_passes_when_the_condition_holds(tmp_path):
    res = Engine().run(gated(tmp_path, 2))  # both discs bright: OK
    assert res.nodes["gate"].status == OK and res.nodes["after"].status == OK
    assert res.nodes["pick"].outputs["out"].shape == (80, 80, 3)  # OK -> in0, the gated overlay, resized


def test_gate_skips_the_branch_below_it_and_the_switch_takes_the_other_input(tmp_path):
    res = Engine().run(gated(tmp_path, 5))  # one dark disc: NG
    assert res.nodes["after"].status == SKIPPED
    assert "no value from gate.out" in res.nodes["after"].message
    assert res.nodes["pick"].status == OK  # the skipped branch only feeds the input not chosen
    assert res.nodes["pick"].outputs["out"].shape == (160, 160)  # NG -> in1, the source image
    res = Engine().run(gated(tmp_path, 5, pass_when="FALSE"))
    assert res.nodes["after"].status == OK


def test_switch_by_index_and_its_errors(tmp_path):
    p = gated(tmp_path, 2)
    p.set_param("pick", "inputs", 3)
    assert [port.name for port in p.nodes["pick"].inputs] == ["select", "in0", "in1", "in2"]
    p.connect("each", "count", "pick", "select")  # replaces the verdict link; an Int: 2 discs pick in2
    p.add_node("cv.flip", "flipped", {})
    p.connect("src", "image", "flipped", "image")
    p.connect("flipped", "out", "pick", "in2")
    res = Engine().run(p)
    assert res.nodes["pick"].status == OK
    assert np.array_equal(res.nodes["pick"].outputs["out"], res.nodes["flipped"].outputs["out"])
    spec = default_registry()["flow.switch"]
    with pytest.raises(Exception, match="out of range: inputs 0 to 1"):
        spec.func(select=5, in0=1, in1=2)
    with pytest.raises(Exception, match="cannot select with str"):
        spec.func(select="x", in0=1, in1=2)
    assert spec.func(select=1, in0=1, in1=None) is not None  # chosen input skipped: no value
    assert gate(np.zeros(2), VerdictResult(False, ["x"])) is not None


# ---------------------------------------------------------------- the example
def test_two_stage_example_runs_in_workbench_run(tmp_path, capsys):
    pipe = load_pipeline(EXAMPLE)
    ensure_for_pipeline(pipe)
    assert pipe.nodes["each"].type == "flow.for_each" and pipe.nodes["only_ng"].type == "flow.gate"
    assert main(["run", str(EXAMPLE), "--output", str(tmp_path)]) == 0
    row = json.loads((tmp_path / "results.jsonl").read_text().splitlines()[0])
    assert row["verdict"] == "NG"
    m = row["measurements"]
    assert m["each.count"] == 24 and m["each.ng_count"] == 5
    assert sum(1 for k in m if k.endswith(".mean")) == 24
    assert (tmp_path / "ng" / "coins_ng.png").is_file()  # the gate let the NG overlay through to the saver


def test_only_a_merge_node_runs_on_a_skipped_branch(tmp_path):
    p = loop_pipeline(tmp_path, 5, low=120.0)  # NG: the gate closes
    p.add_node("flow.gate", "g", {"type": "Image"})
    p.connect("src", "image", "g", "value")
    p.connect("each", "verdict", "g", "condition")
    p.add_node("cv.threshold", "t2", {})
    p.connect("g", "out", "t2", "image")
    p.add_node("cv.intensity_stats", "stats", {})  # its mask input is optional, but it is no merge node
    p.connect("src", "image", "stats", "image")
    p.connect("t2", "out", "stats", "mask")
    res = Engine().run(p)
    assert res.nodes["t2"].status == SKIPPED and res.nodes["stats"].status == SKIPPED
