import enum
from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import ActiveWhen, DepthRange, Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Mask, as_gray


class ThresholdMode(enum.Enum):
    FIXED = "fixed"
    OTSU = "otsu"
    TRIANGLE = "triangle"
    ADAPTIVE_MEAN = "adaptive_mean"
    ADAPTIVE_GAUSSIAN = "adaptive_gaussian"


_ADAPTIVE = ("ADAPTIVE_MEAN", "ADAPTIVE_GAUSSIAN")


def _to_u8(gray: np.ndarray) -> np.ndarray:
    if gray.dtype == np.uint8:
        return gray
    return cv2.normalize(gray, None, 0, 255, cv2.NORM_MINMAX, cv2.CV_8U)


@node("cv.threshold", name="Threshold", category="Segmentation")
def threshold(image: Image, mode: ThresholdMode = ThresholdMode.OTSU,
              value: Annotated[float, Range(0, 65535, 1), DepthRange(), ActiveWhen("mode", "FIXED"),
                               Help("fixed mode: pixels above it are set")] = 128,
              block_size: Annotated[int, Range(3, 1001, 2), ActiveWhen("mode", *_ADAPTIVE),
                                    Help("adaptive: neighbourhood size (odd)")] = 51,
              c: Annotated[float, Range(-255, 255, 1), ActiveWhen("mode", *_ADAPTIVE),
                           Help("adaptive: subtracted from the local mean")] = 5,
              invert: bool = False) -> Mask:
    """Turns an image into a binary mask (255 = foreground): fixed, Otsu, triangle or adaptive."""
    gray = as_gray(image)
    if mode is ThresholdMode.FIXED:
        mask = np.where(gray > value, np.uint8(255), np.uint8(0)) if gray.dtype != np.uint8 else \
            cv2.threshold(gray, min(value, 255), 255, cv2.THRESH_BINARY)[1]
        return cv2.bitwise_not(mask) if invert else mask
    g8 = _to_u8(gray)
    typ = cv2.THRESH_BINARY_INV if invert else cv2.THRESH_BINARY
    if mode is ThresholdMode.OTSU:
        return cv2.threshold(g8, 0, 255, typ | cv2.THRESH_OTSU)[1]
    if mode is ThresholdMode.TRIANGLE:
        return cv2.threshold(g8, 0, 255, typ | cv2.THRESH_TRIANGLE)[1]
    block = block_size if block_size % 2 else block_size + 1
    method = cv2.ADAPTIVE_THRESH_MEAN_C if mode is ThresholdMode.ADAPTIVE_MEAN else cv2.ADAPTIVE_THRESH_GAUSSIAN_C
    return cv2.adaptiveThreshold(g8, 255, method, typ, block, c)
