"""The items a for-each loops over (boxes from regions or detections) and what each item's inner
run gave (verdict, label, measurements). No Qt."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.types import (NO_VALUE, ClassificationResult, DetectionSet, MeasurementSet, RegionSet,
                                  VerdictResult, as_bgr, to_uint8)


@dataclass
class ItemResult:
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels
    ok: bool = True
    reasons: list[str] = field(default_factory=list)
    label: str = ""
    score: float = 1.0
    values: dict[str, float] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)


def boxes_of(regions: RegionSet | None, detections: DetectionSet | None, shape, padding: int) -> list[tuple]:
    """(x0, y0, x1, y1) per item, padded and clipped to the image; empty boxes are kept as 1 pixel."""
    if (regions is None) == (detections is None):
        raise NodeInputError("link either regions or detections (one of them) to loop over")
    h, w = shape[:2]
    raw = []
    if regions is not None:
        for c in regions.contours:
            x, y, bw, bh = cv2.boundingRect(np.asarray(c, np.int32))
            raw.append((x, y, x + bw, y + bh))
    else:
        raw = [tuple(float(v) for v in b) for b in np.asarray(detections.boxes, np.float32).reshape(-1, 4)]
    out = []
    for x0, y0, x1, y1 in raw:
        x0, y0 = int(np.floor(x0)) - padding, int(np.floor(y0)) - padding
        x1, y1 = int(np.ceil(x1)) + padding, int(np.ceil(y1)) + padding
        x0, y0 = min(max(x0, 0), w - 1), min(max(y0, 0), h - 1)
        out.append((x0, y0, max(x0 + 1, min(x1, w)), max(y0 + 1, min(y1, h))))
    return out


def read_outputs(item: ItemResult, outputs: dict[str, Any]) -> None:
    """Fill ``item`` from the inner graph's outputs, whatever their names: a verdict decides OK/NG,
    a classification gives the label, measurements and numbers become the item's values."""
    for name, value in outputs.items():
        if value is NO_VALUE or value is None:
            continue
        if isinstance(value, VerdictResult):
            item.ok = item.ok and value.ok
            item.reasons += list(value.reasons)
        elif isinstance(value, (bool, np.bool_)):
            item.ok = item.ok and bool(value)
            if not value:
                item.reasons.append(f"{name} is false")
        elif isinstance(value, ClassificationResult):
            item.label, item.score = value.label, float(value.score)
        elif isinstance(value, MeasurementSet):
            item.values.update(value.values)
            item.units.update(value.units)
        elif isinstance(value, (int, float, np.integer, np.floating)):
            item.values[name] = float(value)
        elif isinstance(value, str):
            item.label = value


def draw(image: np.ndarray, items: list[ItemResult]) -> np.ndarray:
    """The image with each item's box (green OK, red NG), its number and label."""
    out = as_bgr(to_uint8(image)).copy()
    thick = max(1, round(max(out.shape[:2]) / 400))
    for i, it in enumerate(items):
        colour = (60, 200, 60) if it.ok else (40, 40, 230)
        x0, y0, x1, y1 = it.box
        cv2.rectangle(out, (x0, y0), (x1 - 1, y1 - 1), colour, thick)
        text = f"{i}: {it.label or ('OK' if it.ok else 'NG')}"
        cv2.putText(out, text, (x0 + 2, max(12, y0 - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.4 * thick, colour, thick,
                    cv2.LINE_AA)
    return out


def as_detections(items: list[ItemResult]) -> DetectionSet:
    """The items as detections (class 0 OK, 1 NG), for the viewer's box overlay and downstream nodes."""
    n = len(items)
    return DetectionSet(boxes=np.array([it.box for it in items], np.float32).reshape(n, 4),
                        scores=np.array([it.score for it in items], np.float32),
                        class_ids=np.array([0 if it.ok else 1 for it in items], np.int32),
                        labels=[f"{i}: {it.label or ('OK' if it.ok else 'NG')}" for i, it in enumerate(items)])
