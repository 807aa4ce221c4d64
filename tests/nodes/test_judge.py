import numpy as np
import pytest

from workbench.core.errors import ParamError
from workbench.core.types import ClassificationResult, DetectionSet, MeasurementSet, VerdictResult
from workbench.nodes.judge._rules import parse_rule, parse_rules
from workbench.nodes.judge.combine_verdicts import Combine as VC
from workbench.nodes.judge.combine_verdicts import combine_verdicts
from workbench.nodes.judge.rules_judge import Combine, rules_judge


def meas(**kw):
    m = MeasurementSet()
    for k, v in kw.items():
        m.add(k, v, "px²" if "area" in k else "")
    return m


def test_parse_grammar():
    r = parse_rule("count in 20..26")
    assert (r.name, r.op, r.value, r.is_range) == ("count", "in", (20.0, 26.0), True)
    assert parse_rule("mean_area>=100").op == ">="
    assert parse_rule("label == ok").value == "ok"
    assert parse_rule("label == 'not ok'").value == "not ok"
    assert parse_rule("label not in ok, good").value == ("ok", "good")
    assert parse_rule("count:scratch < 1").name == "count:scratch"
    assert parse_rule("x in -5..-1.5").value == (-5.0, -1.5)
    assert len(parse_rules("a > 1; b < 2\nc == 3;")) == 3


@pytest.mark.parametrize("bad, msg", [
    ("count", "expected NAME OP VALUE"),
    ("count => 3", "expected NAME OP VALUE"),
    ("count >= ", "missing a value"),
    ("count in 26..20", "empty"),
    ("count >= 1..3", "need 'in'"),
    ("__import__('os').system('x') == 1", "expected NAME OP VALUE"),
    ("count == a+b", "cannot read value"),
    ("", "no rules"),
])
def test_parse_errors_name_the_rule(bad, msg):
    with pytest.raises(ParamError, match=msg) as e:
        parse_rules(bad)
    assert "\n" not in str(e.value)


def test_rules_judge_all_and_reasons():
    m = meas(count=24, mean_area=150)
    assert rules_judge(m, rules="count in 20..26; mean_area >= 100").ok
    v = rules_judge(meas(count=18, mean_area=90), rules="count in 20..26; mean_area >= 100")
    assert not v.ok
    assert v.reasons == ["count = 18, expected in 20..26", "mean_area = 90 px², expected >= 100"]
    v2 = rules_judge(meas(count=18, mean_area=150), rules="count in 20..26; mean_area >= 100")
    assert v2.reasons == ["count = 18, expected in 20..26"]


def test_rules_judge_any_and_missing_name():
    m = meas(count=18, mean_area=150)
    assert rules_judge(m, rules="count in 20..26; mean_area >= 100", combine=Combine.ANY).ok
    v = rules_judge(m, rules="cout >= 1")
    assert not v.ok and "cout: no such value" in v.reasons[0] and "count" in v.reasons[0]


def test_rules_judge_classification_and_detections():
    cls = ClassificationResult(1, "ok", 0.93)
    assert rules_judge(classification=cls, rules="label == ok; score >= 0.9").ok
    assert not rules_judge(classification=cls, rules="label in ng, scrap").ok
    det = DetectionSet(boxes=np.zeros((3, 4), np.float32), scores=np.array([0.5, 0.9, 0.7], np.float32),
                       class_ids=np.array([0, 1, 1], np.int32), labels=["dent", "scratch"])
    v = rules_judge(detections=det, rules="count == 3; max_score > 0.8; count:scratch < 1; count:dent <= 1")
    assert not v.ok and v.reasons == ["count:scratch = 2, expected < 1"]
    # a linked measurement of the same name wins over the detections' count
    assert rules_judge(meas(count=7), detections=det, rules="count == 7").ok
    with pytest.raises(ParamError, match="text"):
        rules_judge(classification=cls, rules="label >= 3")
    with pytest.raises(ParamError, match="compared with"):
        rules_judge(meas(count=3), rules="count == three")


def test_combine_verdicts():
    ok, ng = VerdictResult(True), VerdictResult(False, ["count = 3, expected >= 5"])
    assert combine_verdicts(ok, ok).ok
    v = combine_verdicts(ok, ng, None, VerdictResult(False))
    assert not v.ok and v.reasons == ["b: count = 3, expected >= 5", "d: NG"]
    assert combine_verdicts(ok, ng, combine=VC.ANY).ok
    assert not combine_verdicts(ng, None, ng, combine=VC.ANY).ok
    with pytest.raises(ValueError, match="link at least one"):
        combine_verdicts()


def test_verdict_from_bool():
    from workbench.nodes.judge.verdict_from_bool import verdict_from_bool

    assert verdict_from_bool(True).ok
    v = verdict_from_bool(False, reason="chessboard not found")
    assert not v.ok and v.reasons == ["chessboard not found"]
    assert verdict_from_bool(False, ok_when=False).ok


def test_inspection_pipeline_through_the_engine(tmp_path):
    """image file -> caliper + circle gauge -> merge -> rules judge -> drawing, run by the engine with
    parameters given as in a pipeline file (enum names as text)."""
    import cv2

    from workbench.core.engine import Engine
    from workbench.core.graph import Pipeline

    img = np.zeros((200, 400), np.uint8)
    cv2.rectangle(img, (50, 60), (149, 240), 200, -1)
    cv2.circle(img, (280, 100), 40, 220, -1)
    cv2.imwrite(str(tmp_path / "part.png"), img)
    p = Pipeline(base_dir=tmp_path)
    p.add_node("io.image_file", "src", {"path": "part.png"})
    p.add_node("cv.caliper", "cal", {"x1": 20, "y1": 150, "x2": 180, "y2": 150, "mode": "PAIRS"})
    p.add_node("cv.circle_gauge", "gauge", {"cx": 275, "cy": 95, "radius": 45, "search": 15})
    p.add_node("cv.merge_measurements", "merge", {"prefix_b": "hole_"})
    p.add_node("cv.rules_judge", "judge", {"rules": "width in 99..101; hole_radius in 39.5..41.5; edge_count == 2"})
    p.add_node("cv.draw_verdict", "draw", {})
    p.connect("src", "image", "cal", "image")
    p.connect("src", "image", "gauge", "image")
    p.connect("cal", "measurements", "merge", "a")
    p.connect("gauge", "measurements", "merge", "b")
    p.connect("merge", "out", "judge", "measurements")
    p.connect("src", "image", "draw", "image")
    p.connect("judge", "out", "draw", "verdict")
    res = Engine().run(p)
    assert not res.errors, res.errors
    v = res.output("judge")
    assert v.ok, v.reasons
    assert res.output("draw").shape == (200, 400, 3)
    p.set_param("judge", "rules", "hole_radius >= 45")
    v2 = Engine().run(p).output("judge")
    assert not v2.ok and v2.reasons[0].startswith("hole_radius = ") and v2.reasons[0].endswith("px, expected >= 45")
