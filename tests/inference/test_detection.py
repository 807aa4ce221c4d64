"""Detection heads: layouts, auto-detection, thresholds, class-wise NMS, letterbox undo."""

import numpy as np
import pytest

from dl_testkit import const_model, write_sidecar, yolov8_output
from workbench.inference.detection import (bench_nms, candidates, check_layout, decode_detections, detect_layout,
                                           nms, nms_cv2)
from workbench.inference.model import ModelError
from workbench.inference.preprocess import Preprocess, preprocess
from workbench.inference.sessions import SESSIONS

# a 1280 x 720 image letterboxed into 640 x 640: scale 0.5, 140 px of padding above and below
T = preprocess(np.zeros((720, 1280, 3), np.uint8), Preprocess(width=640, height=640))[1]
A = (100.0, 200.0, 300.0, 400.0)  # class 0, 0.9
A_DUP = (104.0, 204.0, 306.0, 402.0)  # class 0, 0.8: a duplicate of A
B = (110.0, 190.0, 310.0, 390.0)  # class 1, 0.7: overlaps A, other class
C = (800.0, 500.0, 900.0, 700.0)  # class 1, 0.1: below the threshold
ORIG = [A, A_DUP, B, C]
SCORES = [0.9, 0.8, 0.7, 0.1]
IDS = [0, 0, 1, 1]
LABELS = ["screw", "nut"]


def to_input(b):
    x1, y1, x2, y2 = b
    return (x1 * 0.5, y1 * 0.5 + 140, x2 * 0.5, y2 * 0.5 + 140)


def yolov5_output(n=120):
    out = np.zeros((1, n, 5 + 2), np.float32)
    for i, (b, s, c) in enumerate(zip(ORIG, SCORES, IDS)):
        x1, y1, x2, y2 = to_input(b)
        out[0, i, :4] = ((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1)
        out[0, i, 4] = 0.95  # objectness
        out[0, i, 5 + c] = s / 0.95  # final score = obj x cls = s
    return out


def end2end_output():
    out = np.zeros((1, 300, 6), np.float32)
    for i, (b, s, c) in enumerate(zip(ORIG, SCORES, IDS)):
        out[0, i] = (*to_input(b), s, c)
    return out


def test_transform_is_the_expected_letterbox():
    assert (T.scale_x, T.pad_x, T.pad_y, T.input_w, T.input_h) == (0.5, 0.0, 140.0, 640, 640)


@pytest.mark.parametrize("layout", ["yolov8", "yolov5", "end2end"])
def test_each_layout_decodes_to_original_pixels(layout):
    out = {"yolov8": lambda: yolov8_output([to_input(b) for b in ORIG], SCORES, IDS, 2),
           "yolov5": yolov5_output, "end2end": end2end_output}[layout]()
    assert detect_layout(out.shape, 2) == layout
    det = decode_detections([out], LABELS, T, {"layout": "auto"}, conf=0.25, iou=0.45)
    if layout == "end2end":  # NMS-free: the model's own output is kept as is (above the threshold)
        expected = [A, A_DUP, B]
        assert det.class_ids.tolist() == [0, 0, 1]
    else:  # NMS removed A's duplicate, class-wise NMS kept B (other class), C is below conf
        expected = [A, B]
        assert det.class_ids.tolist() == [0, 1]
        assert det.labels == ["screw", "nut"]
    np.testing.assert_allclose(det.boxes, np.array(expected, np.float32), atol=1.0)
    np.testing.assert_allclose(det.scores, SCORES[:len(expected)] if layout == "end2end" else [0.9, 0.7], atol=1e-5)
    assert det.boxes.dtype == np.float32 and det.class_ids.dtype == np.int32


def test_class_agnostic_nms_and_max_det_and_conf():
    out = yolov8_output([to_input(b) for b in ORIG], SCORES, IDS, 2)
    agn = decode_detections([out], LABELS, T, conf=0.25, iou=0.45, class_agnostic=True)
    assert agn.class_ids.tolist() == [0]  # B overlaps A (IoU > 0.45) and is suppressed across classes
    assert len(decode_detections([out], LABELS, T, conf=0.25, max_det=1)) == 1
    low = decode_detections([out], LABELS, T, conf=0.05)
    assert len(low) == 3 and low.scores[-1] == pytest.approx(0.1)
    np.testing.assert_allclose(low.boxes[-1], C, atol=1.0)
    assert len(decode_detections([out], LABELS, T, conf=0.95)) == 0
    # no transform: input pixels
    raw = decode_detections([out], LABELS, None, conf=0.25)
    np.testing.assert_allclose(raw.boxes[0], to_input(A), atol=1e-3)


def test_boxes_are_clipped_to_the_image():
    out = yolov8_output([(-20.0, 100.0, 700.0, 600.0)], [0.9], [0], 2)
    det = decode_detections([out], LABELS, T)
    np.testing.assert_allclose(det.boxes[0], (0, 0, 1280, 720), atol=1e-3)


def test_normalized_boxes_are_scaled_to_the_input():
    b = np.array(to_input(A)) / 640
    out = yolov8_output([b], [0.9], [0], 2)
    det = decode_detections([out], LABELS, T, {"normalized": True})
    np.testing.assert_allclose(det.boxes[0], A, atol=1.0)


@pytest.mark.parametrize("shape,labels,layout", [
    ((1, 84, 8400), 80, "yolov8"), ((1, 84, 8400), 0, "yolov8"), ((1, 6, 8400), 2, "yolov8"),
    ((1, 25200, 85), 80, "yolov5"), ((1, 25200, 85), 0, "yolov5"), ((1, 300, 6), 80, "end2end"),
    ((1, 300, 6), 2, "end2end"), ((84, 8400), 80, "yolov8"), ((1, 5, 8400), 1, "yolov8"),
])
def test_layout_auto_detection(shape, labels, layout):
    assert detect_layout(shape, labels) == layout


@pytest.mark.parametrize("shape,labels,match", [
    ((1, 300, 6), 1, "ambiguous with 1 label"),  # YOLOv5 one-class or end-to-end
    ((1, 300, 6), 0, "ambiguous"),
    ((1, 84, 8400), 3, r"does not fit 3 labels: expected \[1, 7, N\]"),
    ((1, 4, 4), 0, "fits no layout"),
    ((1, 2, 84, 8400), 80, r"expected \[1, A, B\], got \[1, 2, 84, 8400\]"),
])
def test_layout_auto_detection_errors(shape, labels, match):
    with pytest.raises(ModelError, match=match):
        detect_layout(shape, labels)


def test_a_forced_layout_that_does_not_fit_names_expected_and_actual_shape():
    with pytest.raises(ModelError, match=r"yolov8 head: expected \[1, 6, N\], got \[1, 300, 7\]"):
        check_layout((1, 300, 7), "yolov8", 2)
    with pytest.raises(ModelError, match=r"end2end head: expected \[1, K, 6\], got \[1, 84, 8400\]"):
        decode_detections([np.zeros((1, 84, 8400), np.float32)], [], T, {"layout": "end2end"})
    with pytest.raises(ModelError, match="postprocess.layout: 'yolo9' is not one of"):
        decode_detections([np.zeros((1, 84, 8400), np.float32)], [], T, {"layout": "yolo9"})


def test_candidates_take_the_best_class_per_box():
    out = np.zeros((1, 4 + 3, 10), np.float32)
    out[0, :4, 0] = (50, 50, 20, 10)
    out[0, 4:, 0] = (0.3, 0.6, 0.5)
    boxes, scores, ids, _ = candidates(out, "yolov8", 0.25)
    assert ids.tolist() == [1] and scores.tolist() == [pytest.approx(0.6)]
    np.testing.assert_allclose(boxes[0], (40, 45, 60, 55))


def test_numpy_and_cv2_nms_agree_on_8400_candidates():
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 600, (8400, 2)).astype(np.float32)
    boxes = np.concatenate([xy, xy + rng.uniform(10, 120, (8400, 2)).astype(np.float32)], 1)
    scores = rng.uniform(0.25, 1, 8400).astype(np.float32)
    ids = rng.integers(0, 80, 8400).astype(np.int32)
    a, b = nms(boxes, scores, 0.45, ids, 300), nms_cv2(boxes, scores, 0.45, ids, 300)
    assert len(a) == 300 and a.tolist() == b.tolist()
    a, b = nms(boxes, scores, 0.5), nms_cv2(boxes, scores, 0.5)
    assert a.tolist() == b.tolist()
    timing = bench_nms(n=2000, repeat=2)
    assert set(timing) == {"numpy", "cv2"} and all(v > 0 for v in timing.values())


def test_decoding_a_real_onnx_model_with_letterbox(tmp_path):
    """The model emits the constant YOLOv8 output above; the image is 1280 x 720."""
    SESSIONS.clear()
    from workbench.nodes.dl.detect import detect
    from workbench.core.spec import NodeContext

    out = yolov8_output([to_input(b) for b in ORIG], SCORES, IDS, 2)
    path = const_model(tmp_path / "det.onnx", {"output0": out}, in_shape=(1, 3, 640, 640), names=LABELS)
    img = np.full((720, 1280, 3), 40, np.uint8)
    res = detect(img, NodeContext(), model=path)
    assert res.detections.labels == ["screw", "nut"]
    np.testing.assert_allclose(res.detections.boxes, [A, B], atol=1.0)
    assert res.measurements.values["count"] == 2
    # the sidecar overrides metadata labels; a labels count that does not fit the output is one clear error
    write_sidecar(path, "detection", {"resize": "LETTERBOX", "width": 640, "height": 640}, labels=["a", "b", "c"])
    with pytest.raises(ModelError, match=r"does not fit 3 labels"):
        detect(img, NodeContext(), model=path)
    SESSIONS.clear()


def test_default_params_say_no_model_chosen():
    from workbench.core.spec import NodeContext
    from workbench.nodes.dl.detect import detect

    with pytest.raises(ModelError, match="no model file chosen"):
        detect(np.zeros((32, 32, 3), np.uint8), NodeContext(), model=None)
    with pytest.raises(ModelError, match="no model file chosen"):
        detect(np.zeros((32, 32, 3), np.uint8), NodeContext())
