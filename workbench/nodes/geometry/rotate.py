import math
from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from ._common import Interpolation, fill


@node("cv.rotate", name="Rotate", category="Geometry")
def rotate(image: Image,
           angle: Annotated[float, Range(-360.0, 360.0, 0.1),
                            Help("degrees, counter-clockwise as seen on screen")] = 90.0,
           expand: Annotated[bool, Help("grow the canvas so that nothing is cut off; off keeps the size")] = True,
           interpolation: Interpolation = Interpolation.LINEAR,
           fill_value: Annotated[float, Range(-1e9, 1e9, 1), Help("value of the uncovered corners")] = 0.0) -> Image:
    """Rotates the image about its centre, keeping its size or expanding the canvas to fit.

    Multiples of 90° with an expanded canvas are exact (no interpolation).
    """
    h, w = image.shape[:2]
    quarter = angle / 90.0
    if expand and quarter == int(quarter):
        k = int(quarter) % 4
        codes = {1: cv2.ROTATE_90_COUNTERCLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_CLOCKWISE}
        return image.copy() if k == 0 else cv2.rotate(image, codes[k])
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    m = cv2.getRotationMatrix2D((cx, cy), angle, 1.0)
    ow, oh = w, h
    if expand:
        c, s = abs(math.cos(math.radians(angle))), abs(math.sin(math.radians(angle)))
        ow, oh = int(math.ceil(w * c + h * s - 1e-6)), int(math.ceil(w * s + h * c - 1e-6))
        m[0, 2] += (ow - 1) / 2.0 - cx
        m[1, 2] += (oh - 1) / 2.0 - cy
    out = cv2.warpAffine(image, m, (ow, oh), flags=interpolation.value,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=fill(image, fill_value))
    return np.ascontiguousarray(out)
