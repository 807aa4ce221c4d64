from typing import Annotated

import cv2

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from ._common import Border, Interpolation, fill


@node("cv.affine_warp", name="Affine Warp", category="Geometry")
def affine_warp(image: Image,
                translate_x: Annotated[float, Range(-100000, 100000, 1), Help("pixels, + moves right")] = 0.0,
                translate_y: Annotated[float, Range(-100000, 100000, 1), Help("pixels, + moves down")] = 0.0,
                angle: Annotated[float, Range(-360.0, 360.0, 0.1),
                                 Help("degrees, counter-clockwise, about the centre")] = 0.0,
                scale: Annotated[float, Range(0.01, 100.0, 0.01), Help("about the image centre")] = 1.0,
                interpolation: Interpolation = Interpolation.LINEAR,
                border: Border = Border.CONSTANT,
                fill_value: Annotated[float, Range(-1e9, 1e9, 1),
                                      Help("constant border: value of uncovered pixels")] = 0.0
                ) -> Image:
    """Rotates and scales about the image centre, then translates; the output keeps the input size."""
    h, w = image.shape[:2]
    m = cv2.getRotationMatrix2D(((w - 1) / 2.0, (h - 1) / 2.0), angle, scale)
    m[0, 2] += translate_x
    m[1, 2] += translate_y
    return cv2.warpAffine(image, m, (w, h), flags=interpolation.value, borderMode=border.value,
                          borderValue=fill(image, fill_value))
