from typing import Annotated, NamedTuple

import cv2

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import NO_VALUE, Measurements, MeasurementSet, Regions, RegionSet
from workbench.nodes.regions._common import as_contour, axis_angle, check_regions, pick


class EllipseOut(NamedTuple):
    ellipses: Regions
    measurements: Measurements


@node("cv.fit_ellipse", name="Fit Ellipse", category="Regions")
def fit_ellipse(regions: Regions,
                index: Annotated[int, Range(-1, 100000, 1),
                                 Help("region whose ellipse is measured; -1 = the largest")] = -1) -> EllipseOut:
    """Least-squares ellipse through the outline of each region (needs 5 points or more).

    Outputs the ellipses as polygons (stats cx, cy, major, minor, angle) and the measurements of
    the chosen region's ellipse: cx, cy, major and minor axis lengths (full lengths, px), angle of
    the major axis (degrees, counter-clockwise on screen, in (-90, 90]) and count. Measurements is
    no value when no region has an ellipse.
    """
    regions = check_regions(regions)
    contours, rows, source = [], [], []
    for i, c in enumerate(regions.contours):
        if len(c) < 5:
            continue
        (cx, cy), (d1, d2), ang = cv2.fitEllipse(c)
        if not (d1 > 0 and d2 > 0):
            continue
        poly = cv2.ellipse2Poly((round(cx), round(cy)), (max(1, round(d1 / 2)), max(1, round(d2 / 2))),
                                round(ang), 0, 360, 5)
        # OpenCV's angle rotates the first axis (d1) clockwise on screen from the x axis
        rad_dx, rad_dy = cv2.polarToCart(1.0, ang, angleInDegrees=True)
        dx, dy = float(rad_dx[0][0]), float(rad_dy[0][0])
        if d2 > d1:  # major axis is the second one, perpendicular
            dx, dy = -dy, dx
        contours.append(as_contour(poly))
        rows.append({"cx": cx, "cy": cy, "major": max(d1, d2), "minor": min(d1, d2),
                     "angle": axis_angle(dx, dy), "area": 3.141592653589793 * d1 * d2 / 4})
        source.append(i)
    out = RegionSet(contours, rows, regions.image_shape)
    chosen = pick(regions, index)
    if chosen is None or chosen not in source:
        return EllipseOut(out, NO_VALUE)
    r = rows[source.index(chosen)]
    m = MeasurementSet().add("count", len(rows)).add("cx", r["cx"], "px").add("cy", r["cy"], "px")
    m.add("major", r["major"], "px").add("minor", r["minor"], "px").add("angle", r["angle"], "°")
    return EllipseOut(out, m)


