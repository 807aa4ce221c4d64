import cv2

from workbench.core.spec import node
from workbench.core.types import Mask

from ._common import check_masks


@node("cv.bitwise_and", name="Mask AND", category="Arithmetic")
def bitwise_and(a: Mask, b: Mask) -> Mask:
    """255 where both masks are set (intersection)."""
    check_masks(a, b)
    return cv2.bitwise_and(a, b)
