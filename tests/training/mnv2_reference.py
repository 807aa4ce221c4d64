"""An independent numpy MobileNetV2 forward pass (batch norm NOT folded, plain loops over the state dict),
to check the ONNX conversion against. Slow but simple: use small inputs."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]


def conv(x: np.ndarray, w: np.ndarray, stride: int = 1) -> np.ndarray:
    """x [C, H, W], w [O, C/groups, k, k]; groups = C when w has one input channel (depthwise)."""
    k = w.shape[-1]
    p = k // 2
    xp = np.pad(x, ((0, 0), (p, p), (p, p)))
    win = sliding_window_view(xp, (k, k), axis=(1, 2))[:, ::stride, ::stride]  # C, H', W', k, k
    if w.shape[1] == 1 and x.shape[0] == w.shape[0] and k > 1:
        return np.einsum("chwij,cij->chw", win, w[:, 0])
    return np.einsum("chwij,ocij->ohw", win, w)


def bn(x: np.ndarray, sd: dict, name: str) -> np.ndarray:
    g, b = sd[f"{name}.weight"], sd[f"{name}.bias"]
    m, v = sd[f"{name}.running_mean"], sd[f"{name}.running_var"]
    return (x - m[:, None, None]) / np.sqrt(v[:, None, None] + 1e-5) * g[:, None, None] + b[:, None, None]


def relu6(x):
    return np.clip(x, 0, 6)


def forward(sd: dict, image_chw: np.ndarray) -> dict[str, np.ndarray]:
    x = relu6(bn(conv(image_chw.astype(np.float64), sd["features.0.0.weight"], 2), sd, "features.0.1"))
    out, idx, cin = {}, 1, 32
    for t, c, n, s in SETTINGS:
        for i in range(n):
            p, stride, y, j = f"features.{idx}.conv", (s if i == 0 else 1), x, 0
            if t != 1:
                y = relu6(bn(conv(y, sd[f"{p}.0.0.weight"]), sd, f"{p}.0.1"))
                j = 1
            y = relu6(bn(conv(y, sd[f"{p}.{j}.0.weight"], stride), sd, f"{p}.{j}.1"))
            y = bn(conv(y, sd[f"{p}.{j + 1}.weight"]), sd, f"{p}.{j + 2}")
            x = x + y if stride == 1 and cin == c else y
            out[f"block{idx}"] = x
            idx, cin = idx + 1, c
    x = relu6(bn(conv(x, sd["features.18.0.weight"]), sd, "features.18.1"))
    pooled = x.mean(axis=(1, 2))
    out["pooled"] = pooled
    out["logits"] = sd["classifier.1.weight"] @ pooled + sd["classifier.1.bias"]
    return out
