"""Anomaly head: map + score outputs (anomalib style), normalisation, threshold -> NG regions and verdict."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from dl_testkit import const_model, write_sidecar
from workbench.core.spec import NodeContext
from workbench.inference.anomaly import decode_anomaly, normalise, split_outputs
from workbench.inference.model import ModelError
from workbench.inference.preprocess import Preprocess, preprocess
from workbench.inference.sessions import SESSIONS
from workbench.nodes.dl.anomaly import anomaly

PP = {"resize": "LETTERBOX", "width": 64, "height": 64, "color": "GRAY", "pad_value": 0}


@pytest.fixture(autouse=True)
def _fresh_sessions():
    SESSIONS.clear()
    yield
    SESSIONS.clear()


def map_score_model(path, with_score=True):
    """gray x [1,1,64,64] -> anomaly_map = x, pred_score = max(x) (+ a bool pred_label output, as anomalib)."""
    x = helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 64, 64])
    outs = [helper.make_tensor_value_info("anomaly_map", TensorProto.FLOAT, [1, 1, 64, 64])]
    nodes = [helper.make_node("Identity", ["input"], ["anomaly_map"])]
    if with_score:
        outs = [helper.make_tensor_value_info("pred_score", TensorProto.FLOAT, [1])] + outs + [
            helper.make_tensor_value_info("pred_label", TensorProto.BOOL, [1])]
        shape = helper.make_tensor("shape1", TensorProto.INT64, [1], [1])
        thr = helper.make_tensor("half", TensorProto.FLOAT, [1], [0.5])
        nodes += [helper.make_node("ReduceMax", ["input"], ["mx"], keepdims=1),
                  helper.make_node("Reshape", ["mx", "shape1"], ["pred_score"]),
                  helper.make_node("Greater", ["pred_score", "half"], ["pred_label"])]
        inits = [shape, thr]
    else:
        inits = []
    g = helper.make_graph(nodes, "anomaly", [x], outs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 9
    onnx.save(m, path)
    return path


def part_image(defect=True):
    img = np.zeros((128, 256), np.uint8)  # letterboxed into 64 x 64: scale 0.25, 16 px pads (value 0)
    if defect:
        img[40:72, 64:96] = 220
    return img


def test_ng_region_verdict_and_map_at_original_size(tmp_path):
    path = map_score_model(tmp_path / "ad.onnx")
    write_sidecar(path, "anomaly", PP)
    out = anomaly(part_image(), NodeContext(), model=path)
    assert out.map.shape == (128, 256) and out.map.dtype == np.float32
    assert out.measurements.values["score"] == pytest.approx(220 / 255, abs=1e-4)
    assert not out.verdict.ok and out.verdict.reasons == ["anomaly score 0.8627 >= threshold 0.5"]
    assert len(out.regions) == 1
    r = out.regions.stats[0]
    assert abs(r["x"] - 64) <= 2 and abs(r["y"] - 40) <= 2 and abs(r["w"] - 32) <= 3 and abs(r["h"] - 32) <= 3
    assert out.measurements.values["area"] == pytest.approx(1024, rel=0.12)
    assert r["max_score"] == pytest.approx(220 / 255, abs=0.01)
    assert out.mask.dtype == np.uint8 and np.count_nonzero(out.mask) == r["area"]
    good = anomaly(part_image(False), NodeContext(), model=path)
    assert good.verdict.ok and good.measurements.values["score"] == 0 and len(good.regions) == 0
    assert len(anomaly(part_image(), NodeContext(), model=path, min_area=2000).regions) == 0
    assert anomaly(part_image(), NodeContext(), model=path, threshold=0.9).verdict.ok
    with pytest.raises(ModelError, match="no model file chosen"):
        anomaly(part_image(), NodeContext())


def test_anomalib_normalisation_from_the_sidecar(tmp_path):
    path = map_score_model(tmp_path / "ad.onnx")
    write_sidecar(path, "anomaly", PP, postprocess={"min": 0.0, "max": 2.0, "pixel_threshold": 0.4,
                                                    "image_threshold": 0.6})
    out = anomaly(part_image(), NodeContext(), model=path)
    v = 220 / 255
    assert out.measurements.values["score"] == pytest.approx((v - 0.6) / 2 + 0.5, abs=1e-4)
    assert out.map.max() == pytest.approx((v - 0.4) / 2 + 0.5, abs=1e-3)
    assert out.map.min() == pytest.approx(0.3, abs=1e-4)  # (0 - 0.4) / 2 + 0.5
    assert not out.verdict.ok
    write_sidecar(path, "anomaly", PP, postprocess={"min": 0.0, "max": 2.0})  # plain min-max
    out2 = anomaly(part_image(), NodeContext(), model=path)
    assert out2.measurements.values["score"] == pytest.approx(v / 2, abs=1e-4) and out2.verdict.ok


def test_score_is_the_map_maximum_without_a_score_output(tmp_path):
    path = map_score_model(tmp_path / "map_only.onnx", with_score=False)
    write_sidecar(path, "anomaly", PP)
    out = anomaly(part_image(), NodeContext(), model=path, threshold=0.8)
    assert out.measurements.values["score"] == pytest.approx(220 / 255, abs=1e-4) and not out.verdict.ok


def test_map_shapes_and_a_coarse_map():
    t = preprocess(np.zeros((40, 80), np.uint8), Preprocess(width=32, height=32))[1]  # pad_y 8
    amap = np.zeros((8, 8), np.float32)  # stride 4: [H, W]
    amap[3:5, 6:8] = 1.0
    res = decode_anomaly([amap[None]], t, threshold=0.5)  # [1, H, W]
    assert res.map.shape == (40, 80) and res.score == 1.0 and len(res.regions) == 1
    assert res.regions.stats[0]["cx"] > 60
    m, s = split_outputs([np.zeros((1,), np.float32), amap[None, None]], ["score", "map"])
    assert m.shape == (8, 8) and s.shape == (1,)
    m, s = split_outputs([amap[None, None], np.ones((1, 1), np.float32)], ["a", "b"],
                         {"map_output": "a", "score_output": "b"})
    assert s.item() == 1.0
    assert normalise(3.0, {}, "image") == (3.0, False)


def test_outputs_that_are_not_an_anomaly_map_are_one_clear_error(tmp_path):
    path = const_model(tmp_path / "cls.onnx", {"logits": np.zeros((1, 10), np.float32)}, in_shape=(1, 1, 64, 64))
    write_sidecar(path, "anomaly", PP)
    with pytest.raises(ModelError,
                       match=r"expected an anomaly map \[1, 1, H, W\] or \[1, H, W\], got logits \[1, 10\]"):
        anomaly(part_image(), NodeContext(), model=path)
