"""Shared helpers for the Codes family (not a node module)."""

from __future__ import annotations

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Roi
from workbench.core.types import DetectionSet


def gray_u8(image) -> np.ndarray:
    """Mono uint8 view for the decoders: colour -> gray; uint16/float32 are stretched min..max."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        raise NodeInputError(f"expected an image array, got {getattr(image, 'shape', type(image).__name__)}")
    if image.dtype not in (np.uint8, np.uint16, np.float32):
        raise NodeInputError(f"expected a uint8, uint16 or float32 image, got {image.dtype}")
    g = image
    if g.ndim == 3:
        g = g[:, :, 0] if g.shape[2] == 1 else cv2.cvtColor(
            g, cv2.COLOR_BGRA2GRAY if g.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
    g = np.ascontiguousarray(g)
    if g.dtype == np.uint8:
        return g
    return cv2.normalize(g, None, 0, 255, cv2.NORM_MINMAX, cv2.CV_8U)


def crop(gray: np.ndarray, roi: Roi | None) -> tuple[np.ndarray, tuple[int, int]]:
    """The ROI's bounding box (outside the ROI painted white, the usual quiet-zone colour)."""
    if roi is None:
        return gray, (0, 0)
    x, y, w, h = roi.bounds(gray.shape)
    if w == 0 or h == 0:
        raise NodeInputError("the ROI lies outside the image")
    part = gray[y:y + h, x:x + w].copy()
    outside = roi.mask(gray.shape)[y:y + h, x:x + w] == 0
    part[outside] = 255
    return part, (x, y)


def code_detections(polys: list[np.ndarray], labels: list[str], class_ids: list[int] | None = None) -> DetectionSet:
    n = len(polys)
    polys = [np.asarray(p, np.float32).reshape(-1, 2) for p in polys]
    boxes = np.array([[p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()] for p in polys],
                     np.float32).reshape(n, 4)
    return DetectionSet(boxes=boxes, scores=np.ones((n,), np.float32),
                        class_ids=np.asarray(class_ids if class_ids is not None else [0] * n, np.int32).reshape(n),
                        labels=list(labels), polygons=polys)
