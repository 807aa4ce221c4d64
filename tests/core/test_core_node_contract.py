"""The node contract, over EVERY node of the default registry.

For each node: its declared defaults validate, and a run on small synthetic inputs with those
defaults returns values of the declared output types. Where a node takes an Image, it is also
run on a gray, a 16-bit colour and a 16-bit gray image: it must either return the declared types
or refuse with a clear NodeInputError / ValueError (never an opaque crash such as a cv2.error,
an IndexError or a TypeError). Float32, BGRA and tiny (3x3) images are tried the same way.

Nodes are called the way the engine calls them: path parameters resolved against the context
(read paths from base_dir, written ones into output_dir), ``ctx`` passed when declared.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from core_testkit import discs_image, discs_mask
from dl_testkit import const_model, write_sidecar, yolov8_output
from ocr_testkit import tiny_ocr_models
from onnx_kit import channel_mean_classifier
from workbench.core.errors import NodeInputError, WorkbenchError
from workbench.core.registry import default_registry
from workbench.core.spec import NodeContext, NodeSpec
from workbench.core.types import (NO_VALUE, ClassificationResult, DetectionSet, MeasurementSet, RegionSet,
                                  VerdictResult)

# Excluded from the parametrization below, with the reason. Their ports are dynamic (derived
# from params or from an inner graph) and they only make sense inside the engine; they are
# tested in test_core_subgraph.py.
SPECIAL = {
    "core.subgraph": "runs an inner pipeline; ports come from inst.graph (test_core_subgraph.py)",
    "core.graph_input": "its value is fed by the enclosing subgraph (test_core_subgraph.py)",
    "core.graph_output": "passes its input to the enclosing subgraph (test_core_subgraph.py)",
    "flow.for_each": "runs its inner graph per item through the engine's ctx.run_inner (tests/nodes/test_flow.py)",
}

REGISTRY = default_registry()
NODE_IDS = sorted(s.id for s in REGISTRY if s.id not in SPECIAL)
IMAGE_NODE_IDS = [s.id for s in sorted(REGISTRY, key=lambda s: s.id)
                  if s.id not in SPECIAL and any(p.type.name == "Image" for p in s.inputs)]

# Inputs that a node needs in a particular form to run with its defaults (port name -> value).
INPUT_OVERRIDES: dict[str, dict[str, object]] = {
    "flow.switch": {"select": 0},  # picks in0 (an image, as its default type says)
    # the tiny orientation model (ocr_testkit) answers a batch of one: give it one text line
    "dl.text_orientation": {"lines": DetectionSet(boxes=np.array([[8, 8, 56, 24]], np.float32),
                                                  scores=np.array([0.9], np.float32),
                                                  class_ids=np.array([0], np.int32), labels=["text"])},
}
# Parameters a node needs to run at all in a synthetic setting (name -> JSON value).
# These nodes refuse their defaults with a clear message (checked in test_run_with_params_unset);
# paths are relative to the data folder made by the `datadir` fixture.
PARAM_OVERRIDES: dict[str, dict[str, object]] = {
    "cv.perspective_warp": {"roi": {"shape": "polygon", "points": [[10, 8], [54, 12], [50, 56], [6, 50]]}},
    "cv.calibrate_camera": {"folder": "chess"},
    "cv.undistort": {"calibration": "calibration.json"},
    "dl.classify": {"model": "classifier.onnx", "device": "CPU"},
    "dl.detect": {"model": "detector.onnx", "device": "CPU"},
    "dl.segment_instances": {"model": "instances.onnx", "device": "CPU"},
    "dl.segment_semantic": {"model": "semantic.onnx", "device": "CPU"},
    "dl.anomaly": {"model": "anomaly.onnx", "device": "CPU"},
    "dl.ocr": {"det_model": "ocr_det.onnx", "cls_model": "ocr_cls.onnx", "rec_model": "ocr_rec.onnx", "device": "CPU"},
    "dl.text_orientation": {"model": "ocr_cls.onnx", "device": "CPU"},
}


def regions_from(mask: np.ndarray) -> RegionSet:
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    stats = []
    for c in contours:
        area = float(cv2.contourArea(c))
        perim = float(cv2.arcLength(c, True))
        x, y, w, h = cv2.boundingRect(c)
        m = cv2.moments(c)
        stats.append({"area": area, "perimeter": perim, "circularity": min(1.0, 4 * np.pi * area / perim ** 2),
                      "cx": m["m10"] / m["m00"], "cy": m["m01"] / m["m00"],
                      "x": float(x), "y": float(y), "w": float(w), "h": float(h)})
    return RegionSet(list(contours), stats, mask.shape[:2])


def synthetic(type_name: str) -> object:
    """A small valid value of a port data type."""
    mask = discs_mask()
    if type_name == "Image":
        return discs_image()
    if type_name == "Mask":
        return mask
    if type_name == "Regions":
        return regions_from(mask)
    if type_name == "Detections":
        return DetectionSet(boxes=np.array([[8, 8, 24, 24], [34, 10, 54, 30]], np.float32),
                            scores=np.array([0.9, 0.6], np.float32), class_ids=np.array([0, 1], np.int32),
                            labels=["coin", "nut"])
    if type_name == "Measurements":
        return MeasurementSet().add("count", 3).add("area", 150.5, "px²").add("distance", 12.5, "px")
    if type_name == "Verdict":
        return VerdictResult(False, ["count = 3, expected in [4, 5]"])
    if type_name == "Classification":
        return ClassificationResult(1, "nut", 0.8, [(1, "nut", 0.8), (0, "coin", 0.2)])
    if type_name == "Int":
        return 3
    if type_name == "Float":
        return 1.5
    if type_name == "Bool":
        return True
    if type_name == "String":
        return "text"
    if type_name == "Any":
        return discs_image()
    raise AssertionError(f"no synthetic value for data type {type_name!r}: add one to synthetic()")


def chessboard_view(i: int) -> np.ndarray:
    """A 10 x 7 squares chessboard (9 x 6 inner corners), seen under one of 5 perspectives."""
    sq, cols, rows = 16, 10, 7
    board = np.full(((rows + 2) * sq, (cols + 2) * sq), 255, np.uint8)
    for r in range(rows):
        for c in range(cols):
            if (r + c) % 2 == 0:
                board[sq + r * sq: sq + (r + 1) * sq, sq + c * sq: sq + (c + 1) * sq] = 0
    h, w = board.shape
    a, b, c, d = [(0, 0, 0, 0), (8, -6, 4, 10), (-10, 6, -6, -4), (6, 10, -8, 4), (-4, -8, 10, 6)][i]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[20 + a, 20 + b], [20 + w + c, 20 - b], [20 + w - d, 20 + h + a], [20 + d, 20 + h - c]])
    return cv2.warpPerspective(board, cv2.getPerspectiveTransform(src, dst), (w + 40, h + 40), borderValue=255)


@pytest.fixture(scope="module")
def datadir(tmp_path_factory) -> Path:
    """Files the source / calibration nodes read: two images, chessboard views, a calibration file."""
    d = tmp_path_factory.mktemp("contract_data")
    assert cv2.imwrite(str(d / "discs.png"), discs_image())
    assert cv2.imwrite(str(d / "discs2.png"), discs_image()[::-1].copy())
    (d / "chess").mkdir()
    for i in range(5):
        assert cv2.imwrite(str(d / "chess" / f"view{i}.png"), chessboard_view(i))
    (d / "calibration.json").write_text(json.dumps({
        "format": "workbench.camera_calibration", "version": 1, "image_size": [64, 64],
        "camera_matrix": [[70.0, 0.0, 32.0], [0.0, 70.0, 32.0], [0.0, 0.0, 1.0]],
        "dist_coeffs": [-0.2, 0.05, 0.0, 0.0, 0.0], "rms": 0.3, "pattern": [9, 6], "square_mm": 10.0, "views": 5}))
    channel_mean_classifier(d / "classifier.onnx", names="{0: 'red', 1: 'green', 2: 'blue'}")
    dl_models(d)
    return d


def dl_models(d: Path) -> None:
    """Tiny constant-output models, one per deep-learning head (64 x 64 input, 2 classes)."""
    boxes, scores, classes = [[8, 8, 24, 24], [34, 10, 54, 30]], [0.9, 0.8], [0, 1]
    const_model(d / "detector.onnx", {"out": yolov8_output(boxes, scores, classes, 2)}, names=["coin", "nut"])
    coeffs = np.ones((2, 32), np.float32)
    const_model(d / "instances.onnx", {"output0": yolov8_output(boxes, scores, classes, 2, extra=coeffs),
                                       "output1": np.full((1, 32, 16, 16), 0.1, np.float32)}, names=["coin", "nut"])
    logits = np.zeros((1, 2, 64, 64), np.float32)
    logits[0, 1, 10:30, 10:30] = 5
    const_model(d / "semantic.onnx", {"logits": logits}, names=["background", "part"])
    amap = np.zeros((1, 1, 64, 64), np.float32)
    amap[0, 0, 40:50, 40:50] = 0.9
    const_model(d / "anomaly.onnx", {"anomaly_map": amap, "pred_score": np.array([0.9], np.float32)})
    write_sidecar(d / "anomaly.onnx", "anomaly")
    tiny_ocr_models(d)


@pytest.fixture
def ctx(datadir, tmp_path) -> NodeContext:
    return NodeContext(node_id="n", base_dir=datadir, output_dir=tmp_path / "out", input_path=datadir / "discs.png")


def call_args(spec: NodeSpec, ctx: NodeContext, inputs: dict[str, object]) -> dict[str, object]:
    """Keyword arguments as the engine builds them: inputs, params (paths resolved), ctx."""
    kwargs = dict(inputs)
    overrides = PARAM_OVERRIDES.get(spec.id, {})
    for p in spec.params:
        v = p.from_json(overrides[p.name]) if p.name in overrides else p.default
        if p.kind == "path":
            if not v and p.path_mode == "open":
                v = "discs.png"  # a file source with no file chosen yet: give it one
            elif not v and p.path_mode == "dir":
                v = "."
            v = ctx.resolve(v, writing=p.path_mode in ("save", "save_dir")) if v else None
        kwargs[p.name] = v
    if spec.wants_ctx:
        kwargs["ctx"] = ctx
    return kwargs


def outputs_of(spec: NodeSpec, value: object) -> list[object]:
    if spec.single_output:
        return [value] if spec.outputs else []
    assert isinstance(value, tuple), f"{spec.id} returned {type(value).__name__}, not its NamedTuple"
    return list(value)


def check_outputs(spec: NodeSpec, value: object) -> None:
    values = outputs_of(spec, value)
    assert len(values) == len(spec.outputs), f"{spec.id}: {len(values)} values for {len(spec.outputs)} outputs"
    for port, v in zip(spec.outputs, values):
        if v is NO_VALUE:  # "nothing here" (e.g. a pattern not found) is always allowed
            continue
        why = port.type.check(v)
        assert why is None, f"{spec.id}.{port.name} ({port.type.name}): {why}"


# ---------------------------------------------------------------- the registry itself
def test_every_node_is_covered():
    """Every registered node is either in the contract run or explicitly excluded with a reason."""
    ids = {s.id for s in REGISTRY}
    assert set(SPECIAL) <= ids
    assert set(NODE_IDS) | set(SPECIAL) == ids
    assert len(NODE_IDS) >= 10
    assert set(INPUT_OVERRIDES) <= ids and set(PARAM_OVERRIDES) <= ids


@pytest.mark.parametrize("node_id", sorted(s.id for s in REGISTRY))
def test_declaration_is_complete(node_id):
    spec = REGISTRY[node_id]
    assert spec.name and spec.category, "every node has a display name and a category"
    assert spec.description, "every node has a description (first docstring paragraph)"
    assert spec.version >= 1
    names = [p.name for p in spec.inputs] + [p.name for p in spec.params]
    assert len(names) == len(set(names)), "input and parameter names are unique"
    assert len({p.name for p in spec.outputs}) == len(spec.outputs)


# ---------------------------------------------------------------- defaults
@pytest.mark.parametrize("node_id", NODE_IDS + sorted(SPECIAL))
def test_defaults_validate(node_id):
    spec = REGISTRY[node_id]
    for p in spec.params:
        coerced = p.coerce(p.default)
        assert coerced == p.default and type(coerced) is type(p.default), \
            f"{p.name}: default {p.default!r} is not in normal form ({coerced!r})"
        assert p.from_json(p.to_json(p.default)) == p.default, f"{p.name}: default does not survive JSON"
        if p.kind in ("int", "float") and p.minimum is not None and p.maximum is not None:
            assert p.minimum <= p.maximum
        if p.kind == "enum":
            assert p.choices and p.to_json(p.default) in p.choices
    assert spec.default_params() == {p.name: p.default for p in spec.params}


# ---------------------------------------------------------------- runs
@pytest.mark.parametrize("node_id", NODE_IDS)
def test_run_with_defaults_returns_declared_types(node_id, ctx):
    spec = REGISTRY[node_id]
    inputs = {p.name: synthetic(p.type.name) for p in spec.inputs}
    inputs.update(INPUT_OVERRIDES.get(node_id, {}))
    before = {k: v.copy() for k, v in inputs.items() if isinstance(v, np.ndarray)}
    value = spec.func(**call_args(spec, ctx, inputs))
    check_outputs(spec, value)
    for k, arr in before.items():  # nodes never modify their inputs in place (cached values are shared)
        assert np.array_equal(inputs[k], arr), f"{node_id} modified its input {k!r} in place"


@pytest.mark.parametrize("node_id", [n for n in NODE_IDS if any(p.optional for p in REGISTRY[n].inputs)])
def test_run_with_required_inputs_only(node_id, ctx):
    """Optional inputs left out (None): the node works, or says clearly what it needs."""
    spec = REGISTRY[node_id]
    inputs = {p.name: (None if p.optional else synthetic(p.type.name)) for p in spec.inputs}
    optional = {p.name for p in spec.inputs if p.optional}
    inputs.update({k: v for k, v in INPUT_OVERRIDES.get(node_id, {}).items() if k not in optional})
    try:
        value = spec.func(**call_args(spec, ctx, inputs))
    except (WorkbenchError, ValueError) as exc:
        assert str(exc).strip(), f"{node_id} refused without a message"
        return
    check_outputs(spec, value)


@pytest.mark.parametrize("node_id", sorted(PARAM_OVERRIDES))
def test_run_with_params_unset(node_id, ctx, monkeypatch):
    """A node that needs a parameter set refuses its defaults with a clear ParamError/ValueError."""
    import workbench.nodes.dl._ocr as ocr_paths

    monkeypatch.setattr(ocr_paths, "bundled_ocr_paths", lambda: None)  # as on a machine without `workbench models`
    spec = REGISTRY[node_id]
    inputs = {p.name: synthetic(p.type.name) for p in spec.inputs}
    kwargs = call_args(spec, ctx, inputs)
    kwargs.update({p.name: p.default for p in spec.params if p.name in PARAM_OVERRIDES[node_id]})
    with pytest.raises((WorkbenchError, ValueError)) as err:
        spec.func(**kwargs)
    assert str(err.value).strip()


def _variants() -> dict[str, np.ndarray]:
    bgr = discs_image()
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    return {
        "gray8": gray,
        "bgr16": bgr.astype(np.uint16) * 257,
        "gray16": gray.astype(np.uint16) * 257,
        # also valid Image values (see types._check_image): float32 0..1, BGRA, and a tiny image
        "bgr32f": bgr.astype(np.float32) / 255,
        "gray32f": gray.astype(np.float32) / 255,
        "bgra8": cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA),
        "tiny3x3": np.full((3, 3, 3), 128, np.uint8),
    }


@pytest.mark.parametrize("variant", list(_variants()))
@pytest.mark.parametrize("node_id", IMAGE_NODE_IDS)
def test_image_variants(node_id, variant, ctx):
    spec = REGISTRY[node_id]
    img = _variants()[variant]
    inputs = {p.name: synthetic(p.type.name) for p in spec.inputs}
    inputs.update(INPUT_OVERRIDES.get(node_id, {}))
    inputs.update({p.name: img.copy() for p in spec.inputs if p.type.name == "Image"})
    try:
        value = spec.func(**call_args(spec, ctx, inputs))
    except (WorkbenchError, ValueError) as exc:
        # a clear refusal is allowed; it must say something (the engine shows it as the node's error)
        assert str(exc).strip(), f"{node_id} refused {variant} without a message"
        assert not isinstance(exc, cv2.error)
        return
    check_outputs(spec, value)


# ---------------------------------------------------------------- file sources
def test_image_file_reads_the_given_file(ctx):
    spec = REGISTRY["io.image_file"]
    out = spec.func(**call_args(spec, ctx, {}))
    assert np.array_equal(out.image, discs_image())
    assert out.path == str(ctx.base_dir / "discs.png")
    assert spec.set_input(Path("/x/y.png")) == {"path": str(Path("/x/y.png"))}
    assert spec.list_inputs({"path": "discs.png"}, ctx) == [ctx.base_dir / "discs.png"]
    assert spec.list_inputs({"path": ""}, ctx) == []


def test_image_folder_reads_by_index(ctx):
    spec = REGISTRY["io.image_folder"]
    kwargs = call_args(spec, ctx, {})
    out = spec.func(**kwargs)
    assert out.count == 2 and Path(out.path).name == "discs.png"
    out = spec.func(**{**kwargs, "index": 1})
    assert Path(out.path).name == "discs2.png" and np.array_equal(out.image, discs_image()[::-1])
    with pytest.raises(ValueError, match="index 2 is out of range: the folder has 2 images"):
        spec.func(**{**kwargs, "index": 2})
    with pytest.raises(ValueError, match="no images in .* matching '\\*.jpg'"):
        spec.func(**{**kwargs, "pattern": "*.jpg"})
    assert [p.name for p in spec.list_inputs({"folder": ".", "pattern": ""}, ctx)] == ["discs.png", "discs2.png"]


def test_save_image_writes_into_the_output_folder(ctx):
    spec = REGISTRY["io.save_image"]
    img = discs_image()
    written = Path(spec.func(**call_args(spec, ctx, {"image": img})))
    assert written.parent.parent == ctx.output_dir and written.name == "discs.png"
    assert np.array_equal(cv2.imread(str(written), cv2.IMREAD_UNCHANGED), img)
