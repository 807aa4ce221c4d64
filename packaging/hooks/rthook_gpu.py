# PyInstaller runtime hook (runs before the app's first import).
# It also turns onnxruntime's telemetry off for every flavour (cpu and gpu).
# The GPU flavour carries the CUDA/cuDNN libraries in <bundle>/nvidia/. Load them from there by full
# path before onnxruntime is imported (workbench.inference.gpu.preload_from_bundle), so that the
# bundle's copies are the ones the CUDA provider links to (never a build machine's or a factory PC's
# own CUDA). With no NVIDIA driver they still load; the app then runs on CPU and `self-test` / `info`
# say why. A failure is recorded in WORKBENCH_GPU_PRELOAD and never stops the app.
import os
import sys

# Before anything can import onnxruntime: no telemetry, no device id, no lookups (see workbench/__init__.py).
os.environ["ORT_DISABLE_TELEMETRY"] = "1"


def _preload() -> None:
    base = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
    if not os.path.isdir(os.path.join(base, "nvidia")):
        return  # the cpu flavour: nothing to do, and onnxruntime is not imported early
    try:
        from workbench.inference.gpu import preload_gpu_libraries

        reason = preload_gpu_libraries()
    except Exception as exc:  # never stop the app from starting: it can run on CPU
        reason = f"{type(exc).__name__}: {exc}"
    if reason:
        os.environ["WORKBENCH_GPU_PRELOAD"] = reason[:500]


_preload()
