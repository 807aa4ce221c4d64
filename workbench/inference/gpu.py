"""GPU facts: provider order, preloading the CUDA/cuDNN libraries, and why CUDA does not work.

* Order of preference: TensorRT, CUDA, DirectML, OpenVINO, then CPU — as far as the installed
  build offers them (``get_available_providers()`` describes the build, not the machine).
* Before the first GPU session, the CUDA/cuDNN libraries are preloaded: in a frozen build, the
  app bundle's own copies in its ``nvidia`` folder, by full path, before onnxruntime is imported
  (``preload_from_bundle``); from source, with ``onnxruntime.preload_dlls`` (the nvidia-* pip
  packages).
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


# Loaded from the bundle by full path, in this order (each after the libraries it needs), before
# onnxruntime is imported: the CUDA provider library has no RPATH, so the names it needs must already be
# in the process or the system's copies would be found. These are the libraries onnxruntime's own
# preload_dlls loads. cuDNN loads its sub-libraries (graph, ops, cnn, engines ...) itself, on demand, from
# beside libcudnn (its RPATH is $ORIGIN); cuBLAS/cuFFT find nvrtc/nvJitLink the same way.
PRELOAD_ORDER = {
    "linux": ["libcudart.so.*", "libcublasLt.so.*", "libcublas.so.*", "libnvrtc.so.*", "libcurand.so.*",
              "libcufft.so.*", "libcudnn.so.*"],
    "win32": ["cudart64_*.dll", "cublasLt64_*.dll", "cublas64_*.dll", "nvrtc64_*.dll", "curand64_*.dll",
              "cufft64_*.dll", "cudnn64_*.dll"],
}

_preload_result: str | None = None
_bundle_status: dict | None = None


def _dlopen(path: str):
    """Load one library by full path, its symbols global (what the CUDA provider library links against)."""
    if sys.platform == "win32":
        return ctypes.WinDLL(path)
    return ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)


def driver_present() -> bool:
    win = sys.platform == "win32"
    return _load(["nvcuda.dll"] if win else ["libcuda.so.1", "libcuda.so"]) is not None


def preload_from_bundle(bundle: Path) -> dict:
    """Load the bundle's CUDA/cuDNN libraries by full path (PRELOAD_ORDER). Never imports onnxruntime.

    Returns what was found, loaded and why not: {"bundle", "found": {name: path}, "missing": [names],
    "loaded": [paths], "failed": {file: error}, "driver": bool, "reason": one line or ''}. With no NVIDIA
    driver the libraries still load (they need the driver only when used): that proves the bundle's
    copies are complete; CUDA sessions then fall back to CPU and ``diagnose_cuda`` says why.
    """
    found, missing = find_cuda_libraries(bundle)
    status: dict = {"bundle": str(bundle), "found": {k: str(v) for k, v in found.items()}, "missing": missing,
                    "loaded": [], "failed": {}, "driver": driver_present(), "reason": ""}
    if missing:
        status["reason"] = f"the app bundle lacks CUDA libraries: {', '.join(missing)}"
        return status
    if sys.platform == "win32":
        for d in sorted({p.parent for p in Path(bundle).rglob("*.dll")}):
            try:
                os.add_dll_directory(str(d))
            except (AttributeError, OSError):
                pass
    for pattern in PRELOAD_ORDER[_platform_key()]:
        hits = sorted(p for p in Path(bundle).rglob(pattern) if ".alt." not in p.name)  # not CUDA 12's 2nd NVRTC
        if not hits:
            continue  # optional (nvrtc): cuBLAS loads it itself when it needs it
        path = hits[0]
        try:
            _dlopen(str(path))
            status["loaded"].append(str(path))
        except OSError as exc:
            first = (str(exc).strip().splitlines() or [""])[0]
            status["failed"][path.name] = first
            if not status["reason"]:
                status["reason"] = f"loading {path.name} from the app bundle failed: {first}"
    return status


def bundle_library_status() -> dict | None:
    """What preloading did in a frozen GPU bundle (None elsewhere)."""
    return _bundle_status


def preload_gpu_libraries() -> str:
    """Preload CUDA/cuDNN once, before any GPU session. Returns '' or a one-line reason it failed.

    In a frozen GPU bundle: the bundle's own copies, by full path, before onnxruntime is imported (the
    runtime hook calls this first thing). From source: onnxruntime.preload_dlls (nvidia-* pip packages,
    then the default library paths), whose complaints it prints; they become the reason here."""
    global _preload_result, _bundle_status
    if _preload_result is not None:
        return _preload_result
    bundle = bundle_gpu_dir()
    if bundle is not None:
        _bundle_status = preload_from_bundle(bundle)
        _preload_result = _bundle_status["reason"]
        return _preload_result
    import onnxruntime as ort

    reason = ""
    if CUDA not in ort.get_available_providers():
        reason = "this build has no CUDA support (onnxruntime, not onnxruntime-gpu)"
    elif hasattr(ort, "preload_dlls"):  # older runtimes: rely on the system's library path
        import contextlib
        import io

        said = io.StringIO()
        try:
            with contextlib.redirect_stdout(said):
                ort.preload_dlls(directory="")  # the nvidia-* pip packages, then the default paths
        except Exception as exc:
            reason = (f"preloading CUDA libraries failed: {type(exc).__name__}: "
                      f"{str(exc).splitlines()[0] if str(exc) else ''}")
        failed = [ln.strip() for ln in said.getvalue().splitlines() if ln.startswith("Failed to load")]
        if failed and not reason:
            reason = f"preloading CUDA libraries failed: {failed[0]}"
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
