"""The preload logic of the GPU flavour: finding the CUDA/cuDNN libraries in a bundle-shaped
folder, a clear reason when they are absent, bundle_gpu_dir under a frozen sys, and the
runtime hook. onnxruntime's own preload_dlls is replaced by a recorder (no GPU needed)."""

import runpy
import sys
from pathlib import Path

import pytest

from workbench.inference import gpu
from workbench.selftest import CUDA_LIB_PATTERNS, DRIVER_LIB_PATTERNS, _matches, loaded_libraries

HOOK = Path(__file__).resolve().parents[2] / "packaging" / "hooks" / "rthook_gpu.py"
LINUX_LIBS = {  # what onnxruntime-gpu[cuda,cudnn] (CUDA 13) puts under site-packages/nvidia/
    "cu13/lib": ["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcufft.so.12",
                 "libcurand.so.10", "libnvrtc.so.13"],
    "cudnn/lib": ["libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9"],
}

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="bundle layout written with Linux names")


def make_bundle(root: Path, skip: tuple[str, ...] = ()) -> Path:
    nv = root / "nvidia"
    for sub, names in LINUX_LIBS.items():
        (nv / sub).mkdir(parents=True, exist_ok=True)
        for n in names:
            if not n.startswith(skip):
                (nv / sub / n).write_bytes(b"\x7fELF")
    return nv


@pytest.fixture
def frozen(monkeypatch, tmp_path):
    """sys as in a PyInstaller one-folder app whose _internal folder is tmp_path/_internal."""
    meipass = tmp_path / "_internal"
    meipass.mkdir()
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(meipass), raising=False)
    monkeypatch.setattr(gpu, "_preload_result", None)
    return meipass


@pytest.fixture
def fake_ort(monkeypatch):
    """onnxruntime-gpu as seen by preload: offers CUDA, records preload_dlls calls."""
    import onnxruntime as ort

    calls = []
    monkeypatch.setattr(ort, "get_available_providers", lambda: [gpu.CUDA, gpu.CPU])
    monkeypatch.setattr(ort, "preload_dlls", lambda **kw: calls.append(kw), raising=False)
    monkeypatch.setattr(gpu, "_preload_result", None)
    return calls


def test_finds_every_library_in_a_bundle_shaped_folder(tmp_path):
    nv = make_bundle(tmp_path)
    found, missing = gpu.find_cuda_libraries(nv)
    assert missing == []
    assert set(found) == set(gpu.CUDA_LIBRARIES["linux"])
    assert found["cublas"].name == "libcublas.so.13"  # not libcublasLt
    assert found["cublasLt"].name == "libcublasLt.so.13"
    assert found["cudnn"].name == "libcudnn.so.9"
    assert found["cudart"].parent == nv / "cu13" / "lib"


def test_names_the_missing_libraries(tmp_path):
    nv = make_bundle(tmp_path, skip=("libcudnn", "libcurand"))
    found, missing = gpu.find_cuda_libraries(nv)
    assert sorted(missing) == ["cudnn", "curand"]
    assert "cudart" in found
    assert gpu.find_cuda_libraries(tmp_path / "nowhere") == ({}, list(gpu.CUDA_LIBRARIES["linux"]))


def test_bundle_gpu_dir_under_a_frozen_sys(frozen):
    assert gpu.bundle_gpu_dir() is None  # cpu flavour: no nvidia/
    make_bundle(frozen)
    assert gpu.bundle_gpu_dir() == frozen / "nvidia"


def test_bundle_gpu_dir_is_none_from_source(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    assert gpu.bundle_gpu_dir() is None


def test_preload_uses_the_bundle_folder(frozen, fake_ort):
    make_bundle(frozen)
    assert gpu.preload_gpu_libraries() == ""
    assert fake_ort == [{"directory": str(frozen / "nvidia")}]
    assert gpu.preload_gpu_libraries() == "" and len(fake_ort) == 1  # once per process


def test_preload_reason_when_the_bundle_lacks_libraries(frozen, fake_ort):
    make_bundle(frozen, skip=("libcudnn",))
    reason = gpu.preload_gpu_libraries()
    assert reason == "the app bundle lacks CUDA libraries: cudnn"


def test_preload_reason_when_preload_fails(frozen, fake_ort, monkeypatch):
    import onnxruntime as ort

    make_bundle(frozen)

    def boom(**kw):
        raise OSError("libcudnn.so.9: cannot open shared object file\nmore")

    monkeypatch.setattr(ort, "preload_dlls", boom, raising=False)
    assert gpu.preload_gpu_libraries() == ("preloading CUDA libraries failed: OSError: "
                                           "libcudnn.so.9: cannot open shared object file")


def test_preload_reason_for_a_cpu_build(monkeypatch):
    import onnxruntime as ort

    monkeypatch.setattr(ort, "get_available_providers", lambda: [gpu.CPU])
    monkeypatch.setattr(gpu, "_preload_result", None)
    assert gpu.preload_gpu_libraries() == "this build has no CUDA support (onnxruntime, not onnxruntime-gpu)"


def test_runtime_hook_preloads_only_when_the_bundle_has_nvidia(frozen, monkeypatch):
    calls = []
    monkeypatch.setattr(gpu, "preload_gpu_libraries", lambda: calls.append(1) or "no NVIDIA driver")
    monkeypatch.delenv("WORKBENCH_GPU_PRELOAD", raising=False)
    runpy.run_path(str(HOOK))
    assert calls == []  # cpu flavour
    make_bundle(frozen)
    runpy.run_path(str(HOOK))
    assert calls == [1]
    import os

    assert os.environ["WORKBENCH_GPU_PRELOAD"] == "no NVIDIA driver"


def test_library_patterns_of_the_self_test():
    assert _matches("/b/_internal/nvidia/cu13/lib/libcudart.so.13", CUDA_LIB_PATTERNS)
    assert _matches("/b/_internal/nvidia/cudnn/lib/libcudnn_ops.so.9", CUDA_LIB_PATTERNS)
    assert _matches("/usr/lib/x86_64-linux-gnu/libcuda.so.1", DRIVER_LIB_PATTERNS)
    assert not _matches("/usr/lib/x86_64-linux-gnu/libcuda.so.1", CUDA_LIB_PATTERNS)
    assert not _matches("/usr/lib/libc.so.6", CUDA_LIB_PATTERNS + DRIVER_LIB_PATTERNS)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/maps")
def test_loaded_libraries_lists_this_process():
    import onnxruntime  # noqa: F401  (its native module is mapped)

    libs = loaded_libraries()
    assert any("onnxruntime_pybind11_state" in p for p in libs)
    assert all(p.startswith("/") for p in libs)
