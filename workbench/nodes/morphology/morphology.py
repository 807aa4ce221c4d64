import enum
from typing import Annotated

import cv2

from workbench.core.params import Range
from workbench.core.spec import node
from workbench.core.types import Mask


class MorphOp(enum.Enum):
    ERODE = cv2.MORPH_ERODE
    DILATE = cv2.MORPH_DILATE
    OPEN = cv2.MORPH_OPEN
    CLOSE = cv2.MORPH_CLOSE
    GRADIENT = cv2.MORPH_GRADIENT
    TOPHAT = cv2.MORPH_TOPHAT
    BLACKHAT = cv2.MORPH_BLACKHAT


class KernelShape(enum.Enum):
    RECT = cv2.MORPH_RECT
    ELLIPSE = cv2.MORPH_ELLIPSE
    CROSS = cv2.MORPH_CROSS


@node("cv.morphology", name="Morphology", category="Morphology")
def morphology(mask: Mask, operation: MorphOp = MorphOp.OPEN, shape: KernelShape = KernelShape.ELLIPSE,
               size: Annotated[int, Range(1, 201, 1)] = 5,
               iterations: Annotated[int, Range(1, 50, 1)] = 1) -> Mask:
    """Erode, dilate, open, close, gradient, top-hat or black-hat a mask with a kernel of given shape and size."""
    kernel = cv2.getStructuringElement(shape.value, (size, size))
    return cv2.morphologyEx(mask, operation.value, kernel, iterations=iterations)
