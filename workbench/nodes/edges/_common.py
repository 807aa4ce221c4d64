"""Shared helpers for the edge nodes: input preparation and output scaling."""

import enum

import cv2
import numpy as np

from workbench.core.types import as_gray


class DerivOutput(enum.Enum):
    """How a derivative image is returned."""

    FLOAT = "float32, signed"
    ABS_FLOAT = "float32, absolute value"
    ABS_UINT8 = "uint8, |value| · scale, saturated"


def gray_source(image: np.ndarray) -> np.ndarray:
    """Colour is converted to gray; uint8/uint16/float32 are kept (derivatives are computed in float32)."""
    return as_gray(image)


def finish(d: np.ndarray, output: DerivOutput, scale: float) -> np.ndarray:
    """Format a float32 derivative image as the chosen output."""
    if output is DerivOutput.FLOAT:
        return d.astype(np.float32, copy=False)
    if output is DerivOutput.ABS_FLOAT:
        return np.abs(d).astype(np.float32, copy=False)
    return cv2.convertScaleAbs(d, alpha=scale)
