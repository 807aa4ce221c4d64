"""Helpers shared by the colour nodes (not nodes themselves)."""

from __future__ import annotations

from typing import Callable

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.types import as_bgr, describe


def full_scale(dtype: np.dtype) -> float:
    """The white level of an image dtype: 255 (uint8), 65535 (uint16), 1.0 (float32)."""
    dtype = np.dtype(dtype)
    if dtype == np.uint8:
        return 255.0
    if dtype == np.uint16:
        return 65535.0
    if dtype == np.float32:
        return 1.0
    raise NodeInputError(f"expected a uint8, uint16 or float32 image, got {dtype}")


def is_color(image: np.ndarray) -> bool:
    return image.ndim == 3 and image.shape[2] >= 3


def to_float_bgr(image: np.ndarray) -> np.ndarray:
    """Colour image as float32 BGR in 0..1 (what cv2 expects for float colour conversions)."""
    bgr = as_bgr(image)
    return bgr.astype(np.float32) / np.float32(full_scale(bgr.dtype)) if bgr.dtype != np.float32 else bgr


def from_float(image: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Inverse of to_float_bgr: 0..1 float back to ``dtype`` (clipped, rounded)."""
    if np.dtype(dtype) == np.float32:
        return image.astype(np.float32)
    scale = full_scale(dtype)
    return np.clip(image * scale + 0.5, 0, scale).astype(dtype)


def apply_on_luminance(image: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Runs ``fn`` on a uint8 or uint16 single-channel luminance and returns an image of the input's
    dtype and channels. Gray: fn on the image itself (float32 is mapped 0..1 -> uint16 and back).
    Colour: fn on the L channel of Lab (8-bit Lab for uint8; for uint16/float32 L is taken from
    float Lab and carried as uint16), colour (a, b) unchanged."""
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        if image.dtype == np.float32:
            u16 = np.clip(image * 65535.0 + 0.5, 0, 65535).astype(np.uint16)
            return fn(u16).astype(np.float32) / np.float32(65535.0)
        if image.dtype in (np.uint8, np.uint16):
            return fn(image)
        raise NodeInputError(f"expected a uint8, uint16 or float32 image, got {describe(image)}")
    if image.dtype == np.uint8:
        lab = cv2.cvtColor(as_bgr(image), cv2.COLOR_BGR2Lab)
        lab[:, :, 0] = fn(np.ascontiguousarray(lab[:, :, 0]))
        return cv2.cvtColor(lab, cv2.COLOR_Lab2BGR)
    lab = cv2.cvtColor(to_float_bgr(image), cv2.COLOR_BGR2Lab)  # L in 0..100
    l16 = np.clip(lab[:, :, 0] * 655.35 + 0.5, 0, 65535).astype(np.uint16)
    lab[:, :, 0] = fn(l16).astype(np.float32) / np.float32(655.35)
    return from_float(cv2.cvtColor(lab, cv2.COLOR_Lab2BGR), image.dtype)
