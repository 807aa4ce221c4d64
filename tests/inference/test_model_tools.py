"""Model tools: info (head, pre-processing, providers), bench (stages, batches, cancel), quantize (static QDQ on real
photos through the model's pre-processing, agreement measured, sidecar and metadata kept, cancel, dynamic, FP16)."""

import json
import sys
from pathlib import Path

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper
from skimage import data

from dl_testkit import const_model, write_sidecar, yolov8_output
from workbench.cli import main
from workbench.inference.model import ModelError, runtime_max_ir
from workbench.inference.model_tools import Cancelled, bench_model, inspect_model
from workbench.inference.quantize import quantize_model
from workbench.inference.sessions import SESSIONS

PHOTOS = ["astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry", "hubble_deep_field", "coins",
          "retina", "page", "colorwheel", "logo", "camera"]


@pytest.fixture(autouse=True)
def _fresh_sessions():
    SESSIONS.clear()
    yield
    SESSIONS.clear()


def colour_classifier(path, size=32, batch="batch"):
    """A small real CNN in Ultralytics' classify convention: Conv 3->8 (3x3) + ReLU, global pooling, a linear
    layer to 3 classes, softmax. Its weights make the class follow the dominant colour (R, G, B)."""
    rng = np.random.default_rng(0)
    w1 = (np.tile(np.eye(3, dtype=np.float32)[:, :, None, None], (1, 1, 3, 3)) / 9.0)
    w1 = np.concatenate([w1, rng.normal(0, 0.1, (5, 3, 3, 3)).astype(np.float32)])  # 8 x 3 x 3 x 3
    w2 = np.zeros((8, 3), np.float32)
    w2[:3] = np.eye(3) * 20
    w2[3:] = rng.normal(0, 0.05, (5, 3))
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, [batch, 3, size, size])
    y = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [batch, 3])
    nodes = [helper.make_node("Conv", ["images", "w1"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("GlobalAveragePool", ["r"], ["g"]),
             helper.make_node("Flatten", ["g"], ["f"], axis=1),
             helper.make_node("MatMul", ["f", "w2"], ["l"]),
             helper.make_node("Softmax", ["l"], ["output0"], axis=1)]
    g = helper.make_graph(nodes, "cls", [x], [y], [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(w2, "w2")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 9
    for k, v in {"task": "classify", "names": "{0: 'red', 1: 'green', 2: 'blue'}", "imgsz": f"[{size}, {size}]",
                 "stride": "1", "author": "Ultralytics"}.items():
        m.metadata_props.add(key=k, value=v)
    onnx.save(m, path)
    return path


def photo_folder(folder, names=PHOTOS):
    folder.mkdir()
    for n in names:
        img = getattr(data, n)()
        if img.ndim == 3 and img.shape[2] == 4:
            img = img[:, :, :3]
        cv2.imwrite(str(folder / f"{n}.png"), img[:, :, ::-1] if img.ndim == 3 else img)
    return folder


def detector(path):
    out = yolov8_output([(100, 100, 300, 300)], [0.9], [1], 2, n=50)
    model = const_model(path, {"output0": out}, in_shape=(1, 3, 640, 640), names=["a", "b"])
    m = onnx.load(model)
    for k, v in {"task": "detect", "imgsz": "[640, 640]", "stride": "32"}.items():
        m.metadata_props.add(key=k, value=v)
    onnx.save(m, model)
    return model


# ---------------------------------------------------------------- info
def test_info_names_head_preprocessing_and_providers(tmp_path):
    rep = inspect_model(detector(tmp_path / "yolo.onnx"))
    d = rep.as_dict()
    assert d["task"] == "detection" and d["runtime_max_ir"] == runtime_max_ir()
    assert rep.head == "detection, YOLOv8/YOLO11 output [1, 4+C, N], NMS by the app, 2 labels"
    assert d["preprocess"]["text"] == "letterbox to 640×640 (pad 114) (linear), RGB, NCHW float32, ÷255"
    assert d["preprocess_origin"] == "inferred from Ultralytics metadata (task=detect)"
    assert d["inputs"][0]["text"] == "images: float32[1, 3, 640, 640]" and d["opsets"] == {"ai.onnx": 13}
    assert {"provider": "CPUExecutionProvider", "works": True, "reason": "always"} in d["providers"]
    assert [p.provider for p in rep.providers] == [p for p in ["TensorrtExecutionProvider", "CUDAExecutionProvider",
                                                               "DmlExecutionProvider", "OpenVINOExecutionProvider",
                                                               "CPUExecutionProvider"]
                                                   if p in ort.get_available_providers()]
    text = "\n".join(rep.lines())
    assert "head: detection, YOLOv8/YOLO11" in text and "names: {0: 'a', 1: 'b'}" in text


def test_info_shows_a_sidecar_problem_and_the_defaults_instead(tmp_path):
    model = detector(tmp_path / "yolo.onnx")
    write_sidecar(model, "detection", {"dtype": "float16"})
    rep = inspect_model(model, probe=False)
    assert rep.config_error.startswith("yolo.workbench.json does not fit yolo.onnx: preprocess.dtype is float16")
    assert "sidecar problem: yolo.workbench.json does not fit" in "\n".join(rep.lines()) and rep.providers == []


# ---------------------------------------------------------------- bench
def test_bench_reports_stages_batches_and_cancels(tmp_path):
    model = colour_classifier(tmp_path / "cls.onnx")
    img = data.chelsea()[:, :, ::-1].copy()
    calls = []
    res = bench_model(model, runs=5, warmup=1, batch=4, image=img, image_name="chelsea",
                      progress=lambda s, d, t: calls.append((s, d, t)))
    b1, bn = res["batch1"], res["batchN"]
    assert res["task"] == "classification" and res["provider"] == "CPUExecutionProvider" and res["input_size"] == [32, 32]
    assert b1["batch"] == 1 and bn["batch"] == 4 and "skipped" not in bn
    for r in (b1, bn):
        lat = r["latency_ms"]
        assert 0 < lat["min"] <= lat["median"] <= lat["p95"]
        assert set(r["stages_ms"]) == {"prepare", "run", "decode"}
        assert r["throughput_ips"] == pytest.approx(r["batch"] * 1000 / lat["median"])
    assert ("batch 1", 6, 6) in calls and calls[-1][0] == "batch 4"
    fixed = bench_model(colour_classifier(tmp_path / "fixed.onnx", batch=1), runs=2, warmup=0, batch=4, image=img)
    assert fixed["batchN"] == {"batch": 4, "skipped": "the model's batch size is fixed at 1"}
    with pytest.raises(Cancelled):
        bench_model(model, runs=50, image=img, cancel=lambda: len(calls) > 20, progress=lambda *a: calls.append(a))


def test_bench_asks_for_a_gpu_that_is_not_there_in_one_line(tmp_path):
    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("a GPU build: the GPU may work here")  # pragma: no cover
    with pytest.raises(ModelError, match="GPU not usable here: this build has no GPU support"):
        bench_model(colour_classifier(tmp_path / "cls.onnx"), device="gpu")


# ---------------------------------------------------------------- quantize
def _top1(model, tensors):
    s = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    return [int(s.run(None, {"images": x})[0].argmax()) for x in tensors]


def test_static_int8_on_real_photos_keeps_metadata_sidecar_and_measures_agreement(tmp_path):
    from workbench.inference.adapters import Adapter
    from workbench.inference.model import model_info
    from workbench.inference.sidecar import load_config

    model = colour_classifier(tmp_path / "cls.onnx")
    write_sidecar(model, "classification", {"resize": "CENTER_CROP", "width": 32, "height": 32, "scaling": "UNIT",
                                            "filter": "ANTIALIAS"}, ["red", "green", "blue"])
    folder = photo_folder(tmp_path / "photos")
    stages = []
    res = quantize_model(model, tmp_path / "cls.int8.onnx", folder, progress=lambda s, d, t: stages.append(s))
    out = tmp_path / "cls.int8.onnx"
    assert res.method == ("static INT8 QDQ (per-channel weights, minmax calibration on 9 image(s), 0 compute node(s) "
                          "kept FP32)")  # two compute nodes: none kept (the stem/head rule needs more than three)
    assert (res.calib_images, res.eval_images, res.eval_on) == (9, 3, "held-out")
    ops = {n.op_type for n in onnx.load(out).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops
    meta = {p.key: p.value for p in onnx.load(out).metadata_props}
    assert meta["task"] == "classify" and meta["names"] == "{0: 'red', 1: 'green', 2: 'blue'}"
    assert (tmp_path / "cls.int8.workbench.json").read_text() == (tmp_path / "cls.workbench.json").read_text()
    assert {"reading calibration images", "calibrating", "comparing"} <= set(stages)
    # the reported agreement is what the two models really answer on the held-out photos
    info = model_info(model)
    ad = Adapter(info, load_config(model, info))
    held = [cv2.imread(str(p)) for p in sorted(folder.iterdir())[3::4]]
    tensors = [ad.prepare(im)[0] for im in held]
    expected = np.mean(np.array(_top1(model, tensors)) == np.array(_top1(out, tensors)))
    assert res.agreement == pytest.approx(expected) and res.agreement_kind == "top-1 agreement"
    assert res.agreement >= 2 / 3 and res.ratio > 0 and res.size_out > 0
    assert not list(tmp_path.glob("*.part"))


def conv_stack(path, n=5):
    """n named 3x3 Conv+Relu layers on [1, 3, 16, 16] (real compute nodes for the FP32-exclusion rule)."""
    rng = np.random.default_rng(1)
    nodes, inits, cur = [], [], "images"
    for i in range(n):
        w = rng.normal(0, 0.3, (3, 3, 3, 3)).astype(np.float32)
        inits.append(numpy_helper.from_array(w, f"w{i}"))
        nodes += [helper.make_node("Conv", [cur, f"w{i}"], [f"c{i}"], name=f"conv{i}", pads=[1, 1, 1, 1]),
                  helper.make_node("Relu", [f"c{i}"], [f"r{i}"], name=f"relu{i}")]
        cur = f"r{i}"
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 16, 16])
    y = helper.make_tensor_value_info(cur, TensorProto.FLOAT, [1, 3, 16, 16])
    m = helper.make_model(helper.make_graph(nodes, "stack", [x], [y], inits),
                          opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 9
    onnx.save(m, path)
    return path


def test_stem_and_head_stay_fp32_and_named_nodes_too(tmp_path):
    from workbench.inference.quantize import _fp32_nodes, _uniform

    model = conv_stack(tmp_path / "stack.onnx")
    assert _fp32_nodes(onnx, model, []) == ["conv0", "conv4"]
    assert _fp32_nodes(onnx, model, ["conv2"]) == ["conv2", "conv0", "conv4"]
    with pytest.raises(ModelError, match="keep_fp32: no Conv/MatMul/Gemm node named 'relu1'"):
        _fp32_nodes(onnx, model, ["relu1"])
    folder = photo_folder(tmp_path / "photos", PHOTOS[:4])
    res = quantize_model(model, tmp_path / "q.onnx", folder, calibration="percentile", keep_fp32=["conv2"])
    assert res.method.endswith("percentile calibration on 4 image(s), 3 compute node(s) kept FP32)")
    quantized = {n.input[0] for n in onnx.load(tmp_path / "q.onnx").graph.node if n.op_type == "Conv"}
    assert sum(q.endswith("_DequantizeLinear_Output") for q in quantized) == 2  # conv1 and conv3 only
    assert res.agreement_kind == "pixel agreement" and res.agreement > 0.8, res.agreement  # read as semantic
    a, b = np.ones((1, 3, 48, 320), np.float32), np.ones((1, 3, 48, 400), np.float32)
    assert [t.shape for t in _uniform([a, b], "entropy")] == [(1, 3, 48, 400)] * 2
    with pytest.raises(ModelError, match="entropy calibration needs inputs of one size"):
        _uniform([a, np.ones((1, 3, 32, 320), np.float32)], "entropy")


def test_quantize_cancel_leaves_no_output(tmp_path):
    model = colour_classifier(tmp_path / "cls.onnx")
    folder = photo_folder(tmp_path / "photos", PHOTOS[:8])
    seen = []
    with pytest.raises(Cancelled):
        quantize_model(model, tmp_path / "q.onnx", folder, progress=lambda s, d, t: seen.append(s),
                       cancel=lambda: "calibrating" in seen)
    assert not (tmp_path / "q.onnx").exists() and not list(tmp_path.glob("q.onnx*"))


def test_dynamic_and_fp16_and_bad_requests(tmp_path):
    model = colour_classifier(tmp_path / "cls.onnx")
    folder = photo_folder(tmp_path / "photos", PHOTOS[:4])
    dyn = quantize_model(model, tmp_path / "d.onnx", folder, mode="dynamic")
    assert dyn.method.startswith("dynamic INT8") and dyn.eval_on == "calibration" and dyn.eval_images == 4
    fp16 = quantize_model(model, tmp_path / "h.onnx", None, mode="fp16")
    assert fp16.method.startswith("FP16") and fp16.eval_on == "sample image" and fp16.agreement == 1.0
    inits = onnx.load(tmp_path / "h.onnx").graph.initializer
    assert any(t.data_type == TensorProto.FLOAT16 for t in inits)
    for kwargs, msg in [({"calib_dir": None}, "static INT8 needs calibration images"),
                        ({"calib_dir": tmp_path / "nope"}, "image folder not found"),
                        ({"calib_dir": folder, "output": model}, "must not be the input model"),
                        ({"calib_dir": folder, "output": tmp_path / "x.txt"}, "output must be an .onnx file")]:
        args = {"path": model, "output": tmp_path / "o.onnx"} | kwargs
        with pytest.raises(ModelError, match=msg):
            quantize_model(**args)


# ---------------------------------------------------------------- CLI
def test_cli_info_bench_quantize(tmp_path, capsys):
    model = colour_classifier(tmp_path / "cls.onnx")
    assert main(["model", "info", str(model), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["task"] == "classification" and d["preprocess"]["filter"] == "ANTIALIAS"
    assert main(["model", "info", str(model)]) == 0
    assert "pre-processing (inferred from Ultralytics metadata (task=classify)): short side to 32×32, centre crop " \
           "(antialias), RGB, NCHW float32, ÷255" in capsys.readouterr().out
    assert main(["model", "bench", str(model), "--runs", "3", "--batch", "2", "-o", str(tmp_path / "b.json")]) == 0
    out = capsys.readouterr().out
    assert "batch 1: latency median" in out and "batch 2: latency median" in out
    assert json.loads((tmp_path / "b.json").read_text())["batch1"]["batch"] == 1
    folder = photo_folder(tmp_path / "photos", PHOTOS[:4])
    assert main(["model", "quantize", str(model), "--calib", str(folder), "-o", str(tmp_path / "q.onnx"),
                 "--json", str(tmp_path / "q.json")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {tmp_path / 'q.onnx'} (static INT8 QDQ") and "top-1 agreement:" in out
    assert json.loads((tmp_path / "q.json").read_text())["agreement_kind"] == "top-1 agreement"


@pytest.mark.parametrize("argv,msg", [
    (["model", "info", "missing.onnx"], "error: model not found: missing.onnx"),
    (["model", "bench", "{m}", "--threads", "0"], "error: --threads must be at least 1, got 0"),
    (["model", "bench", "{m}", "--image", "nope.png"], "error: cannot read image: nope.png"),
    (["model", "quantize", "{m}", "-o", "{t}/q.onnx"], "error: static INT8 needs calibration images"),
])
def test_cli_errors_are_one_line(tmp_path, capsys, argv, msg):
    model = colour_classifier(tmp_path / "cls.onnx")
    argv = [a.format(m=model, t=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(msg) and err.count("\n") == 1


def test_quantize_without_onnx_says_so_in_one_line(tmp_path, capsys, monkeypatch):
    model = colour_classifier(tmp_path / "cls.onnx")
    monkeypatch.setitem(sys.modules, "onnx", None)  # as on a PC where onnx is not installed
    assert main(["model", "quantize", str(model), "--dynamic", "-o", str(tmp_path / "q.onnx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: quantize needs the 'onnx' package") and err.count("\n") == 1


def test_agreement_measures_per_task():
    from workbench.core.types import DetectionSet
    from workbench.inference.adapters import Adapter, box_f1
    from workbench.inference.model import ModelInfo
    from workbench.inference.sidecar import ModelConfig

    def dets(boxes, ids):
        b = np.array(boxes, np.float32).reshape(-1, 4)
        return DetectionSet(b, np.linspace(0.9, 0.5, len(b)).astype(np.float32), np.array(ids, np.int32),
                            [str(i) for i in ids])

    a = dets([(0, 0, 10, 10), (20, 20, 40, 40)], [0, 1])
    assert box_f1(a, a) == 1.0
    assert box_f1(a, dets([(1, 1, 11, 11), (20, 20, 40, 40), (50, 50, 60, 60)], [0, 1, 0])) == pytest.approx(0.8)
    assert box_f1(a, dets([(0, 0, 10, 10), (20, 20, 40, 40)], [1, 0])) == 0.0  # same boxes, other classes
    assert box_f1(a, dets([(6, 6, 16, 16), (20, 20, 40, 40)], [0, 1])) == pytest.approx(0.5)  # IoU 0.09: no match
    assert box_f1(dets([], []), dets([], [])) == 1.0
    info = ModelInfo(Path("m.onnx"), 0, 9, {}, "")
    ad = Adapter(info, ModelConfig(task="detection"))
    assert ad.agreement([a, a], [a, dets([], [])]) == (0.5, "box agreement (F1, IoU ≥ 0.5)")
    an = Adapter(info, ModelConfig(task="anomaly"))
    v, kind = an.agreement([0.1, 0.5, 0.9, 0.3], [0.12, 0.52, 0.88, 0.31])
    assert kind == "score correlation" and v == pytest.approx(np.corrcoef([0.1, 0.5, 0.9, 0.3],
                                                                           [0.12, 0.52, 0.88, 0.31])[0, 1])
    assert Adapter(info, ModelConfig(task="ocr_recognition")).agreement(["LOT 1", "A"], ["LOT 1", "B"]) == \
        (0.5, "text agreement")
    sem = Adapter(info, ModelConfig(task="semantic_segmentation"))
    assert sem.agreement([np.array([[0, 1], [1, 1]])], [np.array([[0, 1], [0, 1]])]) == (0.75, "pixel agreement")
