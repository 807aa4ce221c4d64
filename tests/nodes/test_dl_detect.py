"""dl.detect through the engine: io.image_file -> dl.detect, a tiny ONNX model and its sidecar written here,
boxes checked in original pixels through a letterboxed non-square image."""

import json

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from workbench.core.engine import Engine
from workbench.core.graph import Pipeline
from workbench.core.registry import Registry
from workbench.core.spec import NodeContext
from workbench.inference.sessions import SESSIONS
from workbench.nodes.dl.detect import detect

# 300 x 200 image letterboxed into 320 x 320: scale 16/15, resized to 320 x 213, 53 px of padding on top
SCALE, PAD_Y = 16 / 15, 53
BOLT, BOLT_DUP, WASHER = (30, 40, 150, 120), (32, 41, 152, 122), (200, 60, 280, 190)


def to_input(b):
    return b[0] * SCALE, b[1] * SCALE + PAD_Y, b[2] * SCALE, b[3] * SCALE + PAD_Y


def write_model(tmp_path):
    """A YOLOv8-layout model [1, 4+2, 50] whose output is constant: BOLT 0.9, its duplicate 0.6, WASHER 0.8."""
    out = np.zeros((1, 6, 50), np.float32)
    for i, (b, s, c) in enumerate([(BOLT, 0.9, 0), (BOLT_DUP, 0.6, 0), (WASHER, 0.8, 1)]):
        x1, y1, x2, y2 = to_input(b)
        out[0, :4, i] = ((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1)
        out[0, 4 + c, i] = s
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 320, 320])
    y = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 6, 50])
    g = helper.make_graph([helper.make_node("Constant", [], ["output0"], value=numpy_helper.from_array(out, "v"))],
                          "det", [x], [y])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 9
    onnx.save(m, tmp_path / "det.onnx")
    (tmp_path / "det.workbench.json").write_text(json.dumps({
        "format": "workbench.model", "schema_version": 1, "task": "detection",
        "preprocess": {"resize": "LETTERBOX", "width": 320, "height": 320, "pad_value": 114},
        "labels": ["bolt", "washer"], "postprocess": {"layout": "auto"}}), encoding="utf-8")


@pytest.fixture
def pipeline(tmp_path):
    SESSIONS.clear()
    write_model(tmp_path)
    cv2.imwrite(str(tmp_path / "part.png"), np.full((200, 300, 3), 90, np.uint8))
    reg = Registry()
    reg.load_builtins()
    reg.register(detect)
    pipe = Pipeline(reg, base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "part.png"})
    pipe.add_node("dl.detect", "det", {"model": "det.onnx", "min_score": 0.25, "max_overlap": 0.45})
    pipe.connect("src", "image", "det", "image")
    yield pipe
    SESSIONS.clear()


def test_detect_in_a_pipeline_gives_boxes_in_original_pixels(pipeline, tmp_path):
    eng = Engine()
    ctx = NodeContext(base_dir=tmp_path)
    res = eng.run(pipeline, context=ctx)
    assert not res.errors, res.errors
    det = res.output("det", "detections")
    assert det.labels == ["bolt", "washer"] and det.class_ids.tolist() == [0, 1]
    np.testing.assert_allclose(det.boxes, np.array([BOLT, WASHER], np.float32), atol=1.0)
    np.testing.assert_allclose(det.scores, [0.9, 0.8], atol=1e-6)
    assert res.output("det", "measurements").values == {"count": 2.0}
    if "CUDAExecutionProvider" not in ort.get_available_providers():  # the CPU build: the fallback is a note
        assert any(n.startswith("ran on CPU") for n in res.nodes["det"].notes)
    assert eng.run(pipeline, context=ctx).nodes["det"].status == "cached"
    pipeline.set_param("det", "max_overlap", 0.99)  # duplicates survive a lax NMS
    res2 = eng.run(pipeline, context=ctx)
    assert res2.nodes["det"].status == "ok" and res2.output("det", "measurements").values["count"] == 3
    pipeline.set_param("det", "max_objects", 1)
    assert eng.run(pipeline, context=ctx).output("det", "detections").labels == ["bolt"]


def test_a_sidecar_change_reruns_and_a_wrong_layout_fails_with_one_line(pipeline, tmp_path):
    eng = Engine()
    ctx = NodeContext(base_dir=tmp_path)
    assert not eng.run(pipeline, context=ctx).errors
    side = tmp_path / "det.workbench.json"
    raw = json.loads(side.read_text(encoding="utf-8"))
    raw["postprocess"] = {"layout": "yolov5"}
    side.write_text(json.dumps(raw), encoding="utf-8")
    res = eng.run(pipeline, context=ctx)
    assert res.nodes["det"].status == "failed"
    msg = res.nodes["det"].message
    assert "\n" not in msg and "yolov5 head: expected [1, N, 7], got [1, 6, 50]" in msg


def test_default_params_fail_with_no_model_chosen(tmp_path):
    pipe = Pipeline(_registry(), base_dir=tmp_path)
    cv2.imwrite(str(tmp_path / "part.png"), np.zeros((20, 30), np.uint8))
    pipe.add_node("io.image_file", "src", {"path": "part.png"})
    pipe.add_node("dl.detect", "det")
    pipe.connect("src", "image", "det", "image")
    res = Engine().run(pipe, context=NodeContext(base_dir=tmp_path))
    assert res.nodes["det"].status == "failed" and "no model file chosen" in res.nodes["det"].message


def _registry():
    reg = Registry()
    reg.load_builtins()
    reg.register(detect)
    return reg
