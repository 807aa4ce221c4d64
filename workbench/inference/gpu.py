"""GPU facts: provider order, preloading the CUDA/cuDNN libraries, and why CUDA does not work.

* Order of preference: TensorRT, CUDA, DirectML, OpenVINO, then CPU — as far as the installed
  build offers them (``get_available_providers()`` describes the build, not the machine).
* Before the first GPU session, the CUDA/cuDNN libraries are preloaded with
  ``onnxruntime.preload_dlls``: from the app bundle's ``nvidia`` folder in a frozen build, else
  from the nvidia-* pip packages.
* When CUDA was asked for and is not what runs, ``diagnose_cuda`` says why: no driver
  (libcuda/nvcuda missing), a driver too old for this build's CUDA major, cuDNN missing.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

CPU = "CPUExecutionProvider"
CUDA = "CUDAExecutionProvider"
TENSORRT = "TensorrtExecutionProvider"
ACCELERATED = [TENSORRT, CUDA, "DmlExecutionProvider", "OpenVINOExecutionProvider"]

FORCE_CPU_ENV = "WORKBENCH_FORCE_CPU"

# What the GPU flavour must carry (the runtime hook and self-test check these).
CUDA_LIBRARIES = {
    "linux": {"cudart": "libcudart.so*", "cublas": "libcublas.so*", "cublasLt": "libcublasLt.so*",
              "cufft": "libcufft.so*", "curand": "libcurand.so*", "cudnn": "libcudnn.so*"},
    "win32": {"cudart": "cudart64_*.dll", "cublas": "cublas64_*.dll", "cublasLt": "cublasLt64_*.dll",
              "cufft": "cufft64_*.dll", "curand": "curand64_*.dll", "cudnn": "cudnn64_*.dll"},
}


def force_cpu() -> bool:
    return os.environ.get(FORCE_CPU_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def provider_order(offered: list[str]) -> list[str]:
    """The accelerated providers of the build in preference order, then CPU."""
    return [p for p in ACCELERATED if p in offered] + [CPU]


def ort_cuda_version() -> str:
    """The CUDA version this onnxruntime was built for ('' for a CPU build)."""
    try:
        from onnxruntime.capi.onnxruntime_validation import cuda_version

        return str(cuda_version or "")
    except Exception:
        return ""


def _platform_key() -> str:
    return "win32" if sys.platform == "win32" else "linux"


def find_cuda_libraries(folder: Path) -> tuple[dict[str, Path], list[str]]:
    """The CUDA/cuDNN libraries found under ``folder`` (any depth, e.g. nvidia/cu13/lib) and the
    names of those missing."""
    folder = Path(folder)
    found: dict[str, Path] = {}
    patterns = CUDA_LIBRARIES[_platform_key()]
    if folder.is_dir():
        for name, pat in patterns.items():
            hits = sorted(folder.rglob(pat))
            if name == "cublas":  # libcublasLt also matches libcublas*: keep the plain one
                hits = [h for h in hits if "cublasLt" not in h.name]
            if hits:
                found[name] = hits[0]
    return found, [n for n in patterns if n not in found]


def bundle_gpu_dir() -> Path | None:
    """The folder of CUDA/cuDNN libraries inside a frozen app, if there is one."""
    if not getattr(sys, "frozen", False):
        return None
    base = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    d = base / "nvidia"
    return d if d.is_dir() else None


_preload_result: str | None = None


def preload_gpu_libraries() -> str:
    """Preload CUDA/cuDNN once, before any GPU session. Returns '' or a one-line reason it failed."""
    global _preload_result
    if _preload_result is not None:
        return _preload_result
    import onnxruntime as ort

    reason = ""
    if CUDA not in ort.get_available_providers():
        reason = "this build has no CUDA support (onnxruntime, not onnxruntime-gpu)"
    elif not hasattr(ort, "preload_dlls"):
        reason = ""  # older runtime: rely on the system's library path
    else:
        bundle = bundle_gpu_dir()
        try:
            if bundle is not None:
                _, missing = find_cuda_libraries(bundle)
                if missing:
                    reason = f"the app bundle lacks CUDA libraries: {', '.join(missing)}"
                ort.preload_dlls(directory=str(bundle))
            else:
                ort.preload_dlls(directory="")  # the nvidia-* pip packages, then the default paths
        except Exception as exc:
            reason = f"preloading CUDA libraries failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    _preload_result = reason
    return reason


def _load(names: list[str]):
    for n in names:
        try:
            return ctypes.CDLL(n)
        except OSError:
            continue
    return None


def diagnose_cuda() -> str:
    """Why CUDA cannot run here, as one line ('' when no cause is found)."""
    win = sys.platform == "win32"
    driver = _load(["nvcuda.dll"] if win else ["libcuda.so.1", "libcuda.so"])
    if driver is None:
        return "no NVIDIA driver (" + ("nvcuda.dll" if win else "libcuda.so.1") + " not found)"
    need = ort_cuda_version()
    try:
        v = ctypes.c_int(0)
        if driver.cuDriverGetVersion(ctypes.byref(v)) == 0 and need:
            have_major, have_minor = v.value // 1000, (v.value % 1000) // 10
            m = re.match(r"(\d+)", need)
            if m and have_major < int(m.group(1)):
                return (f"the NVIDIA driver supports CUDA {have_major}.{have_minor}, this onnxruntime needs CUDA "
                        f"{need} (update the driver, or use the CUDA {have_major} build)")
    except (AttributeError, OSError):
        pass
    cudnn = _load(["cudnn64_9.dll"] if win else ["libcudnn.so.9", "libcudnn.so"])
    if cudnn is None:
        return "cuDNN 9 not found (" + ("cudnn64_9.dll" if win else "libcudnn.so.9") + ")"
    return ""
