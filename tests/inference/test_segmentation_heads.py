"""Instance (YOLOv8-seg) and semantic segmentation heads, decoded from tiny ONNX models with known outputs."""

import numpy as np
import pytest
from onnx import helper

from dl_testkit import const_model, graph_model, write_sidecar, yolov8_output
from workbench.core.spec import NodeContext
from workbench.inference.model import ModelError
from workbench.inference.preprocess import Preprocess, preprocess
from workbench.inference.segmentation import class_index, class_map, decode_instances, decode_semantic
from workbench.inference.sessions import SESSIONS

T = preprocess(np.zeros((720, 1280, 3), np.uint8), Preprocess(width=640, height=640))[1]  # scale 0.5, pad_y 140
A, A_DUP, B, C = (100, 200, 300, 400), (104, 204, 306, 402), (110, 190, 310, 390), (800, 500, 900, 700)
R0 = (152, 152, 400, 352)  # proto channel 0 is "on" here (original pixels, on the 8 px proto grid)
R1 = (200, 240, 280, 320)  # proto channel 1


@pytest.fixture(autouse=True)
def _fresh_sessions():
    SESSIONS.clear()
    yield
    SESSIONS.clear()


def to_input(b):
    return (b[0] * 0.5, b[1] * 0.5 + 140, b[2] * 0.5, b[3] * 0.5 + 140)


def to_proto(r):  # original -> input -> /4 (proto stride)
    x1, y1, x2, y2 = to_input(r)
    return int(x1 / 4), int(y1 / 4), int(x2 / 4), int(y2 / 4)


def seg_outputs(nm=32, mh=160, mw=160):
    protos = np.full((1, nm, mh, mw), -10.0, np.float32)
    for ch, r in ((0, R0), (1, R1)):
        x1, y1, x2, y2 = to_proto(r)
        protos[0, ch, y1:y2, x1:x2] = 10.0
    coeffs = np.zeros((4, nm), np.float32)
    coeffs[0, 0] = coeffs[1, 0] = 1.0  # A and its duplicate use channel 0
    coeffs[2, 1] = 1.0  # B uses channel 1
    det = yolov8_output([to_input(b) for b in (A, A_DUP, B, C)], [0.9, 0.8, 0.7, 0.1], [0, 0, 1, 1], 2, n=200,
                        extra=coeffs)
    return det, protos


def rect_mask(r, shape=(720, 1280)):
    m = np.zeros(shape, np.uint8)
    m[r[1]:r[3], r[0]:r[2]] = 255
    return m


def iou(a, b):
    a, b = a > 0, b > 0
    return (a & b).sum() / max(1, (a | b).sum())


def test_instance_masks_are_cropped_to_the_box_and_mapped_to_the_original():
    det, protos = seg_outputs()
    res = decode_instances([det, protos], ["screw", "nut"], T)
    assert res.class_ids.tolist() == [0, 1] and res.labels == ["screw", "nut"]  # duplicate removed by NMS
    np.testing.assert_allclose(res.boxes, [A, B], atol=1.0)
    assert len(res.masks) == 2 and all(m.shape == (720, 1280) and m.dtype == np.uint8 for m in res.masks)
    assert set(np.unique(res.masks[0])) <= {0, 255}
    # A's mask = proto region R0 cut by box A: x 152..300, y 200..352
    expected_a = rect_mask((152, 200, 300, 352))
    assert iou(res.masks[0], expected_a) > 0.97
    ys, xs = np.nonzero(res.masks[0])
    assert abs(xs.min() - 152) <= 1 and abs(xs.max() + 1 - 300) <= 1
    assert abs(ys.min() - 200) <= 1 and abs(ys.max() + 1 - 352) <= 1
    assert iou(res.masks[1], rect_mask(R1)) > 0.95
    # polygons: the largest contour, in original pixels
    poly = res.polygons[1]
    assert poly.dtype == np.float32 and poly.shape[1] == 2
    assert abs(poly[:, 0].min() - 200) <= 1.5 and abs(poly[:, 0].max() - 279) <= 1.5
    assert abs(poly[:, 1].min() - 240) <= 1.5 and abs(poly[:, 1].max() - 319) <= 1.5


def test_outputs_in_either_order_and_nothing_above_threshold():
    det, protos = seg_outputs()
    a = decode_instances([protos, det], [], T)
    assert len(a) == 2 and a.labels == ["0", "1"]
    none = decode_instances([det, protos], [], T, conf=0.95)
    assert len(none) == 0 and none.masks == [] and none.polygons == []


def test_instance_head_errors_name_expected_and_actual_shapes():
    det, protos = seg_outputs()
    with pytest.raises(ModelError, match=r"expected outputs \[1, 4\+C\+32, N\] and \[1, 32, mh, mw\], "
                                         r"got \[1, 6, 200\]"):
        decode_instances([det[:, :6]], [], T)
    with pytest.raises(ModelError, match=r"has 2 classes .* but the model has 3 labels: expected \[1, 39, N\]"):
        decode_instances([det, protos], ["a", "b", "c"], T)


def test_segment_instances_node_with_a_real_model(tmp_path):
    from workbench.nodes.dl.segment_instances import segment_instances

    det, protos = seg_outputs()
    path = const_model(tmp_path / "seg.onnx", {"output0": det, "output1": protos}, in_shape=(1, 3, 640, 640),
                       names=["screw", "nut"])
    out = segment_instances(np.full((720, 1280, 3), 60, np.uint8), NodeContext(), model=path)
    assert out.measurements.values["count"] == 2
    assert out.mask.shape == (720, 1280) and out.mask.dtype == np.uint8
    assert iou(out.mask, np.maximum(rect_mask((152, 200, 300, 352)), rect_mask(R1))) > 0.97
    with pytest.raises(ModelError, match="no model file chosen"):
        segment_instances(np.zeros((8, 8), np.uint8), NodeContext())


# ---------------------------------------------------------------- semantic
def identity_model(path, ch=3, size=64):
    return graph_model(path, [helper.make_node("Identity", ["images"], ["out"])], "out", (1, ch, size, size),
                       in_shape=(1, ch, size, size))


def red_blue_image():
    img = np.zeros((64, 128, 3), np.uint8)  # w 128, h 64: letterboxed into 64 x 64 with 16 px pads
    img[:, :64] = (0, 0, 230)  # red (BGR)
    img[:, 64:] = (230, 0, 0)  # blue
    return img


def test_semantic_argmax_through_letterbox(tmp_path):
    from workbench.nodes.dl.segment_semantic import segment_semantic

    path = identity_model(tmp_path / "sem.onnx")  # the scores are the RGB input: argmax = dominant channel
    write_sidecar(path, "semantic_segmentation", {"resize": "LETTERBOX", "width": 64, "height": 64},
                  labels=["red", "green", "blue"])
    img = red_blue_image()
    out = segment_semantic(img, NodeContext(), model=path, target="blue")
    assert out.classes.shape == (64, 128) and out.classes.dtype == np.uint8
    assert (out.classes[:, :63] == 0).all() and (out.classes[:, 65:] == 2).all()
    assert (out.mask[:, 65:] == 255).all() and (out.mask[:, :63] == 0).all()
    assert out.measurements.values["area"] == pytest.approx(64 * 64, abs=64)
    assert np.array_equal(segment_semantic(img, NodeContext(), model=path, target="2").mask, out.mask)
    assert np.array_equal(segment_semantic(img, NodeContext(), model=path).mask, out.mask)  # every class but 0
    red = segment_semantic(img, NodeContext(), model=path, target="red").mask
    assert (red[:, :63] == 255).all() and (red[:, 65:] == 0).all()
    with pytest.raises(ModelError, match="unknown class 'purple': labels are red, green, blue"):
        segment_semantic(img, NodeContext(), model=path, target="purple")
    with pytest.raises(ModelError, match=r"class 7 is out of range: the model has 3 classes"):
        segment_semantic(img, NodeContext(), model=path, target="7")
    with pytest.raises(ModelError, match="no model file chosen"):
        segment_semantic(img, NodeContext())


def test_semantic_one_channel_threshold(tmp_path):
    from workbench.nodes.dl.segment_semantic import segment_semantic

    path = graph_model(tmp_path / "bin.onnx", [helper.make_node("Identity", ["images"], ["out"])], "out",
                       (1, 1, 64, 64), in_shape=(1, 1, 64, 64))  # gray in -> probability out
    write_sidecar(path, "semantic_segmentation",
                  {"resize": "STRETCH", "width": 64, "height": 64, "color": "GRAY"})
    img = np.zeros((128, 256), np.uint8)
    img[32:96, 64:192] = 220
    out = segment_semantic(img, NodeContext(), model=path)
    assert iou(out.mask, rect_mask((64, 32, 192, 96), (128, 256))) > 0.95
    assert set(np.unique(out.classes)) == {0, 1}
    assert segment_semantic(img, NodeContext(), model=path, threshold=0.9).measurements.values["area"] == 0


def test_class_map_layouts_and_activations():
    scores = np.zeros((1, 3, 4, 5), np.float32)
    scores[0, 2, 1:3, 1:4] = 1.0
    cm, n = class_map(scores)
    assert n == 3 and cm[1, 1] == 2 and cm[0, 0] == 0
    cm2, _ = class_map(scores.transpose(0, 2, 3, 1), num_labels=3)  # NHWC found by the labels count
    assert np.array_equal(cm, cm2)
    cm3, _ = class_map(scores.transpose(0, 2, 3, 1), post={"layout": "nhwc"})
    assert np.array_equal(cm, cm3)
    logits = np.full((1, 1, 4, 4), -3.0, np.float32)
    logits[0, 0, 0, 0] = 2.0  # logits (outside 0..1): sigmoid first
    cm4, n4 = class_map(logits)
    assert n4 == 2 and cm4.sum() == 1 and cm4[0, 0] == 1
    ints = np.array([[[0, 1], [4, 2]]], np.int64)  # an argmax already done by the model
    cm5, n5 = class_map(ints)
    assert n5 == 5 and cm5.tolist() == [[0, 1], [4, 2]]
    with pytest.raises(ModelError, match=r"has 3 classes but the model has 4 labels"):
        class_map(scores, num_labels=4)
    with pytest.raises(ModelError, match=r"expected \[1, C, H, W\] or \[1, H, W\], got \[2, 3\]"):
        class_map(np.zeros((2, 3), np.float32))
    assert class_index("", ["a"], 2) is None and class_index("1", [], 2) == 1


def test_semantic_output_on_a_coarser_grid_is_brought_to_the_input_grid():
    t = preprocess(np.zeros((40, 80), np.uint8), Preprocess(width=32, height=32))[1]  # pad_y 8
    scores = np.zeros((1, 2, 8, 8), np.float32)  # stride 4
    scores[0, 1, :, 4:] = 1.0
    mask, _, cls = decode_semantic([scores], [], t, target="1")
    assert mask.shape == (40, 80) and cls == 1
    assert (mask[:, 42:] == 255).all() and (mask[:, :38] == 0).all()
