from typing import Annotated

import cv2

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Regions, RegionSet
from workbench.nodes.regions._common import basic_stats, check_regions


@node("cv.approx_polygon", name="Approximate Polygon", category="Regions")
def approx_polygon(regions: Regions,
                   tolerance: Annotated[float, Range(0, 100, 0.1),
                                        Help("largest allowed deviation from the outline, "
                                             "in % of the region's perimeter")] = 2.0) -> Regions:
    """Simplifies each region's outline to a polygon with few corners (Douglas-Peucker); the stat
    corners counts them (a rectangle gives 4, a triangle 3)."""
    regions = check_regions(regions)
    contours, rows = [], []
    for c in regions.contours:
        eps = tolerance / 100.0 * cv2.arcLength(c, True)
        poly = cv2.approxPolyDP(c, eps, True)
        st = basic_stats(poly)
        st["corners"] = float(len(poly))
        st["convex"] = float(len(poly) >= 3 and cv2.isContourConvex(poly))
        contours.append(poly)
        rows.append(st)
    return RegionSet(contours, rows, regions.image_shape)
