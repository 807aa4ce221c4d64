"""The preload logic of the GPU flavour: finding the CUDA/cuDNN libraries in a bundle-shaped
folder, a clear reason when they are absent or do not load, loading them by full path before
onnxruntime is imported, bundle_gpu_dir under a frozen sys, and the runtime hook. The loader is
replaced by a recorder (no GPU needed), except in one test that loads real libraries copied into a
bundle-shaped folder and finds them mapped from there."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.inference import gpu
from workbench.selftest import CUDA_LIB_PATTERNS, DRIVER_LIB_PATTERNS, _matches, loaded_libraries

REPO = Path(__file__).resolve().parents[2]
HOOK = REPO / "packaging" / "hooks" / "rthook_gpu.py"
LINUX_LIBS = {  # what onnxruntime-gpu[cuda,cudnn] (CUDA 13) puts under site-packages/nvidia/
    "cu13/lib": ["libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcufft.so.12",
                 "libcurand.so.10", "libnvrtc.so.13", "libnvrtc-builtins.so.13.5", "libnvJitLink.so.13"],
    "cudnn/lib": ["libcudnn.so.9", "libcudnn_graph.so.9", "libcudnn_ops.so.9", "libcudnn_cnn.so.9"],
}
LOAD_ORDER = ["libcudart.so.13", "libcublasLt.so.13", "libcublas.so.13", "libnvrtc.so.13", "libcurand.so.10",
              "libcufft.so.12", "libcudnn.so.9"]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="bundle layout with Linux names")


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
    monkeypatch.setattr(gpu, "_bundle_status", None)
    return meipass


@pytest.fixture
def loader(monkeypatch):
    """Records the full paths given to the loader; `fail` maps a file name to the OSError text it raises.
    onnxruntime's own preload_dlls must not be used for a bundle."""
    import onnxruntime as ort

    calls: list[str] = []
    fail: dict[str, str] = {}

    def dlopen(path):
        if Path(path).name in fail:
            raise OSError(fail[Path(path).name])
        calls.append(path)

    def ort_preload(**kw):
        raise AssertionError(f"onnxruntime.preload_dlls({kw}) used for a bundle")

    monkeypatch.setattr(gpu, "_dlopen", dlopen)
    monkeypatch.setattr(gpu, "driver_present", lambda: False)
    monkeypatch.setattr(ort, "preload_dlls", ort_preload, raising=False)
    return calls, fail


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


def test_preload_loads_the_bundle_copies_by_full_path_in_order(frozen, loader):
    calls, _ = loader
    nv = make_bundle(frozen)
    assert gpu.preload_gpu_libraries() == ""
    assert [Path(p).name for p in calls] == LOAD_ORDER  # each after what it needs; no cuDNN sub-library
    assert all(Path(p).is_absolute() and Path(p).is_relative_to(nv) for p in calls)
    status = gpu.bundle_library_status()
    assert status["loaded"] == calls and status["missing"] == [] and status["failed"] == {}
    assert status["driver"] is False and status["reason"] == ""
    assert Path(status["found"]["cudnn"]) == nv / "cudnn" / "lib" / "libcudnn.so.9"
    assert gpu.preload_gpu_libraries() == "" and len(calls) == len(LOAD_ORDER)  # once per process


def test_preload_reason_when_the_bundle_lacks_libraries(frozen, loader):
    calls, _ = loader
    make_bundle(frozen, skip=("libcudnn",))
    assert gpu.preload_gpu_libraries() == "the app bundle lacks CUDA libraries: cudnn"
    assert calls == []  # nothing half-loaded
    assert gpu.bundle_library_status()["missing"] == ["cudnn"]


def test_preload_reason_when_a_library_does_not_load(frozen, loader):
    calls, fail = loader
    make_bundle(frozen)
    fail["libcudnn.so.9"] = "libcudnn_graph.so.9: cannot open shared object file: No such file or directory\nmore"
    assert gpu.preload_gpu_libraries() == ("loading libcudnn.so.9 from the app bundle failed: "
                                           "libcudnn_graph.so.9: cannot open shared object file: No such file or directory")
    assert [Path(p).name for p in calls] == LOAD_ORDER[:-1]
    assert list(gpu.bundle_library_status()["failed"]) == ["libcudnn.so.9"]


def test_preload_from_source_reports_what_onnxruntime_printed(monkeypatch):
    import onnxruntime as ort

    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(gpu, "_preload_result", None)
    monkeypatch.setattr(ort, "get_available_providers", lambda: [gpu.CUDA, gpu.CPU])
    seen = []

    def preload(**kw):
        seen.append(kw)
        print("Failed to load libcublasLt.so.13: libcublasLt.so.13: cannot open shared object file")
        print("Please follow https://onnxruntime.ai/docs/install/#cuda-and-cudnn to install CUDA.")

    monkeypatch.setattr(ort, "preload_dlls", preload, raising=False)
    assert gpu.preload_gpu_libraries() == ("preloading CUDA libraries failed: Failed to load libcublasLt.so.13: "
                                           "libcublasLt.so.13: cannot open shared object file")
    assert seen == [{"directory": ""}]  # the nvidia-* pip packages, then the default paths


def test_preload_reason_for_a_cpu_build(monkeypatch):
    import onnxruntime as ort

    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(ort, "get_available_providers", lambda: [gpu.CPU])
    monkeypatch.setattr(gpu, "_preload_result", None)
    assert gpu.preload_gpu_libraries() == "this build has no CUDA support (onnxruntime, not onnxruntime-gpu)"


def test_bundle_libraries_load_before_onnxruntime_and_map_from_inside_the_bundle(tmp_path):
    """In a fresh process: real libraries (copies of libz under the CUDA names) in a bundle-shaped folder
    are loaded by preload_gpu_libraries before onnxruntime is imported, and /proc/self/maps shows them
    mapped from inside the bundle."""
    script = r"""
import ctypes, json, shutil, sys
from pathlib import Path
ctypes.CDLL("libz.so.1")
real = next(l.split()[-1] for l in open("/proc/self/maps") if "libz.so" in l)
root = Path(sys.argv[1]) / "_internal"
for sub, names in json.loads(sys.argv[2]).items():
    (root / "nvidia" / sub).mkdir(parents=True, exist_ok=True)
    for n in names:
        shutil.copy(real, root / "nvidia" / sub / n)
sys.frozen, sys._MEIPASS = True, str(root)
from workbench.inference import gpu
from workbench.selftest import loaded_libraries
reason = gpu.preload_gpu_libraries()
mapped = sorted({Path(p).name for p in loaded_libraries() if p.startswith(str(root))})
print(json.dumps({"reason": reason, "ort_imported": "onnxruntime" in sys.modules, "mapped": mapped}))
"""
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path), json.dumps(LINUX_LIBS)], cwd=REPO,
                         capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"reason": "", "ort_imported": False, "mapped": sorted(LOAD_ORDER)}


def test_runtime_hook_preloads_only_when_the_bundle_has_nvidia(frozen, monkeypatch):
    calls = []
    monkeypatch.setattr(gpu, "preload_gpu_libraries", lambda: calls.append(1) or "no NVIDIA driver")
    monkeypatch.delenv("WORKBENCH_GPU_PRELOAD", raising=False)
    runpy.run_path(str(HOOK))
    assert calls == []  # cpu flavour
    make_bundle(frozen)
    runpy.run_path(str(HOOK))
    assert calls == [1]
    assert os.environ["WORKBENCH_GPU_PRELOAD"] == "no NVIDIA driver"


def test_library_patterns_of_the_self_test():
    assert _matches("/b/_internal/nvidia/cu13/lib/libcudart.so.13", CUDA_LIB_PATTERNS)
    assert _matches("/b/_internal/nvidia/cudnn/lib/libcudnn_ops.so.9", CUDA_LIB_PATTERNS)
    assert _matches("/usr/lib/x86_64-linux-gnu/libcuda.so.1", DRIVER_LIB_PATTERNS)
    assert not _matches("/usr/lib/x86_64-linux-gnu/libcuda.so.1", CUDA_LIB_PATTERNS)
    assert not _matches("/usr/lib/libc.so.6", CUDA_LIB_PATTERNS + DRIVER_LIB_PATTERNS)


def test_loaded_libraries_lists_this_process():
    import onnxruntime  # noqa: F401  (its native module is mapped)

    libs = loaded_libraries()
    assert any("onnxruntime_pybind11_state" in p for p in libs)
    assert all(p.startswith("/") for p in libs)
