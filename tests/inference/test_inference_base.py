"""Model info, sessions and fallback, pre-processing, sidecar, and the classification node."""

import json
import os
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pytest

from onnx_kit import channel_mean_classifier
from workbench.core.engine import Engine
from workbench.core.graph import Pipeline
from workbench.inference.classification import classify
from workbench.inference.model import ModelError, check_file, model_info, parse_names, read_header, runtime_max_ir
from workbench.inference.preprocess import (ColorOrder, Layout, Preprocess, ResizeMode, Scaling, infer_preprocess,
                                            preprocess)
from workbench.inference.sessions import SESSIONS, Device, load_model
from workbench.inference.sidecar import ModelConfig, default_config, load_config, save_config, sidecar_path


@pytest.fixture(autouse=True)
def _fresh_sessions():
    SESSIONS.clear()
    yield
    SESSIONS.clear()


def test_header_and_info(tmp_path):
    p = channel_mean_classifier(tmp_path / "c.onnx", names="{0: 'red', 1: 'green', 2: 'blue'}")
    ir, opsets, _ = read_header(p.read_bytes())
    assert (ir, opsets) == (9, {"ai.onnx": 13})
    info = model_info(p)
    assert info.inputs[0].shape == (1, 3, 8, 8) and info.inputs[0].dtype == "float32" and info.inputs[0].static
    assert info.outputs[0].describe() == "y: float32[1, 3]"
    assert info.labels == ["red", "green", "blue"] and info.size == p.stat().st_size


def test_the_ir_limit_is_the_installed_onnxruntimes_own():
    # onnxruntime 1.31 reads IR 13, 1.32 reads 14: the limit is asked of the runtime, never a constant
    top = runtime_max_ir()
    assert top is not None and top >= 10
    assert top == (14 if ort.__version__.startswith("1.32.") else top)


def test_models_up_to_the_runtimes_ir_load_and_run(tmp_path):
    # onnx 1.23 writes IR 14 by default: onnxruntime 1.32 runs it (the old constant 13 refused it), 1.31 does not
    top = runtime_max_ir()
    for ir in sorted({9, top, 14}):
        p = channel_mean_classifier(tmp_path / f"ir{ir}.onnx", ir=ir)
        if ir > top:
            with pytest.raises(ModelError, match=f"IR version {ir}; this onnxruntime"):
                load_model(p, Device.CPU)
            continue
        m = load_model(p, Device.CPU)
        assert m.info.ir_version == ir
        assert np.allclose(m.run({"x": np.full((1, 3, 8, 8), 0.5, np.float32)})[0], 5.0)


def test_newer_ir_is_refused_with_both_versions(tmp_path):
    top = runtime_max_ir()
    p = channel_mean_classifier(tmp_path / "new.onnx", ir=top + 1)
    with pytest.raises(ModelError, match=rf"IR version {top + 1}; this onnxruntime \({ort.__version__}\) reads up to "
                                         rf"IR {top}: re-export it with ir_version <= {top}"):
        check_file(p)


@pytest.mark.parametrize("content,msg", [(b"", "empty model file"), (b"hello, not a model\n", "not an ONNX model")])
def test_bad_model_files(tmp_path, content, msg):
    p = tmp_path / "bad.onnx"
    p.write_bytes(content)
    with pytest.raises(ModelError, match=msg):
        load_model(p, Device.CPU)
    with pytest.raises(ModelError, match="model not found"):
        load_model(tmp_path / "missing.onnx")


def test_names_are_parsed_never_evaluated(tmp_path):
    assert parse_names("{0: 'person', 1: 'car', 3: 'dog'}") == ["person", "car", "", "dog"]
    assert parse_names('["a", "b"]') == ["a", "b"]
    flag = tmp_path / "pwned"
    evil = f"__import__('pathlib').Path({str(flag)!r}).touch()"
    assert parse_names(evil) == [evil]  # kept as a plain line, not run
    assert not flag.exists()


def test_one_session_per_file_and_a_new_one_when_it_changes(tmp_path):
    p = channel_mean_classifier(tmp_path / "c.onnx")
    a, b = load_model(p, Device.CPU), load_model(p, Device.CPU)
    assert a is b
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))
    assert load_model(p, Device.CPU) is not a


@pytest.mark.skipif("CUDAExecutionProvider" in ort.get_available_providers(), reason="CPU-only build behaviour")
def test_auto_falls_back_to_cpu_and_says_why_gpu_required_fails(tmp_path):
    p = channel_mean_classifier(tmp_path / "c.onnx")
    m = load_model(p, Device.AUTO)
    assert m.provider == "CPUExecutionProvider"
    assert "no GPU support" in m.fallback_reason and m.device_label.startswith("CPU — ")
    with pytest.raises(ModelError, match="GPU required but not usable"):
        load_model(p, Device.GPU)


def test_letterbox_and_inverse_transform():
    img = np.zeros((100, 200, 3), np.uint8)
    img[40:60, 90:110] = 255
    pp = Preprocess(resize=ResizeMode.LETTERBOX, width=64, height=64, scaling=Scaling.UNIT)
    x, t = preprocess(img, pp)
    assert x.shape == (1, 3, 64, 64) and x.dtype == np.float32
    assert (t.scale_x, t.pad_x, t.pad_y) == (0.32, 0.0, 16.0)
    assert np.allclose(x[0, :, 0, 0], 114 / 255)  # padding
    ys, xs = np.nonzero(x[0, 0] > 0.9)
    box = np.array([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]], np.float32)
    back = t.boxes_to_original(box)[0]
    assert np.allclose(back, [90, 40, 110, 60], atol=3.5)
    prob = np.zeros((64, 64), np.float32)
    prob[ys.min():ys.max() + 1, xs.min():xs.max() + 1] = 1
    full = t.map_to_original(prob)
    assert full.shape == (100, 200) and full[50, 100] > 0.5 and full[10, 10] == 0


def test_layouts_colour_orders_and_scalings():
    img = np.full((10, 20, 3), (10, 20, 30), np.uint8)  # B, G, R
    x, _ = preprocess(img, Preprocess(resize=ResizeMode.NONE, layout=Layout.NHWC, scaling=Scaling.NONE))
    assert x.shape == (1, 10, 20, 3) and tuple(x[0, 0, 0]) == (30, 20, 10)  # RGB
    x, _ = preprocess(img, Preprocess(resize=ResizeMode.STRETCH, width=4, height=4, color=ColorOrder.BGR,
                                      scaling=Scaling.SYMMETRIC))
    assert np.allclose(x[0, :, 0, 0], (np.array([10, 20, 30]) - 127.5) / 127.5)
    x, _ = preprocess(img, Preprocess(resize=ResizeMode.NONE, scaling=Scaling.IMAGENET))
    assert np.allclose(x[0, 0, 0, 0], (30 / 255 - 0.485) / 0.229, atol=1e-5)
    x, _ = preprocess(img, Preprocess(resize=ResizeMode.CENTER_CROP, width=10, height=10, color=ColorOrder.GRAY,
                                      dtype="uint8", scaling=Scaling.NONE))
    assert x.shape == (1, 1, 10, 10) and x.dtype == np.uint8
    assert infer_preprocess((1, 224, 224, 3)).layout is Layout.NHWC
    assert infer_preprocess((1, 1, 32, 64)).color is ColorOrder.GRAY
    assert infer_preprocess(("N", 3, "H", "W")).resize is ResizeMode.NONE


def test_sidecar_round_trip_and_every_problem_listed(tmp_path):
    p = channel_mean_classifier(tmp_path / "c.onnx")
    info = model_info(p)
    cfg = default_config(info)
    assert cfg.task == "classification" and cfg.preprocess.width == 8 and cfg.preprocess.scaling is Scaling.IMAGENET
    cfg.labels = ["r", "g", "b"]
    cfg.preprocess.scaling = Scaling.UNIT
    assert save_config(p, cfg) == tmp_path / "c.workbench.json"
    again = load_config(p, info)
    assert again.to_json() == cfg.to_json()
    bad = cfg.to_json() | {"task": "dance", "extra": 1}
    bad["preprocess"] = {"resize": "SQUASH", "mean": [1, 2], "std": [1, 0, 1]}
    sidecar_path(p).write_text(json.dumps(bad))
    with pytest.raises(ModelError) as e:
        load_config(p, info)
    msg = str(e.value)
    for part in ("task: 'dance'", "preprocess.resize: 'SQUASH'", "preprocess.mean", "preprocess.std", "'extra'"):
        assert part in msg
    assert "\n" not in msg


def test_classification_head():
    r = classify(np.array([[1.0, 3.0, 2.0]]), ["a", "b", "c"], top_k=2)
    assert (r.label, r.class_id) == ("b", 1) and [t[1] for t in r.top_k] == ["b", "c"]
    assert abs(r.score - np.exp(3) / np.exp([1, 3, 2]).sum()) < 1e-6  # softmax applied to logits
    r = classify(np.array([0.1, 0.7, 0.2]), [], top_k=1)
    assert (r.label, r.score) == ("1", pytest.approx(0.7))  # probabilities kept as they are
    with pytest.raises(ModelError, match=r"shape \[1, C\]"):
        classify(np.zeros((2, 3, 4)), [])


@pytest.mark.parametrize("bgr,expected", [((0, 0, 255), "red"), ((255, 0, 0), "blue"), ((0, 200, 0), "green")])
def test_classify_node_through_the_engine(tmp_path, bgr, expected):
    model = channel_mean_classifier(tmp_path / "colours.onnx", names="{0: 'red', 1: 'green', 2: 'blue'}")
    img = np.zeros((30, 40, 3), np.uint8)
    img[:] = bgr
    cv2.imwrite(str(tmp_path / "in.png"), img)
    pipe = Pipeline(base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "in.png"})
    pipe.add_node("dl.classify", "cls", {"model": "colours.onnx", "device": "CPU"})
    pipe.connect("src", "image", "cls", "image")
    res = Engine().run(pipe)
    assert not res.failed, res.errors
    c = res.output("cls", "classification")
    assert c.label == expected and c.score > 0.99
    assert res.output("cls", "measurements").values["score"] == pytest.approx(c.score)


def test_classify_node_reports_cpu_fallback_and_missing_model(tmp_path):
    model = channel_mean_classifier(tmp_path / "m.onnx")
    cv2.imwrite(str(tmp_path / "in.png"), np.zeros((8, 8, 3), np.uint8))
    pipe = Pipeline(base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "in.png"})
    pipe.add_node("dl.classify", "cls", {"model": model.name})
    pipe.connect("src", "image", "cls", "image")
    res = Engine().run(pipe)
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        assert res.nodes["cls"].notes[0] == "ran on CPU: this build has no GPU support (onnxruntime, not onnxruntime-gpu)"
    # no sidecar: the inferred pre-processing is shown beside the result
    assert res.nodes["cls"].notes[1] == ("pre-processing inferred from the input and output shapes (no sidecar): "
                                         "stretch to 8×8 (linear), RGB, NCHW float32, ÷255, ImageNet mean/std")
    pipe.set_param("cls", "model", "")
    res = Engine().run(pipe)
    assert res.nodes["cls"].status == "failed" and res.nodes["cls"].message == "no model file chosen"


def test_an_image_chosen_as_model_is_refused_in_one_line(tmp_path):
    p = tmp_path / "photo.onnx"
    ok, buf = cv2.imencode(".png", np.zeros((8, 8), np.uint8))
    p.write_bytes(buf.tobytes())
    with pytest.raises(ModelError, match="not an ONNX model"):
        load_model(p, Device.CPU)


def test_sidecar_without_size_uses_the_models_static_input(tmp_path):
    model = channel_mean_classifier(tmp_path / "m.onnx", names="{0: 'red', 1: 'green', 2: 'blue'}")
    (tmp_path / "m.workbench.json").write_text(json.dumps({
        "format": "workbench.model", "schema_version": 1, "task": "classification",
        "preprocess": {"resize": "STRETCH", "width": 0, "height": 0, "scaling": "UNIT"}}))
    img = np.zeros((30, 40, 3), np.uint8)
    img[:, :, 1] = 200
    cv2.imwrite(str(tmp_path / "in.png"), img)
    pipe = Pipeline(base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "in.png"})
    pipe.add_node("dl.classify", "cls", {"model": model.name, "device": "CPU"})
    pipe.connect("src", "image", "cls", "image")
    res = Engine().run(pipe)
    assert not res.failed, res.errors  # fed at 8 x 8, not at the image's 40 x 30
    assert res.output("cls", "classification").label == "green"
