import math
from typing import Annotated

import cv2
import numpy as np

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import Image

from ._common import Interpolation


def order_quad(pts: np.ndarray) -> np.ndarray:
    """The 4 corners ordered top-left, top-right, bottom-right, bottom-left (clockwise on screen)."""
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # clockwise on screen (y down), starting anywhere
    start = int(np.argmin(pts[:, 0] + pts[:, 1]))
    return np.roll(pts, -start, axis=0).astype(np.float32)


@node("cv.perspective_warp", name="Perspective Warp", category="Geometry")
def perspective_warp(image: Image,
                     roi: Annotated[Roi | None, Help("a polygon with exactly 4 corners (any order)")] = None,
                     width: Annotated[int, Range(0, 100000, 1),
                                      Help("output pixels; 0 = the quad's mean top/bottom length")] = 0,
                     height: Annotated[int, Range(0, 100000, 1),
                                       Help("output pixels; 0 = the quad's mean left/right length")] = 0,
                     interpolation: Interpolation = Interpolation.LINEAR) -> Image:
    """Maps a 4-corner quadrilateral (a polygon ROI) onto an upright width x height rectangle.

    Corners may be drawn in any order: the top-left one (smallest x + y) maps to the output's
    top-left, and the rest follow clockwise.
    """
    if roi is None or roi.shape != "polygon":
        got = "no ROI" if roi is None else f"a {roi.shape} ROI"
        raise ParamError(f"roi: draw a polygon with exactly 4 corners (got {got})")
    pts = roi.points()
    if len(pts) != 4:
        raise ParamError(f"roi: the polygon needs exactly 4 corners, it has {len(pts)}")
    src = order_quad(pts)
    tl, tr, br, bl = src
    ow = width or max(1, round((math.dist(tl, tr) + math.dist(bl, br)) / 2))
    oh = height or max(1, round((math.dist(tl, bl) + math.dist(tr, br)) / 2))
    dst = np.array([[0, 0], [ow - 1, 0], [ow - 1, oh - 1], [0, oh - 1]], np.float32)
    if abs(cv2.contourArea(src)) < 1.0:
        raise ParamError("roi: the 4 corners are (nearly) collinear")
    m = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(image, m, (ow, oh), flags=interpolation.value, borderMode=cv2.BORDER_CONSTANT)
