import enum
from typing import Annotated

import cv2

from workbench.core.params import Range
from workbench.core.spec import node
from workbench.core.types import Image


class Border(enum.Enum):
    REFLECT = cv2.BORDER_REFLECT_101
    REPLICATE = cv2.BORDER_REPLICATE
    CONSTANT = cv2.BORDER_CONSTANT


@node("cv.gaussian_blur", name="Gaussian Blur", category="Filter")
def gaussian_blur(image: Image, sigma: Annotated[float, Range(0.0, 50.0, 0.1)] = 1.0,
                  border: Border = Border.REFLECT) -> Image:
    """Smooths the image with a Gaussian kernel of the given sigma (pixels); 0 passes it through."""
    if sigma <= 0:
        return image
    return cv2.GaussianBlur(image, (0, 0), sigma, borderType=border.value)
