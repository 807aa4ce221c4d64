"""Classification head: scores (softmax when the outputs are logits), top-k, labels."""

from __future__ import annotations

import numpy as np

from workbench.core.types import ClassificationResult
from workbench.inference.model import ModelError


def is_probability(v: np.ndarray) -> bool:
    return bool(v.min() >= -1e-6 and v.max() <= 1 + 1e-6 and abs(float(v.sum()) - 1.0) < 1e-3)


def softmax(v: np.ndarray) -> np.ndarray:
    e = np.exp(v - v.max())
    return e / e.sum()


def classify(output: np.ndarray, labels: list[str], top_k: int = 5, softmax_mode: str = "auto") -> ClassificationResult:
    """output: [1, C] (or [C]) scores. softmax_mode: auto (when not already probabilities) | always | never."""
    v = np.asarray(output, np.float32)
    if v.ndim == 2 and v.shape[0] == 1:
        v = v[0]
    if v.ndim != 1 or v.size == 0:
        raise ModelError(f"classification expects one output of shape [1, C], got {list(np.shape(output))}")
    if labels and len(labels) != v.size:
        raise ModelError(f"the model gives {v.size} classes but there are {len(labels)} labels")
    if softmax_mode == "always" or (softmax_mode == "auto" and not is_probability(v)):
        v = softmax(v)
    order = np.argsort(-v, kind="stable")[:max(1, top_k)]

    def name(i: int) -> str:
        return labels[i] if i < len(labels) else str(i)

    top = [(int(i), name(int(i)), float(v[i])) for i in order]
    return ClassificationResult(top[0][0], top[0][1], top[0][2], top)
