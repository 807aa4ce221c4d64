import enum

import cv2
import numpy as np

from workbench.core.spec import node
from workbench.core.types import Image, as_bgr, as_gray

from workbench.nodes.color._common import to_float_bgr


class Channel(enum.Enum):
    BLUE = ("bgr", 0)
    GREEN = ("bgr", 1)
    RED = ("bgr", 2)
    HUE = ("hsv", 0)
    SATURATION = ("hsv", 1)
    VALUE = ("hsv", 2)
    LAB_L = ("lab", 0)
    LAB_A = ("lab", 1)
    LAB_B = ("lab", 2)
    GRAY = ("gray", 0)


_CODES = {"hsv": cv2.COLOR_BGR2HSV, "lab": cv2.COLOR_BGR2Lab}


@node("cv.extract_channel", name="Extract Channel", category="Color")
def extract_channel(image: Image, channel: Channel = Channel.GRAY) -> Image:
    """Extracts one channel (B, G, R, HSV hue/saturation/value, Lab L/a/b or gray) as a mono image.

    uint8 input gives OpenCV's 8-bit encodings (hue 0-179, L/a/b scaled to 0-255). HSV and Lab of
    uint16/float32 input are computed in float and returned as float32 in OpenCV's float units
    (hue 0-360 degrees, S and V 0-1, L 0-100, a and b about -127..127).
    """
    space, index = channel.value
    if space == "gray":
        return as_gray(image)
    bgr = as_bgr(image)
    if space == "bgr":
        return np.ascontiguousarray(bgr[:, :, index])
    src = bgr if bgr.dtype == np.uint8 else to_float_bgr(bgr)
    return np.ascontiguousarray(cv2.cvtColor(src, _CODES[space])[:, :, index])
