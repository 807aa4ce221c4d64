import cv2

from workbench.core.spec import node
from workbench.core.types import Mask

from ._common import check_masks


@node("cv.bitwise_or", name="Mask OR", category="Arithmetic")
def bitwise_or(a: Mask, b: Mask) -> Mask:
    """255 where either mask is set (union)."""
    check_masks(a, b)
    return cv2.bitwise_or(a, b)
