import enum
from typing import Annotated

import cv2

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from ._common import DerivOutput, finish, gray_source


class Direction(enum.Enum):
    X = "x (vertical edges)"
    Y = "y (horizontal edges)"


@node("cv.scharr", name="Scharr", category="Edges")
def scharr(image: Image, direction: Direction = Direction.X,
           output: DerivOutput = DerivOutput.ABS_UINT8,
           scale: Annotated[float, Range(0.0, 1000.0, 0.01), Help("multiplier for the uint8 output")] = 1.0) -> Image:
    """First derivative with the 3x3 Scharr kernel, more rotation-accurate than a 3x3 Sobel.

    Colour is converted to gray; the result is float32 or |d| in uint8 (see output).
    """
    dx, dy = (1, 0) if direction is Direction.X else (0, 1)
    d = cv2.Scharr(gray_source(image), cv2.CV_32F, dx, dy)
    return finish(d, output, scale)
