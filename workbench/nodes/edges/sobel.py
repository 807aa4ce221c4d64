from typing import Annotated

import cv2

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from ._common import DerivOutput, finish, gray_source


@node("cv.sobel", name="Sobel", category="Edges")
def sobel(image: Image,
          dx: Annotated[int, Range(0, 3, 1), Help("order of the derivative in x")] = 1,
          dy: Annotated[int, Range(0, 3, 1), Help("order of the derivative in y")] = 0,
          ksize: Annotated[int, Range(1, 7, 2), Help("kernel size: 1, 3, 5 or 7")] = 3,
          output: DerivOutput = DerivOutput.ABS_UINT8,
          scale: Annotated[float, Range(0.0, 1000.0, 0.01), Help("multiplier for the uint8 output")] = 1.0) -> Image:
    """Sobel derivative of the given x/y order (colour is converted to gray), as float32 or |d| in uint8.

    dx=1, dy=0 finds vertical edges; dx=0, dy=1 horizontal ones; both non-zero is the mixed derivative.
    """
    if dx == 0 and dy == 0:
        raise ParamError("dx and dy are both 0: at least one derivative order must be positive")
    if ksize not in (1, 3, 5, 7):
        raise ParamError(f"ksize must be 1, 3, 5 or 7, got {ksize}")
    if max(dx, dy) >= ksize and ksize > 1 or (ksize == 1 and max(dx, dy) > 2):
        raise ParamError(f"derivative order {max(dx, dy)} is too high for ksize {ksize}")
    gray = gray_source(image)
    d = cv2.Sobel(gray, cv2.CV_32F, dx, dy, ksize=ksize)
    return finish(d, output, scale)
