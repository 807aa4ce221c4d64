from typing import Annotated

import cv2

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from ._common import DerivOutput, finish, gray_source


@node("cv.laplacian", name="Laplacian", category="Edges")
def laplacian(image: Image,
              ksize: Annotated[int, Range(1, 31, 2), Help("aperture: 1 (3x3 cross) or an odd size up to 31")] = 3,
              output: DerivOutput = DerivOutput.ABS_UINT8,
              scale: Annotated[float, Range(0.0, 1000.0, 0.01),
                               Help("multiplier for the uint8 output")] = 1.0) -> Image:
    """Second-derivative (d²/dx² + d²/dy²) response: strong on both sides of an edge, zero on flat areas.

    Colour is converted to gray; the result is float32 or |value| in uint8 (see output).
    """
    if ksize % 2 == 0:
        raise ParamError(f"ksize must be odd, got {ksize}")
    d = cv2.Laplacian(gray_source(image), cv2.CV_32F, ksize=ksize)
    return finish(d, output, scale)
