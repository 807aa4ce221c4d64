from typing import Annotated

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Roi
from workbench.core.spec import node
from workbench.core.types import Image


@node("cv.crop", name="Crop", category="Geometry")
def crop(image: Image, roi: Roi | None = None,
         clear_outside: Annotated[bool, Help("circle/polygon ROI: set pixels outside the shape to 0")] = False
         ) -> Image:
    """Cuts out the ROI's bounding box; a rotated rectangle is cut out upright (rotated to 0°).

    The box is clipped to the image; no ROI passes the whole image through. An ROI entirely
    outside the image is an error.
    """
    if roi is None:
        return image
    if roi.shape == "rotated_rect":
        cx, cy, w, h, angle = roi.values
        ow, oh = max(1, round(w)), max(1, round(h))
        # pixel i covers [i, i + 1): rotate about the centre in index coordinates, then move that
        # centre to the output's centre
        m = cv2.getRotationMatrix2D((cx - 0.5, cy - 0.5), angle, 1.0)
        m[0, 2] += (ow / 2.0 - 0.5) - (cx - 0.5)
        m[1, 2] += (oh / 2.0 - 0.5) - (cy - 0.5)
        x0, y0, bw, bh = roi.bounds(image.shape)
        if bw == 0 or bh == 0:
            raise NodeInputError(f"the ROI lies outside the {image.shape[1]}x{image.shape[0]} image: nothing to crop")
        return cv2.warpAffine(image, m, (ow, oh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    x, y, w, h = roi.bounds(image.shape)
    if w == 0 or h == 0:
        raise NodeInputError(f"the ROI lies outside the {image.shape[1]}x{image.shape[0]} image: nothing to crop")
    out = np.ascontiguousarray(image[y:y + h, x:x + w])
    if clear_outside and roi.shape in ("circle", "annulus", "polygon"):
        out = out.copy()
        out[roi.mask(image.shape)[y:y + h, x:x + w] == 0] = 0
    return out
