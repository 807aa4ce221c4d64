import enum
from typing import NamedTuple

import cv2
import numpy as np

from workbench.core.spec import node
from workbench.core.types import Image

from ._common import gray_source


class Kernel(enum.Enum):
    SOBEL_3 = 3
    SOBEL_5 = 5
    SOBEL_7 = 7
    SCHARR = -1


class GradientOut(NamedTuple):
    magnitude: Image
    direction: Image


@node("cv.gradient", name="Gradient Magnitude and Direction", category="Edges")
def gradient(image: Image, kernel: Kernel = Kernel.SOBEL_3) -> GradientOut:
    """Per-pixel gradient magnitude and direction (float32 images).

    magnitude = √(gx² + gy²); direction in degrees 0..360, measured from +x towards +y
    (image y points down), pointing from dark to bright. Colour is converted to gray.
    """
    gray = gray_source(image)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=kernel.value)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=kernel.value)
    mag, ang = cv2.cartToPolar(gx, gy, angleInDegrees=True)
    return GradientOut(mag.astype(np.float32), ang.astype(np.float32))
