"""The one inspection record (runtime/inspection.py): verdict rule, the result image, judged
measurements, and the record that batch, stream and the results database all use."""

from __future__ import annotations

from workbench.core.engine import Engine
from workbench.core.paths import demo_pipeline
from workbench.core.pipeline_file import load_pipeline
from workbench.core.types import VerdictResult
from workbench.runtime.inspection import (combine_verdicts, final_image, final_node, inspect, judged_measurements,
                                          overlay_image, overlay_node, overlay_values, result_image, verdicts_of)
from workbench.runtime.results import inspection_from_run


def test_final_image_is_the_overlay_of_the_demo():
    pipe = load_pipeline(demo_pipeline())
    res = Engine().run(pipe)
    img = final_image(pipe, res)
    assert img is not None and img.shape == (303, 384, 3)
    green = (img[:, :, 1] > 150) & (img[:, :, 0] < 100) & (img[:, :, 2] < 100)
    assert green.sum() > 1000  # the coin contours are drawn in the OK colour
    assert final_node(pipe, res) == overlay_node(pipe) == "overlay"
    assert overlay_image(pipe, res) is img and result_image(pipe, res) is img


def test_without_an_overlay_the_result_image_is_the_last_image():
    pipe = load_pipeline(demo_pipeline())
    pipe.remove_node("save")
    pipe.remove_node("overlay")
    res = Engine().run(pipe)
    assert overlay_node(pipe) is None and overlay_image(pipe, res) is None
    assert final_node(pipe, res) == "fill" and result_image(pipe, res) is res.output("fill")
    assert any(isinstance(v, VerdictResult) for v in overlay_values(res))


def test_verdict_rule():
    ok, ng = VerdictResult(True, []), VerdictResult(False, ["count = 3, expected in [22, 26]"])
    assert combine_verdicts([]) == (None, [])
    assert combine_verdicts([ok]) == ("OK", [])
    assert combine_verdicts([ok, ng]) == ("NG", ["count = 3, expected in [22, 26]"])


def test_one_record_from_a_run_for_jsonl_and_the_database():
    pipe = load_pipeline(demo_pipeline())
    res = Engine().run(pipe)
    row = inspect("coins.png", res, {"source"})
    assert row.status == "ok" and row.verdict == "OK" and row.measurements["count.coins"] == 24
    assert [v.ok for v in verdicts_of(res)] == [True]
    assert set(row.as_dict()) == {"input", "status", "verdict", "reasons", "measurements", "texts", "node_ms",
                                  "total_ms", "errors", "notes"}
    rec = inspection_from_run(res, row, pipeline_name="coins", pipeline_digest="abc")
    assert (rec.verdict, rec.measurements, rec.detections, rec.provider) == ("OK", row.measurements, {}, "")


def test_judged_measurements_name_the_judge_limits():
    pipe = load_pipeline(demo_pipeline())
    judge = pipe.nodes["judge"].params
    assert judged_measurements(pipe) == {"count.coins": [judge["low"], judge["high"]]}
    pipe.set_param("judge", "rule", "AT_MOST")
    assert judged_measurements(pipe) == {"count.coins": [judge["high"]]}
