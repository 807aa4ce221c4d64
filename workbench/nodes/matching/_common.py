"""Shared helpers for the Matching family (not a node module).

Angle convention: degrees, counter-clockwise as seen on screen (y points down in the image).
"""

from __future__ import annotations

import enum

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.types import DetectionSet


def check_image(image, what: str = "image") -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
        raise NodeInputError(f"{what}: expected an image array, got {getattr(image, 'shape', type(image).__name__)}")
    if image.dtype not in (np.uint8, np.uint16, np.float32):
        raise NodeInputError(f"{what}: expected a uint8, uint16 or float32 image, got {image.dtype}")
    return image


def gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[:, :, 0]
    return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)


def gray_u8(image: np.ndarray) -> np.ndarray:
    """Mono uint8 view: colour -> gray; uint16/float32 are stretched min..max to 0..255."""
    g = np.ascontiguousarray(gray(image))
    if g.dtype == np.uint8:
        return g
    return cv2.normalize(g, None, 0, 255, cv2.NORM_MINMAX, cv2.CV_8U)


def float01(image: np.ndarray) -> np.ndarray:
    """float32 with the dtype's full range mapped to 0..1 (uint8 / 255, uint16 / 65535, float as is)."""
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    if image.dtype == np.uint16:
        return image.astype(np.float32) / 65535.0
    return image.astype(np.float32)


class Detector(enum.Enum):
    ORB = "ORB (fast, binary)"
    SIFT = "SIFT (scale/rotation robust, slower)"


def make_detector(detector: Detector, max_features: int):
    if detector is Detector.SIFT:
        return cv2.SIFT_create(nfeatures=max_features), cv2.NORM_L2
    return cv2.ORB_create(nfeatures=max_features), cv2.NORM_HAMMING


def detections(boxes, scores, labels, polygons=None) -> DetectionSet:
    n = len(scores)
    return DetectionSet(boxes=np.asarray(boxes, np.float32).reshape(n, 4),
                        scores=np.asarray(scores, np.float32).reshape(n),
                        class_ids=np.zeros((n,), np.int32), labels=list(labels),
                        polygons=None if polygons is None else [np.asarray(p, np.float32).reshape(-1, 2)
                                                                for p in polygons])
