"""ONNX Runtime sessions: one per (file, mtime, size, device), shared by every node that uses it.

The provider actually used is read back from the session, and a warm-up run is made inside
try: CUDA can be "available" in the build and still not work (no driver, missing cuDNN, an
unsupported op). Every fallback to CPU carries a one-line reason that the node reports.

Choice: per node (Device), globally (set_default_device, or WORKBENCH_DEVICE=auto|cpu|gpu),
and WORKBENCH_FORCE_CPU=1 forces the CPU over everything.

Threads: ORT's intra-op pool defaults to min(4, CPU count) per session and inter-op to 1,
so ORT and OpenCV together do not oversubscribe small industrial PCs; override with the
environment variable WORKBENCH_ORT_THREADS.
"""

from __future__ import annotations

import enum
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from workbench.core.fileio import file_stamp
from workbench.inference.model import ModelError, ModelInfo, check_file, model_info, ort_error_line

from workbench.inference.gpu import (CPU, CUDA, FORCE_CPU_ENV, TENSORRT, diagnose_cuda, force_cpu,
                                    preload_gpu_libraries, provider_order)


class Device(enum.Enum):
    AUTO = "auto"  # the global choice (WORKBENCH_DEVICE / the GUI setting); by default GPU when it works
    CPU = "cpu"
    GPU = "gpu"  # GPU required: an error when it does not work


def ort_threads() -> int:
    env = os.environ.get("WORKBENCH_ORT_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))


def create_session(model: bytes | str | Path, provider: str, name: str = "model", threads: int | None = None):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads or ort_threads()
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3
    providers = [provider] if provider == CPU else [provider, CPU]
    src = model if isinstance(model, bytes) else str(model)
    try:
        return ort.InferenceSession(src, sess_options=opts, providers=providers)
    except Exception as exc:
        raise ModelError(ort_error_line(exc, name)) from None


@dataclass
class LoadedModel:
    path: Path
    session: object
    info: ModelInfo
    provider: str  # what really runs it
    fallback_reason: str = ""  # why it is not on the GPU when AUTO asked for it
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def device_label(self) -> str:
        if self.provider != CPU:
            return f"GPU ({self.provider.replace('ExecutionProvider', '')})"
        return "CPU" + (f" — {self.fallback_reason}" if self.fallback_reason else "")

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        with self.lock:  # one run at a time per session keeps memory predictable
            return self.session.run(None, feeds)


def _warm_feed(info: ModelInfo) -> dict[str, np.ndarray]:
    feeds = {}
    for t in info.inputs:
        shape = [d if isinstance(d, int) and d > 0 else (1 if i == 0 else 32) for i, d in enumerate(t.shape)]
        feeds[t.name] = np.zeros(shape, np.dtype(t.dtype) if t.dtype in ("float32", "float16", "uint8",
                                                                             "int64", "int32") else np.float32)
    return feeds


def _accelerated_attempt(path: Path, data: bytes) -> tuple[object | None, str, str]:
    """Try the build's accelerated providers in order. (session, provider, '') or (None, '', reason)."""
    import onnxruntime as ort

    offered = ort.get_available_providers()
    candidates = [p for p in provider_order(offered) if p != CPU]
    if not candidates:
        return None, "", "this build has no GPU support (onnxruntime, not onnxruntime-gpu)"
    if CUDA in candidates or TENSORRT in candidates:
        pre = preload_gpu_libraries()
    else:
        pre = ""
    reasons = []
    for provider in candidates:
        short = provider.replace("ExecutionProvider", "")
        try:
            sess = create_session(data, provider, path.name)
        except ModelError as exc:
            reasons.append(f"{short}: session failed: {exc}")
            continue
        if sess.get_providers()[0] != provider:
            why = (diagnose_cuda() if provider in (CUDA, TENSORRT) else "") or pre or "unavailable on this machine"
            reasons.append(f"{short}: {why}")
            continue
        try:
            sess.run(None, _warm_feed(model_info(path, sess)))
        except Exception as exc:
            reasons.append(f"{short}: warm-up run failed: {ort_error_line(exc, path.name)}")
            continue
        return sess, provider, ""
    return None, "", "; ".join(reasons)


_default_device: Device | None = None


def set_default_device(device: Device | None) -> None:
    """The global choice (GUI setting; None: back to WORKBENCH_DEVICE); a node's AUTO follows it."""
    global _default_device
    _default_device = device


def default_device() -> Device:
    if _default_device is not None:
        return _default_device
    env = os.environ.get("WORKBENCH_DEVICE", "").strip().lower()
    return {"cpu": Device.CPU, "gpu": Device.GPU}.get(env, Device.AUTO)


def effective_device(device: Device) -> tuple[Device, str]:
    """The device a request really gets, and why when it was changed."""
    if force_cpu():
        return Device.CPU, f"CPU forced by {FORCE_CPU_ENV}"
    if device is Device.AUTO:
        return default_device(), ""
    return device, ""


class SessionCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple, LoadedModel] = {}

    def get(self, path: str | Path, device: Device = Device.AUTO) -> LoadedModel:
        path = Path(path).resolve()
        device, forced = effective_device(device)
        if not path.exists():
            raise ModelError(f"model not found: {path}")
        key = (*file_stamp(path), device)  # the device is part of the key: no clearing by hand
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                return hit
            for old in [k for k in self._items if k[0] == key[0] and k[3] == device]:
                del self._items[old]  # the file changed: drop the stale session
            loaded = self._load(path, device)
            if forced:
                loaded.fallback_reason = forced
            self._items[key] = loaded
            return loaded

    @staticmethod
    def _load(path: Path, device: Device) -> LoadedModel:
        data = check_file(path)
        reason = ""
        if device is not Device.CPU:
            sess, provider, reason = _accelerated_attempt(path, data)
            if sess is not None:
                return LoadedModel(path, sess, model_info(path, sess), provider)
            if device is Device.GPU:
                raise ModelError(f"GPU required but not usable: {reason}")
        sess = create_session(data, CPU, path.name)
        return LoadedModel(path, sess, model_info(path, sess), CPU, reason)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


SESSIONS = SessionCache()


def load_model(path: str | Path, device: Device = Device.AUTO) -> LoadedModel:
    return SESSIONS.get(path, device)
