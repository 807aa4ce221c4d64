import math

import cv2
import numpy as np

from workbench.core.spec import node
from workbench.core.types import Regions, RegionSet
from workbench.nodes.regions._common import as_contour, axis_angle, check_regions


@node("cv.min_area_rect", name="Minimum Area Rectangle", category="Regions")
def min_area_rect(regions: Regions) -> Regions:
    """The smallest rotated rectangle around each region, as regions whose outlines are the boxes.

    Statistics: cx, cy, width (the long side), height (the short side), angle of the long side in
    degrees (counter-clockwise on screen, in (-90, 90]), area, and the original region's area as
    region_area.
    """
    regions = check_regions(regions)
    contours, rows = [], []
    for c in regions.contours:
        rect = cv2.minAreaRect(c)
        box = cv2.boxPoints(rect)  # 4 corners, consecutive
        e1, e2 = box[1] - box[0], box[2] - box[1]
        l1, l2 = float(np.hypot(*e1)), float(np.hypot(*e2))
        long_edge = e1 if l1 >= l2 else e2
        w, h = max(l1, l2), min(l1, l2)
        x, y, bw, bh = cv2.boundingRect(box.astype(np.float32))
        contours.append(as_contour(box))
        rows.append({"cx": float(rect[0][0]), "cy": float(rect[0][1]), "width": w, "height": h,
                     "angle": axis_angle(float(long_edge[0]), float(long_edge[1])),
                     "area": w * h, "perimeter": 2 * (w + h),
                     "region_area": float(abs(cv2.contourArea(c))),
                     "aspect_ratio": w / h if h > 0 else math.inf,
                     "x": float(x), "y": float(y), "w": float(bw), "h": float(bh)})
    return RegionSet(contours, rows, regions.image_shape)
