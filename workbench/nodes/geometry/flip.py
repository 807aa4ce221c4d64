import enum

import cv2

from workbench.core.spec import node
from workbench.core.types import Image


class FlipMode(enum.Enum):
    HORIZONTAL = 1  # mirror left-right
    VERTICAL = 0  # mirror top-bottom
    BOTH = -1  # = rotation by 180°


@node("cv.flip", name="Flip", category="Geometry")
def flip(image: Image, mode: FlipMode = FlipMode.HORIZONTAL) -> Image:
    """Mirrors the image left-right (HORIZONTAL), top-bottom (VERTICAL) or both (a 180° turn)."""
    return cv2.flip(image, mode.value)
