import enum

import cv2
import numpy as np

from workbench.core.spec import node
from workbench.core.types import Mask


class SkeletonMethod(enum.Enum):
    THINNING = "thinning"
    MORPHOLOGICAL = "morphological"


def _zhang_suen(fg: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a 0/1 image, vectorised: peels border pixels until a 1-px, connected line is left."""
    img = np.pad(fg.astype(np.uint8), 1)
    while True:
        changed = False
        for step in (0, 1):
            p = img
            n = [p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:], p[2:, 2:], p[2:, 1:-1], p[2:, :-2], p[1:-1, :-2], p[:-2, :-2]]
            c = p[1:-1, 1:-1]
            b = sum(x.astype(np.int32) for x in n)
            a = sum(((n[i] == 0) & (n[(i + 1) % 8] == 1)).astype(np.int32) for i in range(8))
            p2, p4, p6, p8 = n[0], n[2], n[4], n[6]
            if step == 0:
                cond = (p2 * p4 * p6 == 0) & (p4 * p6 * p8 == 0)
            else:
                cond = (p2 * p4 * p8 == 0) & (p2 * p6 * p8 == 0)
            remove = (c == 1) & (b >= 2) & (b <= 6) & (a == 1) & cond
            if remove.any():
                changed = True
                img[1:-1, 1:-1][remove] = 0
        if not changed:
            return img[1:-1, 1:-1]


def _morphological(fg: np.ndarray) -> np.ndarray:
    """Lantuejoul's skeleton: union over k of erode^k(X) minus its opening."""
    kernel = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    img, skel = fg.copy(), np.zeros_like(fg)
    while img.any():
        skel |= img & ~cv2.morphologyEx(img, cv2.MORPH_OPEN, kernel)
        img = cv2.erode(img, kernel)
    return skel


@node("cv.skeleton", name="Skeleton", category="Morphology")
def skeleton(mask: Mask,
             method: SkeletonMethod = SkeletonMethod.THINNING) -> Mask:
    """Reduces each shape of a mask to a one-pixel-wide centre line (its skeleton).

    THINNING (Zhang-Suen) keeps lines connected and is best for measuring length or finding
    branches; MORPHOLOGICAL (erode/open) is faster on large blobs but may leave gaps.
    """
    fg = (mask > 0).astype(np.uint8)
    out = _zhang_suen(fg) if method is SkeletonMethod.THINNING else _morphological(fg)
    return (out > 0).astype(np.uint8) * np.uint8(255)
