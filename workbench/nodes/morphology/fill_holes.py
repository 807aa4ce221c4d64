import cv2
import numpy as np

from workbench.core.spec import node
from workbench.core.types import Mask


@node("cv.fill_holes", name="Fill Holes", category="Morphology")
def fill_holes(mask: Mask) -> Mask:
    """Fills the background regions that do not touch the image border."""
    h, w = mask.shape
    padded = np.zeros((h + 2, w + 2), np.uint8)
    padded[1:-1, 1:-1] = mask
    flood = padded.copy()
    cv2.floodFill(flood, np.zeros((h + 4, w + 4), np.uint8), (0, 0), 255)
    holes = cv2.bitwise_not(flood)[1:-1, 1:-1]
    return cv2.bitwise_or(mask, holes)
