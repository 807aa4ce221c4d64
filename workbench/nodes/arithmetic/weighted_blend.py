from typing import Annotated

import cv2

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from ._common import match_pair


@node("cv.weighted_blend", name="Weighted Blend", category="Arithmetic")
def weighted_blend(a: Image, b: Image,
                   alpha: Annotated[float, Range(-100.0, 100.0, 0.05), Help("weight of a")] = 0.5,
                   beta: Annotated[float, Range(-100.0, 100.0, 0.05), Help("weight of b")] = 0.5,
                   gamma: Annotated[float, Range(-1e6, 1e6, 1),
                                    Help("added to every pixel, in a's units")] = 0.0) -> Image:
    """alpha·a + beta·b + gamma per pixel, saturated to a's dtype (a cross-fade when alpha + beta = 1).

    Sizes must match. Gray is replicated to colour when the other input is colour; b is
    converted to a's dtype on the full scale (uint8 0..255, uint16 0..65535, float32 0..1).
    """
    a, b = match_pair(a, b)
    return cv2.addWeighted(a, alpha, b, beta, gamma)
