import cv2

from workbench.core.spec import node
from workbench.core.types import Mask


@node("cv.bitwise_not", name="Mask NOT", category="Arithmetic")
def bitwise_not(mask: Mask) -> Mask:
    """Inverts a mask: set pixels become clear and clear ones set."""
    return cv2.bitwise_not(mask)
