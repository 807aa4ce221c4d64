import enum
import math
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import NO_VALUE, Measurements, MeasurementSet, Regions, RegionSet
from workbench.nodes.regions._common import as_contour, check_regions, pick


class CircleFit(enum.Enum):
    LEAST_SQUARES = "least squares through the outline"
    MIN_ENCLOSING = "smallest enclosing circle"


class CircleOut(NamedTuple):
    circles: Regions
    measurements: Measurements


def _least_squares(pts: np.ndarray) -> tuple[float, float, float]:
    """Algebraic (Kåsa) circle fit: x² + y² + D x + E y + F = 0."""
    x, y = pts[:, 0], pts[:, 1]
    a = np.stack([x, y, np.ones_like(x)], 1)
    sol, *_ = np.linalg.lstsq(a, -(x * x + y * y), rcond=None)
    cx, cy = -sol[0] / 2, -sol[1] / 2
    return float(cx), float(cy), float(math.sqrt(max(cx * cx + cy * cy - sol[2], 0.0)))


@node("cv.fit_circle", name="Fit Circle", category="Regions")
def fit_circle(regions: Regions, method: CircleFit = CircleFit.LEAST_SQUARES,
               index: Annotated[int, Range(-1, 100000, 1),
                                Help("region whose circle is measured; -1 = the largest")] = -1) -> CircleOut:
    """A circle for each region (least squares through its outline, or the smallest enclosing one).

    Outputs the circles as polygons (stats cx, cy, r, rms) and the chosen region's cx, cy, radius,
    diameter and rms (distance of the outline points from the circle, px). Measurements is no
    value when there are no regions.
    """
    regions = check_regions(regions)
    contours, rows = [], []
    for c in regions.contours:
        pts = c.reshape(-1, 2).astype(np.float64)
        if method is CircleFit.MIN_ENCLOSING or len(pts) < 3:
            (cx, cy), r = cv2.minEnclosingCircle(c)
        else:
            cx, cy, r = _least_squares(pts)
        rms = float(np.sqrt(np.mean((np.hypot(pts[:, 0] - cx, pts[:, 1] - cy) - r) ** 2)))
        t = np.linspace(0, 2 * math.pi, max(16, min(360, int(2 * math.pi * r / 2))), endpoint=False)
        contours.append(as_contour(np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1)))
        rows.append({"cx": float(cx), "cy": float(cy), "r": float(r), "rms": rms,
                     "area": math.pi * r * r, "perimeter": 2 * math.pi * r})
    out = RegionSet(contours, rows, regions.image_shape)
    chosen = pick(regions, index)
    if chosen is None:
        return CircleOut(out, NO_VALUE)
    s = rows[chosen]
    m = MeasurementSet().add("count", len(rows)).add("cx", s["cx"], "px").add("cy", s["cy"], "px")
    m.add("radius", s["r"], "px").add("diameter", 2 * s["r"], "px").add("rms", s["rms"], "px")
    return CircleOut(out, m)
