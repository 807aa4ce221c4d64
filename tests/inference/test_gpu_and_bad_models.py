"""Provider order and choice, CUDA library discovery and diagnosis, and one-line errors for bad models."""

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

import workbench.inference.gpu as gpu
from dl_testkit import const_model
from onnx_kit import channel_mean_classifier
from workbench.inference.classification import classify
from workbench.inference.model import ModelError
from workbench.inference.sessions import SESSIONS, Device, effective_device, load_model, set_default_device
from workbench.inference.sidecar import default_config
from workbench.nodes.dl._common import check_image_input, run_image

CPU_ONLY = "CUDAExecutionProvider" not in ort.get_available_providers()


@pytest.fixture(autouse=True)
def _clean(monkeypatch):
    SESSIONS.clear()
    set_default_device(None)
    monkeypatch.delenv("WORKBENCH_FORCE_CPU", raising=False)
    monkeypatch.delenv("WORKBENCH_DEVICE", raising=False)
    yield
    set_default_device(None)
    SESSIONS.clear()


def test_provider_order_follows_preference_not_the_builds_listing():
    offered = ["CPUExecutionProvider", "OpenVINOExecutionProvider", "CUDAExecutionProvider",
               "TensorrtExecutionProvider", "AzureExecutionProvider"]
    assert gpu.provider_order(offered) == ["TensorrtExecutionProvider", "CUDAExecutionProvider",
                                           "OpenVINOExecutionProvider", "CPUExecutionProvider"]
    assert gpu.provider_order(["CPUExecutionProvider"]) == ["CPUExecutionProvider"]


def _bundle(tmp_path: Path, names: list[str]) -> Path:
    lib = tmp_path / "bundle" / "nvidia" / "cu13" / "lib"
    lib.mkdir(parents=True)
    for n in names:
        (lib / n).write_bytes(b"\x7fELF")
    return tmp_path / "bundle" / "nvidia"


@pytest.mark.skipif(gpu._platform_key() != "linux", reason="library names of Linux")
def test_finds_cuda_libraries_in_a_bundle_shaped_folder(tmp_path):
    d = _bundle(tmp_path, ["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcufft.so.12",
                           "libcurand.so.10", "libcudnn.so.9"])
    found, missing = gpu.find_cuda_libraries(d)
    assert missing == [] and found["cublas"].name == "libcublas.so.13" and found["cublasLt"].name == "libcublasLt.so.13"
    d2 = _bundle(tmp_path / "b", ["libcudart.so.13", "libcublasLt.so.13"])
    found, missing = gpu.find_cuda_libraries(d2)
    assert missing == ["cublas", "cufft", "curand", "cudnn"]
    assert gpu.find_cuda_libraries(tmp_path / "nowhere") == ({}, list(gpu.CUDA_LIBRARIES["linux"]))


def test_bundle_dir_only_in_a_frozen_app(tmp_path, monkeypatch):
    assert gpu.bundle_gpu_dir() is None
    d = _bundle(tmp_path, ["libcudart.so.13"])
    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys._MEIPASS", str(d.parent), raising=False)
    assert gpu.bundle_gpu_dir() == d


def test_diagnosis_names_the_missing_driver_here():
    import ctypes

    try:
        ctypes.CDLL("libcuda.so.1")
        pytest.skip("an NVIDIA driver is installed on this machine")
    except OSError:
        pass
    assert gpu.diagnose_cuda() == "no NVIDIA driver (libcuda.so.1 not found)"


def test_force_cpu_and_the_global_default(monkeypatch, tmp_path):
    assert effective_device(Device.AUTO) == (Device.AUTO, "")
    monkeypatch.setenv("WORKBENCH_DEVICE", "cpu")
    assert effective_device(Device.AUTO) == (Device.CPU, "")
    assert effective_device(Device.GPU) == (Device.GPU, "")  # a node's explicit choice wins
    set_default_device(Device.GPU)
    assert effective_device(Device.AUTO) == (Device.GPU, "")
    monkeypatch.setenv("WORKBENCH_FORCE_CPU", "1")
    assert effective_device(Device.GPU) == (Device.CPU, "CPU forced by WORKBENCH_FORCE_CPU")
    m = load_model(channel_mean_classifier(tmp_path / "m.onnx"), Device.GPU)
    assert m.provider == "CPUExecutionProvider" and m.device_label == "CPU — CPU forced by WORKBENCH_FORCE_CPU"


@pytest.mark.skipif(not CPU_ONLY, reason="CPU-only build behaviour")
def test_asking_for_the_gpu_here_ends_on_cpu_with_a_reason(tmp_path):
    p = channel_mean_classifier(tmp_path / "m.onnx")
    m = load_model(p, Device.AUTO)
    assert m.provider == "CPUExecutionProvider" and m.fallback_reason.startswith("this build has no GPU support")
    with pytest.raises(ModelError, match="^GPU required but not usable: this build has no GPU support"):
        load_model(p, Device.GPU)


def test_truncated_model_is_one_line(tmp_path):
    p = channel_mean_classifier(tmp_path / "m.onnx")
    data = p.read_bytes()
    bad = tmp_path / "cut.onnx"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError) as e:
        load_model(bad, Device.CPU)
    assert "cut.onnx" in str(e.value) and "\n" not in str(e.value)


def _model(path, inputs, out_shape=(1, 3)):
    ins = [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs]
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))
    g = helper.make_graph([helper.make_node("Constant", [], ["y"], value=helper.make_tensor(
        "c", TensorProto.FLOAT, list(out_shape), [0.0] * int(np.prod(out_shape))))], "g", ins, [y])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 9
    onnx.save(m, path)
    return path


@pytest.mark.parametrize("inputs,msg", [
    ([("a", TensorProto.FLOAT, [1, 3, 8, 8]), ("b", TensorProto.FLOAT, [1, 4])], r"needs 2 inputs \(a, b\)"),
    ([("x", TensorProto.FLOAT, [1, 10])], "is not an image tensor"),
    ([("x", TensorProto.INT64, [1, 3, 8, 8])], "has dtype int64"),
    ([("x", TensorProto.FLOAT, [1, 4, 8, 8])], "expects 4 channels"),
])
def test_models_an_image_node_cannot_feed(tmp_path, inputs, msg):
    p = _model(tmp_path / "m.onnx", inputs)
    m = load_model(p, Device.CPU)
    with pytest.raises(ModelError, match=msg):
        run_image(m, default_config(m.info), np.zeros((16, 16, 3), np.uint8))


def test_labels_count_must_match_the_classes():
    with pytest.raises(ModelError, match="gives 3 classes but there are 2 labels"):
        classify(np.zeros((1, 3)), ["a", "b"])


def test_gray_and_colour_images_feed_gray_and_colour_models(tmp_path):
    gray_model = const_model(tmp_path / "g.onnx", {"y": np.zeros((1, 2), np.float32)}, in_shape=(1, 1, 8, 8))
    m = load_model(gray_model, Device.CPU)
    cfg = default_config(m.info)
    check_image_input(m, cfg)
    for img in (np.zeros((20, 20, 3), np.uint8), np.zeros((20, 20), np.uint16)):
        outs, _ = run_image(m, cfg, img)
        assert outs[0].shape == (1, 2)


def test_thread_settings_from_the_environment(monkeypatch):
    import subprocess
    import sys

    env = {**__import__("os").environ, "WORKBENCH_CV_THREADS": "1", "WORKBENCH_ORT_THREADS": "3"}
    p = subprocess.run([sys.executable, "-m", "workbench", "info", "--json"], capture_output=True, text=True,
                       env=env, timeout=120)
    import json

    info = json.loads(p.stdout)
    assert info["opencv_threads"] == 1 and info["ort_threads"] == 3
