import cv2

from workbench.core.spec import node
from workbench.core.types import Image

from ._common import match_pair


@node("cv.add", name="Add", category="Arithmetic")
def add(a: Image, b: Image) -> Image:
    """Pixel-wise a + b, saturated at the type's maximum (uint8 255, uint16 65535; float32 unbounded).

    Sizes must match. Gray is replicated to colour when the other input is colour; b is
    converted to a's dtype on the full scale (uint8 0..255, uint16 0..65535, float32 0..1).
    """
    a, b = match_pair(a, b)
    return cv2.add(a, b)
