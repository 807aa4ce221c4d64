import enum
from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Mask, as_bgr, to_uint8


class ColorSpace(enum.Enum):
    HSV = cv2.COLOR_BGR2HSV
    BGR = -1
    LAB = cv2.COLOR_BGR2Lab


_LEVEL = Range(0, 255, 1)


@node("cv.in_range", name="Color Range", category="Segmentation")
def in_range(image: Image, space: ColorSpace = ColorSpace.HSV,
             min_1: Annotated[int, _LEVEL, Help("lower bound of channel 1: H (HSV, 0-179), B (BGR) or L (Lab)")] = 0,
             max_1: Annotated[int, _LEVEL,
                 Help("upper bound of channel 1; for hue, min above max wraps through red")] = 179,
             min_2: Annotated[int, _LEVEL, Help("lower bound of channel 2: S (HSV), G (BGR) or a (Lab)")] = 80,
             max_2: Annotated[int, _LEVEL, Help("upper bound of channel 2")] = 255,
             min_3: Annotated[int, _LEVEL, Help("lower bound of channel 3: V (HSV), R (BGR) or b (Lab)")] = 40,
             max_3: Annotated[int, _LEVEL, Help("upper bound of channel 3")] = 255,
             invert: bool = False) -> Mask:
    """Selects pixels whose colour lies inside a box of channel ranges (colour picking), as a mask.

    Bounds are OpenCV 8-bit units: HSV hue 0-179 (degrees / 2), S and V 0-255, Lab L/a/b 0-255
    (a and b centred on 128). In HSV, a hue minimum above the maximum selects the wrap-around
    (e.g. 170..10 for red). uint16 and float32 images are converted to 8-bit first; gray images
    are treated as colourless BGR. The default keeps saturated, not-too-dark colours.
    """
    bgr = to_uint8(as_bgr(image))
    px = bgr if space is ColorSpace.BGR else cv2.cvtColor(bgr, space.value)
    lo = np.array([min_1, min_2, min_3], np.uint8)
    hi = np.array([max_1, max_2, max_3], np.uint8)
    if space is ColorSpace.HSV and min_1 > max_1:
        a = cv2.inRange(px, lo, np.array([255, max_2, max_3], np.uint8))
        b = cv2.inRange(px, np.array([0, min_2, min_3], np.uint8), hi)
        mask = cv2.bitwise_or(a, b)
    else:
        mask = cv2.inRange(px, lo, hi)
    return cv2.bitwise_not(mask) if invert else mask
