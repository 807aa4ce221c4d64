"""Which execution providers work here — the truth, not what the build offers.

``onnxruntime.get_available_providers()`` describes the build: it lists CUDA on a machine
with no driver, and asking for CUDA there silently gives a CPU session. So each provider is
probed: a tiny session is created with that provider first, ``session.get_providers()`` is
read back, and a warm-up run is done inside try (a model can load on CUDA and still fail on
its first run).
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass

import numpy as np

# A 84-byte ONNX model (IR 9, opset 13): y = Relu(x), x: float32[1, 4]. Built with onnx.helper.
PROBE_MODEL = base64.b64decode(
    "CAkSCXdvcmtiZW5jaDo/CgwKAXgSAXkiBFJlbHUSBXByb2JlWhMKAXgSDgoMCAESCAoCCAEKAggEYhMKAXkSDgoMCAESCAoCCAEKAggEQgQKABAN")


@dataclass
class ProviderStatus:
    provider: str
    works: bool
    reason: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def offered_providers() -> list[str]:
    import onnxruntime as ort

    return list(ort.get_available_providers())


def probe_provider(provider: str) -> ProviderStatus:
    import onnxruntime as ort

    if provider not in ort.get_available_providers():
        return ProviderStatus(provider, False, f"not offered by this onnxruntime build "
                                               f"({', '.join(ort.get_available_providers())})")
    opts = ort.SessionOptions()
    opts.log_severity_level = 4  # the probe reports failures itself
    try:
        sess = ort.InferenceSession(PROBE_MODEL, sess_options=opts, providers=list(dict.fromkeys([provider, "CPUExecutionProvider"])))
    except Exception as exc:
        return ProviderStatus(provider, False, f"session creation failed: {_one_line(exc)}")
    used = sess.get_providers()
    if not used or used[0] != provider:
        from workbench.inference.gpu import CUDA, TENSORRT, diagnose_cuda

        why = diagnose_cuda() if provider in (CUDA, TENSORRT) else ""
        return ProviderStatus(provider, False, why or f"requested {provider} but the session runs on "
                                                      f"{used[0] if used else 'nothing'}")
    try:
        out = sess.run(None, {"x": np.array([[-1, 0, 1, 2]], np.float32)})[0]
    except Exception as exc:
        return ProviderStatus(provider, False, f"warm-up run failed: {_one_line(exc)}")
    if not np.array_equal(out, np.array([[0, 0, 1, 2]], np.float32)):
        return ProviderStatus(provider, False, "warm-up run gave a wrong result")
    return ProviderStatus(provider, True)


def probe_all() -> list[ProviderStatus]:
    """Every provider the build offers, in the app's order of preference (then any others)."""
    from workbench.inference.gpu import preload_gpu_libraries, provider_order

    offered = offered_providers()
    preload_gpu_libraries()
    ordered = provider_order(offered) + [p for p in offered if p not in provider_order(offered)]
    return [probe_provider(p) for p in ordered]


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"
