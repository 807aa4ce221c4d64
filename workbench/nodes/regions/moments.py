import math
from typing import Annotated

import cv2

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import NO_VALUE, Measurements, MeasurementSet, Regions
from workbench.nodes.regions._common import axis_angle, check_regions, pick


@node("cv.moments", name="Moments", category="Regions")
def moments(regions: Regions,
            index: Annotated[int, Range(-1, 100000, 1), Help("region to measure; -1 = the largest")] = -1
            ) -> Measurements:
    """Centroid, area, orientation and the seven Hu invariant moments of one region (the largest
    by default).

    Measurements: cx, cy, area (px²), angle of the principal axis (degrees, counter-clockwise on
    screen), eccentricity (0 = round, 1 = a line) and hu1..hu7. No value when there are no regions.
    """
    regions = check_regions(regions)
    i = pick(regions, index)
    if i is None:
        return NO_VALUE
    mo = cv2.moments(regions.contours[i])
    m = MeasurementSet()
    if mo["m00"] == 0:  # a line or a point: centroid of the points, no orientation
        p = regions.contours[i].reshape(-1, 2)
        m.add("cx", float(p[:, 0].mean()), "px").add("cy", float(p[:, 1].mean()), "px").add("area", 0.0, "px²")
        m.add("angle", 0.0, "°").add("eccentricity", 1.0)
    else:
        mu20, mu02, mu11 = mo["mu20"] / mo["m00"], mo["mu02"] / mo["m00"], mo["mu11"] / mo["m00"]
        theta = 0.5 * math.atan2(2 * mu11, mu20 - mu02)  # principal axis, pixel coordinates
        common = math.sqrt(4 * mu11 * mu11 + (mu20 - mu02) ** 2)
        l1, l2 = (mu20 + mu02 + common) / 2, (mu20 + mu02 - common) / 2
        m.add("cx", mo["m10"] / mo["m00"], "px").add("cy", mo["m01"] / mo["m00"], "px")
        m.add("area", abs(mo["m00"]), "px²")
        m.add("angle", axis_angle(math.cos(theta), math.sin(theta)), "°")
        m.add("eccentricity", math.sqrt(max(0.0, 1 - l2 / l1)) if l1 > 0 else 0.0)
    for k, h in enumerate(cv2.HuMoments(mo).ravel(), 1):
        m.add(f"hu{k}", float(h))
    return m
