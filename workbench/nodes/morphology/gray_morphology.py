from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from workbench.nodes.morphology.morphology import KernelShape, MorphOp


@node("cv.gray_morphology", name="Gray Morphology", category="Morphology")
def gray_morphology(image: Image, operation: MorphOp = MorphOp.TOPHAT, shape: KernelShape = KernelShape.ELLIPSE,
                    size: Annotated[int, Range(1, 201, 1),
                        Help("kernel size in pixels; top-hat keeps bright details smaller than this")] = 15,
                    iterations: Annotated[int, Range(1, 50, 1)] = 1) -> Image:
    """Grayscale erode (local min), dilate (local max), open, close, gradient, top-hat or black-hat on an image.

    Works per channel on uint8, uint16 and float32. Top-hat (image minus opening) flattens uneven
    illumination under small bright parts; black-hat does the same for small dark parts.
    """
    kernel = cv2.getStructuringElement(shape.value, (int(size), int(size)))
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    return np.ascontiguousarray(cv2.morphologyEx(image, operation.value, kernel, iterations=int(iterations)))
