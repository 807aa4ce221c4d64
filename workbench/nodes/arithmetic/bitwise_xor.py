import cv2

from workbench.core.spec import node
from workbench.core.types import Mask

from ._common import check_masks


@node("cv.bitwise_xor", name="Mask XOR", category="Arithmetic")
def bitwise_xor(a: Mask, b: Mask) -> Mask:
    """255 where exactly one of the masks is set (symmetric difference)."""
    check_masks(a, b)
    return cv2.bitwise_xor(a, b)
