from typing import Annotated

import cv2
import numpy as np

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image


@node("cv.median_blur", name="Median Blur", category="Filter")
def median_blur(image: Image, size: Annotated[int, Range(1, 255, 2),
    Help("odd window size in pixels; 1 passes through")] = 5) -> Image:
    """Replaces each pixel by the median of its size x size neighbourhood: removes salt-and-pepper noise, keeps edges.

    Works on uint8, uint16 and float32, gray or colour (per channel); sizes above 5 on
    uint16/float32 use a slower exact median.
    """
    if size % 2 == 0:
        raise ParamError(f"size must be odd, got {size}")
    if size == 1:
        return image
    if image.dtype == np.uint8 or size <= 5:
        return cv2.medianBlur(image, size)
    from scipy.ndimage import median_filter

    footprint = (size, size) if image.ndim == 2 else (size, size, 1)
    return median_filter(image, size=footprint, mode="mirror")
