"""Anomaly head (anomalib-style exports): anomaly map + optional image score -> normalised map, score, NG regions.

Outputs: the anomaly map is the float output with spatial size ([1, 1, H, W], [1, H, W] or [H, W]); the image
score is a float output with one value ([1], [1, 1]). Names decide first (``postprocess["map_output"]`` /
``["score_output"]``, else names containing "map" / "score"); boolean outputs (anomalib's pred_label /
pred_mask) are ignored. Without a score output the score is the maximum of the map.

Normalisation (``postprocess``): with ``min`` and ``max`` (anomalib's normalisation metadata) and a trained
threshold (``pixel_threshold`` for the map, ``image_threshold`` for the score, or ``threshold`` for both),
anomalib's min-max normalisation centred on the threshold: ``clip((x - t) / (max - min) + 0.5, 0, 1)`` —
the trained threshold lands on 0.5. With only min and max: ``clip((x - min) / (max - min), 0, 1)``. With
none of these the raw values are kept and the node's threshold is on the model's own scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from workbench.core.types import RegionSet
from workbench.inference.detection import _shape_text
from workbench.inference.model import ModelError
from workbench.inference.preprocess import Transform


@dataclass
class AnomalyResult:
    map: np.ndarray  # float32 H×W at the original size (normalised when the sidecar says how)
    score: float
    mask: np.ndarray  # uint8 0/255: map >= threshold
    regions: RegionSet = field(default_factory=RegionSet)
    normalized: bool = False


def _num(post: dict[str, Any], key: str) -> float | None:
    v = post.get(key)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def split_outputs(outputs: list[np.ndarray], names: list[str] | None = None, post: dict[str, Any] | None = None
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """(anomaly map H×W float32 at model resolution, score array or None)."""
    post = post or {}
    names = list(names or [f"output{i}" for i in range(len(outputs))])
    shapes = ", ".join(f"{n} {_shape_text(np.shape(o))}" for n, o in zip(names, outputs))
    items = [(n, np.asarray(o)) for n, o in zip(names, outputs) if np.asarray(o).dtype != np.bool_]

    def spatial(a: np.ndarray) -> bool:
        s = [d for d in a.shape if d != 1]
        return len(s) == 2

    def by_name(key: str, word: str, ok) -> np.ndarray | None:
        want = post.get(key)
        for n, a in items:
            if (want and n == want) or (not want and word in n.lower() and ok(a)):
                return a
        return None

    amap = by_name("map_output", "map", spatial)
    if amap is None:
        amap = next((a for _, a in items if spatial(a) and a.ndim >= 2), None)
    if amap is None:
        raise ModelError(f"anomaly head: expected an anomaly map [1, 1, H, W] or [1, H, W], got {shapes or 'none'}")
    score = by_name("score_output", "score", lambda a: a.size == 1)
    if score is None:
        score = next((a for _, a in items if a.size == 1), None)
    m = amap.reshape([d for d in amap.shape if d != 1]) if amap.ndim > 2 else amap
    return m.astype(np.float32, copy=False), score


def normalise(x: np.ndarray | float, post: dict[str, Any], which: str) -> tuple[np.ndarray | float, bool]:
    lo, hi = _num(post, "min"), _num(post, "max")
    if lo is None or hi is None or hi <= lo:
        return x, False
    t = _num(post, f"{which}_threshold")
    if t is None:
        t = _num(post, "threshold")
    if t is not None:
        return np.clip((np.asarray(x, np.float32) - t) / (hi - lo) + 0.5, 0.0, 1.0), True
    return np.clip((np.asarray(x, np.float32) - lo) / (hi - lo), 0.0, 1.0), True


def regions_of(mask: np.ndarray, amap: np.ndarray, min_area: float = 0.0) -> RegionSet:
    """Connected NG regions with area, centroid, box and the peak anomaly value inside each."""
    n, labels, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
    contours, rows = [], []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < min_area:
            continue
        crop = labels[y:y + h, x:x + w] == i
        cs, _ = cv2.findContours(crop.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE, offset=(x, y))
        contours.append(max(cs, key=len))
        rows.append({"area": float(area), "cx": float(cents[i][0]), "cy": float(cents[i][1]), "x": float(x),
                     "y": float(y), "w": float(w), "h": float(h),
                     "max_score": float(amap[y:y + h, x:x + w][crop].max())})
    return RegionSet(contours, rows, mask.shape[:2])


def decode_anomaly(outputs: list[np.ndarray], transform: Transform, post: dict[str, Any] | None = None,
                   threshold: float = 0.5, names: list[str] | None = None, min_area: float = 0.0) -> AnomalyResult:
    post = post or {}
    raw_map, raw_score = split_outputs(outputs, names, post)
    amap, normed = normalise(raw_map, post, "pixel")
    if raw_score is not None:
        score, _ = normalise(float(np.asarray(raw_score, np.float32).reshape(-1)[0]), post, "image")
    else:
        score = float(np.max(amap)) if amap.size else 0.0
    amap = np.asarray(amap, np.float32)
    if (amap.shape[1], amap.shape[0]) != (transform.input_w, transform.input_h):
        amap = cv2.resize(amap, (transform.input_w, transform.input_h), interpolation=cv2.INTER_LINEAR)
    full = np.ascontiguousarray(transform.map_to_original(amap, interpolation=cv2.INTER_LINEAR), np.float32)
    mask = np.where(full >= threshold, np.uint8(255), np.uint8(0))
    return AnomalyResult(full, float(score), mask, regions_of(mask, full, min_area), normed)
