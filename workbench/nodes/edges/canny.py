import enum
from typing import Annotated

import cv2
import numpy as np

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Mask, as_gray, to_uint8


class Aperture(enum.Enum):
    K3 = 3
    K5 = 5
    K7 = 7


@node("cv.canny", name="Canny Edges", category="Edges")
def canny(image: Image,
          low: Annotated[float, Range(0, 10000, 1),
                         Help("hysteresis: weaker edges kept only if linked to strong ones")] = 50,
          high: Annotated[float, Range(0, 10000, 1), Help("hysteresis: gradients above it start an edge")] = 150,
          aperture: Aperture = Aperture.K3,
          l2_gradient: Annotated[bool, Help("exact √(dx²+dy²) magnitude instead of |dx|+|dy|")] = False) -> Mask:
    """Thin edge pixels found by the Canny detector (255 = edge).

    Colour is converted to gray. 16-bit and float images are first scaled to 8 bits
    (uint16 >> 8; float32 taken as 0..1), so the thresholds are always on the 0..255 scale.
    """
    if low > high:
        raise ParamError(f"low threshold ({low:g}) must not exceed high threshold ({high:g})")
    g8 = np.ascontiguousarray(to_uint8(as_gray(image)))
    return cv2.Canny(g8, low, high, apertureSize=aperture.value, L2gradient=l2_gradient)
