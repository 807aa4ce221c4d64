import enum

import cv2

from workbench.core.spec import node
from workbench.core.types import Image, as_bgr, as_gray


class Conversion(enum.Enum):
    BGR2GRAY = "gray"
    GRAY2BGR = "bgr"
    BGR2RGB = "rgb"
    RGB2BGR = "rgb2bgr"
    BGR2HSV = "hsv"
    HSV2BGR = "hsv2bgr"
    BGR2LAB = "lab"
    LAB2BGR = "lab2bgr"


_CODES = {
    Conversion.BGR2RGB: cv2.COLOR_BGR2RGB, Conversion.RGB2BGR: cv2.COLOR_RGB2BGR,
    Conversion.BGR2HSV: cv2.COLOR_BGR2HSV, Conversion.HSV2BGR: cv2.COLOR_HSV2BGR,
    Conversion.BGR2LAB: cv2.COLOR_BGR2Lab, Conversion.LAB2BGR: cv2.COLOR_Lab2BGR,
}


@node("cv.convert_color", name="Convert Color", category="Color")
def convert_color(image: Image, conversion: Conversion = Conversion.BGR2GRAY) -> Image:
    """Converts between colour spaces. Mono input is expanded to BGR first where needed."""
    if conversion is Conversion.BGR2GRAY:
        return as_gray(image)
    if conversion is Conversion.GRAY2BGR:
        return as_bgr(image)
    return cv2.cvtColor(as_bgr(image), _CODES[conversion])
