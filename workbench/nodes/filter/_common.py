"""Helpers shared by the filter nodes (not nodes themselves)."""

from __future__ import annotations

import enum

import cv2
import numpy as np

from workbench.nodes.color._common import full_scale

__all__ = ["Border", "full_scale", "to_dtype"]


class Border(enum.Enum):
    REFLECT = cv2.BORDER_REFLECT_101
    REPLICATE = cv2.BORDER_REPLICATE
    CONSTANT = cv2.BORDER_CONSTANT


def to_dtype(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Float results back to an image dtype: integers are rounded and clipped to their range,
    float32 is left unclipped."""
    dtype = np.dtype(dtype)
    if dtype == np.float32:
        return values.astype(np.float32)
    return np.clip(np.rint(values), 0, full_scale(dtype)).astype(dtype)
