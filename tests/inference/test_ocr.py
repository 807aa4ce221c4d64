"""OCR with the real PP-OCR models from rapidocr-onnxruntime, and the decoding maths on synthetic data."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from dl_testkit import const_model
from workbench.core.spec import NodeContext
from workbench.inference import bundled
from workbench.inference import ocr as O
from workbench.inference.model import ModelError
from workbench.inference.sessions import Device, load_model
from workbench.inference.sidecar import load_config

IMAGES = {  # name -> render_lot_code kwargs
    "lot": {},
    "serial_small": {"lines": ("SN 0042-7731",), "scale": 0.8},
    "rotated_4deg": {"angle": 4.0},
    "three_lines_big": {"lines": ("BATCH B-99", "Best before 12/2027", "Made in EU"), "scale": 2.0},
    "upside_down": {"upside_down": True},
    "rotated_-7deg": {"lines": ("QC PASSED 7731",), "angle": -7.0, "scale": 1.1},
}


@pytest.fixture(scope="module")
def ocr_models(ppocr_models):
    """The real PP-OCR models (tests/conftest.py installs them from the locked wheel or fails)."""
    return tuple(load_model(p, Device.CPU) for p in ppocr_models)


# ---------------------------------------------------------------- real models

@pytest.mark.parametrize("name", list(IMAGES))
def test_reading_equals_rapidocr(name, ocr_models):
    import rapidocr_onnxruntime as rapidocr
    det, cls, rec = ocr_models
    img = bundled.render_lot_code(**IMAGES[name])
    ours = O.read_text(img, det, cls, rec)
    theirs, _ = _engine(rapidocr)(img)
    theirs = theirs or []
    assert [ln.text for ln in ours] == [t[1] for t in theirs]
    assert len(ours) >= 1
    for ln, t in zip(ours, theirs):
        assert ln.score == pytest.approx(t[2], abs=1e-4)
        np.testing.assert_allclose(ln.quad, np.array(t[0], np.float32), atol=1.0)


_ENGINE = {}


def _engine(mod):
    if "e" not in _ENGINE:
        _ENGINE["e"] = mod.RapidOCR()
    return _ENGINE["e"]


def test_reads_the_lot_code(ocr_models):
    det, cls, rec = ocr_models
    lines = O.read_text(bundled.render_lot_code(), det, cls, rec)
    texts = [ln.text for ln in lines]
    assert len(texts) == 2 and texts[1].replace(" ", "") == "EXP2027-11"
    # Hershey's narrow O reads as a zero: the example pipeline's rule accepts both
    assert texts[0].replace(" ", "").replace("0T", "OT") == "LOT2026-11-21A17"
    assert all(ln.score > 0.9 for ln in lines)


def test_orientation_flips_on_a_rotated_crop(ocr_models):
    det, cls, rec = ocr_models
    img = bundled.render_lot_code()
    quads, _ = O.detect_text(img, det, O.OcrParams())
    crops = [O.crop_quad(img, q) for q in quads]
    assert len(crops) == 2
    up = O.classify_orientation(crops, cls, O.OcrParams())
    down = O.classify_orientation([cv2.rotate(c, cv2.ROTATE_180) for c in crops], cls, O.OcrParams())
    assert [lab for lab, _ in up] == ["0", "0"] and all(s > 0.9 for _, s in up)
    assert [lab for lab, _ in down] == ["180", "180"] and all(s > 0.9 for _, s in down)
    # and the pipeline reads the upside-down label right way up
    texts = [ln.text for ln in O.read_text(bundled.render_lot_code(upside_down=True), det, cls, rec)]
    assert "EXP2027-11" in [t.replace(" ", "") for t in texts]


def test_install_writes_license_and_sidecars(tmp_path):
    paths = bundled.install_ocr_models(tmp_path / "ppocr")
    assert [p.name for p in paths] == list(bundled.OCR_FILES)
    lic = (tmp_path / "ppocr" / "LICENSE.txt").read_text()
    assert "Apache License 2.0" in lic and "rapidocr-onnxruntime 1.4.4" in lic
    tasks = []
    for p in paths:
        info = load_model(p, Device.CPU).info
        tasks.append(load_config(p, info).task)
    assert tasks == ["ocr_detection", "ocr_orientation", "ocr_recognition"]
    assert bundled.bundled_ocr_paths(tmp_path / "ppocr") == tuple(paths)
    rec_info = load_model(paths[2], Device.CPU).info
    assert rec_info.outputs[0].shape[-1] == len(O.charset(SimpleNamespace(info=rec_info)))  # 6625


# ---------------------------------------------------------------- nodes and pipelines

def _registry():
    from workbench.core.registry import Registry

    reg = Registry()
    reg.load_builtins()
    for m in ("workbench.nodes.dl.ocr", "workbench.nodes.dl.text_orientation"):
        if not any(s.module == m for s in _specs(reg)):
            reg.register_module(importlib.import_module(m))
    return reg


def _specs(reg):
    return list(getattr(reg, "_specs", {}).values())


@pytest.fixture
def bundled_here(ocr_models, monkeypatch):
    paths = tuple(m.path for m in ocr_models)
    monkeypatch.setattr("workbench.nodes.dl._ocr.bundled_ocr_paths", lambda: paths)
    return paths


def test_ocr_node_outputs(bundled_here):
    from workbench.nodes.dl.ocr import ocr

    out = ocr(bundled.render_lot_code(), NodeContext(), match=r"EXP\s*2027-11")
    d = out.detections
    assert len(d) == 2 and d.labels == out.text.split("\n") and list(d.class_ids) == [0, 1]
    assert d.polygons is not None and d.polygons[0].shape == (4, 2)
    assert d.boxes[0, 1] < d.boxes[1, 1]  # reading order: top line first
    assert out.measurements.values["count"] == 2 and out.measurements.values["match"] == 1
    assert 0.9 < out.measurements.values["mean_score"] <= 1.0


def test_text_orientation_node(bundled_here):
    from workbench.nodes.dl.ocr import ocr
    from workbench.nodes.dl.text_orientation import text_orientation

    for upside_down, label in ((False, "0"), (True, "180")):
        img = bundled.render_lot_code(upside_down=upside_down)
        lines = ocr(img, NodeContext()).detections
        res = text_orientation(img, NodeContext(), lines)
        assert res.classification.label == label and res.classification.score > 0.9
        assert res.measurements.values["upside_down"] == int(upside_down)
        assert res.measurements.values["lines"] == 2


def test_nodes_without_models_say_so(monkeypatch):
    from workbench.nodes.dl.ocr import ocr
    from workbench.nodes.dl.text_orientation import text_orientation

    monkeypatch.setattr("workbench.nodes.dl._ocr.bundled_ocr_paths", lambda: None)
    img = np.zeros((64, 64, 3), np.uint8)
    with pytest.raises(ModelError, match="^no model file chosen"):
        ocr(img, NodeContext())
    with pytest.raises(ModelError, match="^no model file chosen"):
        text_orientation(img, NodeContext())


def test_detection_model_with_a_wrong_output_is_one_clear_error(tmp_path):
    from workbench.nodes.dl.ocr import ocr

    det = const_model(tmp_path / "det.onnx", {"y": np.zeros((1, 10, 6), np.float32)}, in_shape=("N", 3, "H", "W"))
    rec = const_model(tmp_path / "rec.onnx", {"y": np.zeros((1, 5, 4), np.float32)}, in_shape=("N", 3, 48, "W"))
    with pytest.raises(ModelError, match=r"expected a probability map \[1, 1, H, W\], got \[1, 10, 6\]"):
        ocr(np.full((64, 200, 3), 255, np.uint8), NodeContext(), det_model=det, rec_model=rec, device=Device.CPU)


@pytest.mark.parametrize("name, ok", [("ocr_lot_code.json", True), ("label_orientation.json", False)])
def test_example_pipelines(name, ok, bundled_here, tmp_path, monkeypatch):
    from workbench.core.engine import Engine
    from workbench.core.paths import pipelines_dir
    from workbench.core.pipeline_file import load_pipeline

    bundled.ensure_ocr_samples()
    pipe = load_pipeline(pipelines_dir() / name, _registry())
    res = Engine().run(pipe)
    assert not res.errors, res.errors
    v = res.output("judge")
    assert v.ok is ok, v.reasons
    if not ok:
        assert v.reasons == ["label = '180', expected == 0"]


def test_sample_images_are_written(tmp_path):
    paths = bundled.ensure_ocr_samples(tmp_path)
    assert [p.name for p in paths] == ["lot_code.png", "label_upside_down.png"]
    a, b = (cv2.imread(str(p)) for p in paths)
    np.testing.assert_array_equal(cv2.rotate(a, cv2.ROTATE_180), b)


# ---------------------------------------------------------------- maths, synthetic

def test_ctc_greedy_decoding():
    chars = ["blank", "A", "B", "C", " "]
    # steps: A A blank A B B blank blank C space -> "AABC " (repeats collapsed, a blank separates the As)
    seq = [1, 1, 0, 1, 2, 2, 0, 0, 3, 4]
    probs = np.full((2, len(seq), 5), 0.05, np.float32)
    conf = [0.9, 0.8, 0.99, 0.7, 0.6, 0.95, 0.99, 0.99, 0.5, 0.4]
    for t, (k, c) in enumerate(zip(seq, conf)):
        probs[0, t, k] = c
    probs[1, :, 0] = 0.9  # all blank
    (text, score), (empty, zero) = O.ctc_decode(probs, chars)
    assert text == "AABC "
    # kept steps: first A (0.9), A after the blank (0.7), first B (0.6), C (0.5), space (0.4)
    assert score == pytest.approx(np.mean([0.9, 0.7, 0.6, 0.5, 0.4]))
    assert (empty, zero) == ("", 0.0)
    with pytest.raises(ModelError, match=r"expected \[N, T, 4\].*got \[2, 10, 5\]"):
        O.ctc_decode(probs, chars[:4])


def test_charset_from_metadata():
    rec = SimpleNamespace(info=SimpleNamespace(metadata={"character": "a\nb\nc"}))
    assert O.charset(rec) == ["blank", "a", "b", "c", " "]
    with pytest.raises(ModelError, match="no 'character' metadata"):
        O.charset(SimpleNamespace(info=SimpleNamespace(metadata={})))


def test_db_postprocess_two_rectangles():
    pred = np.zeros((1, 1, 160, 320), np.float32)
    pred[0, 0, 20:40, 30:130] = 0.9  # rectangle 1: x 30..129, y 20..39
    pred[0, 0, 100:130, 150:300] = 0.8  # rectangle 2: x 150..299, y 100..129
    pred[0, 0, 70:72, 10:12] = 0.95  # a speck: too small
    p = O.OcrParams()
    boxes, scores = O.db_boxes(pred, 640, 320, p)  # map to an image twice the size
    assert boxes.shape == (2, 4, 2)
    order = np.argsort(boxes[:, 0, 1])
    boxes, scores = boxes[order], scores[order]
    # the 2x2 dilation grows each region by one pixel right and down; the score is the mean inside it
    np.testing.assert_allclose(scores, [0.9 * 100 * 20 / (101 * 21), 0.8 * 150 * 30 / (151 * 31)], atol=1e-3)
    for box, (x1, y1, x2, y2) in zip(boxes, [(30, 20, 130, 40), (150, 100, 300, 130)]):
        w, h = x2 - x1, y2 - y1
        d = w * h * p.unclip_ratio / (2 * (w + h))  # the unclip distance
        exp = 2 * np.array([x1 - d, y1 - d, x2 + d, y2 + d])
        got = np.array([box[:, 0].min(), box[:, 1].min(), box[:, 0].max(), box[:, 1].max()], float)
        np.testing.assert_allclose(got, exp, atol=2 * 2.0)  # 2 map pixels, times the scale
    assert O.reading_order([b.astype(np.float32) for b in boxes[::-1]]) == [1, 0]


def test_unclip_expands_a_rectangle_by_the_distance():
    box = np.array([[10, 20], [110, 20], [110, 40], [10, 40]], np.float32)
    d = 100 * 20 * 1.6 / 240
    out, _ = O.mini_box(O.unclip(box, 1.6).reshape(-1, 1, 2))
    np.testing.assert_allclose(out, [[10 - d, 20 - d], [110 + d, 20 - d], [110 + d, 40 + d], [10 - d, 40 + d]],
                               atol=0.5)


def test_unclip_matches_pyclipper():
    import pyclipper
    rng = np.random.default_rng(0)
    for _ in range(300):
        rect = (tuple(rng.uniform(10, 900, 2)), tuple(rng.uniform(3, 300, 2)), float(rng.uniform(-90, 90)))
        pts, _ = O.mini_box(cv2.boxPoints(rect).reshape(-1, 1, 2).astype(np.float32))
        x, y = pts[:, 0], pts[:, 1]
        area = abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2
        dist = area * 1.6 / np.linalg.norm(pts - np.roll(pts, -1, 0), axis=1).sum()
        off = pyclipper.PyclipperOffset()
        off.AddPath(pts, pyclipper.JT_ROUND, pyclipper.ET_CLOSEDPOLYGON)
        ref = np.array(off.Execute(dist)).reshape(-1, 1, 2).astype(np.float32)
        a, _ = O.mini_box(O.unclip(pts, 1.6).reshape(-1, 1, 2))
        b, _ = O.mini_box(ref)
        np.testing.assert_allclose(a, b, atol=1e-3)


def test_params_from_sidecar_postprocess():
    p = O.OcrParams.from_postprocess({"limit_side_len": 960, "score_mode": "fast", "_note": "x"},
                                     {"cls_shape": [48, 192]}, {"rec_shape": [48, 320], "use_dilation": False})
    assert p.limit_side_len == 960 and p.cls_shape == (48, 192) and p.use_dilation is False
    with pytest.raises(ModelError, match="postprocess.thresh"):
        O.OcrParams.from_postprocess({"thresh": "high"})


def test_image_kinds():
    assert O.to_bgr3(np.zeros((5, 6), np.uint8)).shape == (5, 6, 3)
    assert O.to_bgr3(np.zeros((5, 6, 4), np.uint8)).shape == (5, 6, 3)
    assert O.to_bgr3(np.ones((5, 6), np.float32)).max() == 255
    with pytest.raises(ModelError, match="gray or colour"):
        O.to_bgr3(np.zeros((5, 6, 2), np.uint8))


def test_ocr_nodes_on_tiny_models(tmp_path):
    """The whole chain on tiny synthetic models (no real models needed): one dark bar -> one line "AB"."""
    from ocr_testkit import dark_bar_image, tiny_ocr_models

    from workbench.nodes.dl.ocr import ocr
    from workbench.nodes.dl.text_orientation import text_orientation

    det, cls, rec = tiny_ocr_models(tmp_path)
    img = dark_bar_image()
    out = ocr(img, NodeContext(), det_model=det, cls_model=cls, rec_model=rec, device=Device.CPU, match="^AB$")
    assert out.text == "AB" and out.measurements.values == {"count": 1, "mean_score": pytest.approx(0.94),
                                                             "match": 1}
    x1, y1, x2, y2 = out.detections.boxes[0]
    # the bar (40..160 x 30..50) expanded by the unclip distance 120*20*1.6/280 ~ 13.7 px
    assert abs(x1 - 26) <= 3 and abs(y1 - 16) <= 3 and abs(x2 - 174) <= 3 and abs(y2 - 64) <= 3
    # chosen det/rec with an empty cls path: no orientation step
    assert ocr(img, NodeContext(), det_model=det, rec_model=rec, device=Device.CPU).text == "AB"
    res = text_orientation(img, NodeContext(), out.detections, model=cls, device=Device.CPU)
    assert (res.classification.label, res.measurements.values["upside_down"]) == ("180", 1)
    assert text_orientation(img, NodeContext(), model=cls, device=Device.CPU, threshold=0.99
                            ).classification.label == "0"  # 0.98 is not over 0.99
