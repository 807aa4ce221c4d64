import cv2

from workbench.core.spec import node
from workbench.core.types import Image

from ._common import match_pair


@node("cv.subtract", name="Subtract", category="Arithmetic")
def subtract(a: Image, b: Image) -> Image:
    """Pixel-wise a − b; integer images clip at 0 (use Absolute Difference for both signs).

    Sizes must match. Gray is replicated to colour when the other input is colour; b is
    converted to a's dtype on the full scale (uint8 0..255, uint16 0..65535, float32 0..1).
    """
    a, b = match_pair(a, b)
    return cv2.subtract(a, b)
