"""Conformance with the exporters' conventions: models built with onnx.helper the way Ultralytics exports them
(metadata task/names/imgsz/stride), checked on real photos against a reference written from the exporter's
own pipeline (Pillow resize, centre crop, ÷255)."""

import json

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from PIL import Image
from skimage import data

from dl_testkit import write_sidecar, yolov8_output
from onnx_kit import channel_mean_classifier
from workbench.core.engine import Engine
from workbench.core.graph import Pipeline
from workbench.inference.model import ModelError, model_info
from workbench.inference.preprocess import (ColorOrder, Preprocess, ResizeFilter, ResizeMode, Scaling, preprocess,
                                            resize_image)
from workbench.inference.segmentation import decode_instances
from workbench.inference.sessions import SESSIONS
from workbench.inference.sidecar import default_config, load_config, parse_config

PHOTOS = {"chelsea": data.chelsea, "coffee": data.coffee, "astronaut": data.astronaut}


@pytest.fixture(autouse=True)
def _fresh_sessions():
    SESSIONS.clear()
    yield
    SESSIONS.clear()


def ultralytics_classifier(path, size=64, classes=20, seed=0, dynamic=False):
    """images [1,3,S,S] -> softmax(flatten(x) @ W): the output depends on every input pixel, like a real
    classifier; metadata as Ultralytics 8.4 writes it."""
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 1, (3 * size * size, classes)).astype(np.float32) * 0.05
    shape = ["batch", 3, "height", "width"] if dynamic else [1, 3, size, size]
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, classes])
    nodes = [helper.make_node("Flatten", ["images"], ["f"], axis=1),
             helper.make_node("MatMul", ["f", "w"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["output0"], axis=1)]
    g = helper.make_graph(nodes, "cls", [x], [y], [numpy_helper.from_array(w, "w")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 9
    meta = {"author": "Ultralytics", "task": "classify", "stride": "1", "batch": "1",
            "imgsz": f"[{size}, {size}]", "names": str({i: f"class{i}" for i in range(classes)})}
    for k, v in meta.items():
        m.metadata_props.add(key=k, value=v)
    onnx.save(m, path)
    return path, w


def ultralytics_reference(rgb: np.ndarray, size: int, w: np.ndarray) -> np.ndarray:
    """Ultralytics' classify_transforms on a PIL image: Resize(short side, bilinear) + CenterCrop + ToTensor."""
    im = Image.fromarray(rgb)
    W, H = im.size
    nw, nh = (size, int(size * H / W)) if W <= H else (int(size * W / H), size)
    im = im.resize((nw, nh), Image.BILINEAR)
    left, top = int(round((nw - size) / 2.0)), int(round((nh - size) / 2.0))
    x = np.asarray(im.crop((left, top, left + size, top + size)), np.float32).transpose(2, 0, 1) / 255.0
    logits = x.reshape(1, -1) @ w
    e = np.exp(logits - logits.max())
    return (e / e.sum())[0]


# ---------------------------------------------------------------- 1 + 2: Ultralytics classifiers without a sidecar
def test_ultralytics_classifier_gets_the_exporters_preprocessing(tmp_path):
    path, _ = ultralytics_classifier(tmp_path / "yolo11n-cls.onnx")
    cfg = default_config(model_info(path))
    pp = cfg.preprocess
    assert cfg.task == "classification" and "Ultralytics" in cfg.origin
    assert (pp.resize, pp.filter, pp.color, pp.scaling) == (ResizeMode.CENTER_CROP, ResizeFilter.ANTIALIAS,
                                                            ColorOrder.RGB, Scaling.UNIT)
    assert pp.describe() == "short side to 64×64, centre crop (antialias), RGB, NCHW float32, ÷255"


@pytest.mark.parametrize("photo", sorted(PHOTOS))
def test_ultralytics_classifier_top5_matches_the_exporters_pipeline_on_real_photos(tmp_path, photo):
    size = 64
    path, w = ultralytics_classifier(tmp_path / "cls.onnx", size)
    rgb = PHOTOS[photo]()
    cv2.imwrite(str(tmp_path / "in.png"), rgb[:, :, ::-1])
    pipe = Pipeline(base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "in.png"})
    pipe.add_node("dl.classify", "cls", {"model": "cls.onnx", "device": "CPU", "top_k": 5})
    pipe.connect("src", "image", "cls", "image")
    res = Engine().run(pipe)
    assert not res.failed, res.errors
    c = res.output("cls", "classification")
    ref = ultralytics_reference(rgb, size, w)
    assert [k[0] for k in c.top_k] == list(np.argsort(-ref)[:5])
    np.testing.assert_allclose([k[2] for k in c.top_k], np.sort(ref)[::-1][:5], atol=2e-3)
    # the user can see what was applied, beside the result
    assert any(n.startswith("pre-processing inferred from Ultralytics metadata (task=classify): short side")
               for n in res.nodes["cls"].notes)


def test_dynamic_ultralytics_exports_take_their_size_from_imgsz(tmp_path):
    path, _ = ultralytics_classifier(tmp_path / "dyn.onnx", 32, dynamic=True)
    pp = default_config(model_info(path)).preprocess
    assert (pp.width, pp.height, pp.resize) == (32, 32, ResizeMode.CENTER_CROP)
    x = helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, "height", "width"])
    y = helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 6, "anchors"])
    g = helper.make_graph([helper.make_node("Constant", [], ["output0"], value=numpy_helper.from_array(
        yolov8_output([(1, 1, 5, 5)], [0.9], [0], 2, n=10)))], "det", [x], [y])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 9
    for k, v in {"task": "detect", "imgsz": "[480, 640]", "stride": "32", "names": "{0: 'a', 1: 'b'}"}.items():
        m.metadata_props.add(key=k, value=v)
    onnx.save(m, tmp_path / "det.onnx")
    pp = default_config(model_info(tmp_path / "det.onnx")).preprocess
    assert (pp.width, pp.height, pp.resize, pp.pad_value, pp.scaling) == (640, 480, ResizeMode.LETTERBOX, 114,
                                                                          Scaling.UNIT)


# ---------------------------------------------------------------- 3: resize filter
@pytest.mark.parametrize("photo", sorted(PHOTOS))
def test_antialias_filter_matches_pillow_where_linear_does_not(photo):
    img = PHOTOS[photo]()
    for size in ((224, 160), (97, 61)):
        ref = np.asarray(Image.fromarray(img).resize(size, Image.BILINEAR)).astype(int)
        aa = resize_image(img, size, ResizeFilter.ANTIALIAS).astype(int)
        lin = resize_image(img, size, ResizeFilter.LINEAR).astype(int)
        area = resize_image(img, size, ResizeFilter.AREA).astype(int)
        assert np.abs(aa - ref).max() <= 1 and np.abs(aa - ref).mean() < 0.2  # rounding only
        assert np.abs(lin - ref).mean() > 1.0  # plain bilinear skips pixels when shrinking
        assert np.abs(area - ref).mean() < np.abs(lin - ref).mean()
        assert aa.shape == ref.shape


def test_resize_filter_is_an_optional_sidecar_field():
    pp = Preprocess()
    assert "filter" not in pp.to_json()  # sidecars without it read (and are written) as before
    pp.filter = ResizeFilter.AREA
    problems: list[str] = []
    back = Preprocess.from_json(pp.to_json(), problems)
    assert back.filter is ResizeFilter.AREA and not problems
    Preprocess.from_json({"filter": "LANCZOS"}, problems)
    assert problems == ["preprocess.filter: 'LANCZOS' is not one of LINEAR, AREA, ANTIALIAS"]


# ---------------------------------------------------------------- 4: sidecar checked against the model
@pytest.mark.parametrize("pre,msg", [
    ({"dtype": "float16"}, "preprocess.dtype is float16 but the model's input x is float32"),
    ({"layout": "NHWC"}, r"preprocess.layout is NHWC but input x: float32\[1, 3, 8, 8\] has 8 on the channel axis"),
    ({"color": "GRAY"}, r"preprocess.color is GRAY but input x: float32\[1, 3, 8, 8\] has 3 channels"),
    ({"resize": "STRETCH", "width": 16, "height": 8}, r"preprocess.width is 16 but input x: .* is 8"),
])
def test_a_sidecar_that_does_not_fit_the_model_is_one_line_naming_the_field(tmp_path, pre, msg):
    model = channel_mean_classifier(tmp_path / "m.onnx")
    write_sidecar(model, "classification", pre)
    with pytest.raises(ModelError, match=msg) as e:
        load_config(model, model_info(model))
    assert "\n" not in str(e.value) and "m.workbench.json does not fit m.onnx" in str(e.value)
    cv2.imwrite(str(tmp_path / "in.png"), np.zeros((8, 8, 3), np.uint8))
    pipe = Pipeline(base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "in.png"})
    pipe.add_node("dl.classify", "cls", {"model": "m.onnx", "device": "CPU"})
    pipe.connect("src", "image", "cls", "image")
    r = Engine().run(pipe).nodes["cls"]
    assert r.status == "failed" and "ONNXRuntimeError" not in r.message and "preprocess." in r.message


# ---------------------------------------------------------------- 5: mean/std channel order
def test_imagenet_statistics_follow_their_colours_custom_ones_the_input_channels():
    img = np.full((4, 4, 3), (10, 20, 30), np.uint8)  # B, G, R
    bgr = preprocess(img, Preprocess(resize=ResizeMode.NONE, color=ColorOrder.BGR, scaling=Scaling.IMAGENET))[0]
    rgb = preprocess(img, Preprocess(resize=ResizeMode.NONE, color=ColorOrder.RGB, scaling=Scaling.IMAGENET))[0]
    np.testing.assert_allclose(bgr[0, :, 0, 0], [(10 / 255 - 0.406) / 0.225, (20 / 255 - 0.456) / 0.224,
                                                 (30 / 255 - 0.485) / 0.229], rtol=1e-5)
    np.testing.assert_allclose(bgr[0, ::-1], rgb[0], rtol=1e-5)  # the same numbers per colour either way
    custom = preprocess(img, Preprocess(resize=ResizeMode.NONE, color=ColorOrder.BGR, scaling=Scaling.CUSTOM,
                                        mean=(0.1, 0.2, 0.3), std=(1.0, 2.0, 4.0)))[0]
    np.testing.assert_allclose(custom[0, :, 0, 0], [10 / 255 - 0.1, (20 / 255 - 0.2) / 2, (30 / 255 - 0.3) / 4],
                               rtol=1e-5)


# ---------------------------------------------------------------- 6: geometry and empty masks
def test_boxes_map_back_with_the_size_actually_resized_to():
    img = np.zeros((15, 1001, 3), np.uint8)  # letterboxed to 64: height 15 * 0.0639 = 0.96 -> 1 row
    _, t = preprocess(img, Preprocess(width=64, height=64))
    content = np.array([[t.pad_x, t.pad_y], [t.pad_x + 64, t.pad_y + 1], [t.pad_x + 32, t.pad_y + 0.5]])
    np.testing.assert_allclose(t.points_to_original(content), [[0, 0], [1001, 15], [500.5, 7.5]], atol=1e-3)
    prob = np.zeros((64, 64), np.float32)
    prob[int(t.pad_y)] = 1  # the one content row covers the whole image height
    assert t.map_to_original(prob).min() > 0.99
    # centre crop (torchvision: short side 224, long side floored to 336, crop offset 56)
    img = np.zeros((300, 451, 3), np.uint8)
    _, t = preprocess(img, Preprocess(resize=ResizeMode.CENTER_CROP, width=224, height=224))
    pts = np.array([[0.0, 0.0], [224.0, 224.0]])
    np.testing.assert_allclose(t.points_to_original(pts), [[56 * 451 / 336, 0], [280 * 451 / 336, 300]], atol=1e-3)


def _seg_with_one_empty_mask():
    t = preprocess(np.zeros((640, 640, 3), np.uint8), Preprocess(width=640, height=640))[1]
    protos = np.full((1, 32, 160, 160), -10.0, np.float32)
    protos[0, 0, 10:40, 10:40] = 10.0  # channel 0 is on inside box A only
    coeffs = np.zeros((2, 32), np.float32)
    coeffs[0, 0] = 1.0  # A: a mask
    coeffs[1, 1] = 1.0  # B: channel 1 is off everywhere -> empty mask
    det = yolov8_output([(40, 40, 160, 160), (400, 400, 500, 500)], [0.9, 0.8], [0, 1], 2, n=50, extra=coeffs)
    return [det, protos], t


def test_detections_with_an_empty_mask_are_dropped_like_ultralytics_or_kept_on_request(tmp_path):
    outs, t = _seg_with_one_empty_mask()
    res = decode_instances(outs, ["a", "b"], t)
    assert res.labels == ["a"] and len(res.masks) == 1 and len(res.polygons) == 1 and len(res.scores) == 1
    kept = decode_instances(outs, ["a", "b"], t, keep_empty=True)
    assert kept.labels == ["a", "b"] and kept.masks[1].max() == 0 and len(kept.polygons[1]) == 0


def test_segment_instances_node_parameter_keeps_empty_masks(tmp_path):
    from dl_testkit import const_model
    from workbench.nodes.dl.segment_instances import segment_instances
    outs, _ = _seg_with_one_empty_mask()
    model = const_model(tmp_path / "seg.onnx", {"output0": outs[0], "output1": outs[1]}, in_shape=(1, 3, 640, 640),
                        names=["a", "b"])
    write_sidecar(model, "instance_segmentation", {"width": 640, "height": 640})
    img = np.zeros((640, 640, 3), np.uint8)
    assert segment_instances(img, None, model=model).measurements.values["count"] == 1
    assert segment_instances(img, None, model=model, keep_empty_masks=True).measurements.values["count"] == 2


def test_sidecar_schema_is_unchanged_for_existing_files(tmp_path):
    # a sidecar written before this change (no filter) still parses, and parse -> to_json keeps its keys
    raw = {"format": "workbench.model", "schema_version": 1, "task": "classification",
           "preprocess": {"resize": "STRETCH", "width": 8, "height": 8, "scaling": "UNIT"}}
    cfg = parse_config(json.loads(json.dumps(raw)), "x.workbench.json")
    assert cfg.preprocess.filter is ResizeFilter.LINEAR and "filter" not in cfg.to_json()["preprocess"]


def test_the_nodes_resize_filter_overrides_the_models(tmp_path):
    from workbench.nodes.dl.classify import classify
    from workbench.nodes.dl._common import ResizeFilterChoice

    size = 64
    path, w = ultralytics_classifier(tmp_path / "cls.onnx", size)
    rgb = data.coffee()
    ref = ultralytics_reference(rgb, size, w)
    probs = {}
    for choice in ResizeFilterChoice:
        ctx = _ctx(tmp_path)
        res = classify(rgb[:, :, ::-1].copy(), ctx, model=path, top_k=20, resize_filter=choice)
        probs[choice] = np.array([p for _, p in sorted((k[0], k[2]) for k in res.classification.top_k)])
        assert any(f"centre crop ({choice.value if choice.name != 'MODEL' else 'antialias'})" in n for n in ctx.notes)
    assert np.abs(probs[ResizeFilterChoice.MODEL] - ref).max() < 2e-3
    assert np.abs(probs[ResizeFilterChoice.ANTIALIAS] - ref).max() < 2e-3
    assert np.abs(probs[ResizeFilterChoice.LINEAR] - ref).max() > 5e-3  # cv2 bilinear moves the scores


def _ctx(tmp_path):
    from workbench.core.spec import NodeContext

    return NodeContext(base_dir=tmp_path)


def test_detect_node_maps_boxes_back_with_the_actual_scale(tmp_path):
    # An Ultralytics-style detector (metadata task/names/imgsz/stride), a 1001×15 strip letterboxed to 640:
    # content 640×10 (round(15 × 0.639)), so the vertical scale is 10/15, not the nominal 0.639
    from dl_testkit import const_model
    from workbench.nodes.dl.detect import detect

    img = np.zeros((15, 1001, 3), np.uint8)
    t = preprocess(img, Preprocess(width=640, height=640))[1]
    top = t.pad_y
    box = (100.0, top + 2, 200.0, top + 8)  # input pixels
    out = yolov8_output([box], [0.9], [1], 2, n=20)
    model = const_model(tmp_path / "det.onnx", {"output0": out}, in_shape=(1, 3, 640, 640), names=["a", "b"])
    m = onnx.load(model)
    for k, v in {"task": "detect", "imgsz": "[640, 640]", "stride": "32", "author": "Ultralytics"}.items():
        m.metadata_props.add(key=k, value=v)
    onnx.save(m, model)
    res = detect(img, None, model=model).detections
    assert res.labels == ["b"]
    np.testing.assert_allclose(res.boxes[0], [100 * 1001 / 640, 3.0, 200 * 1001 / 640, 12.0], atol=1e-3)
