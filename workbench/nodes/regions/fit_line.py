import enum
from typing import NamedTuple

import cv2
import numpy as np

from workbench.core.spec import node
from workbench.core.types import NO_VALUE, Measurements, MeasurementSet, Regions, RegionSet
from workbench.nodes.regions._common import as_contour, axis_angle, check_regions


class LineDistance(enum.Enum):
    L2 = cv2.DIST_L2
    L1 = cv2.DIST_L1
    HUBER = cv2.DIST_HUBER
    FAIR = cv2.DIST_FAIR
    WELSCH = cv2.DIST_WELSCH


class LineOut(NamedTuple):
    line: Regions
    measurements: Measurements


@node("cv.fit_line", name="Fit Line", category="Regions")
def fit_line(regions: Regions, distance: LineDistance = LineDistance.HUBER) -> LineOut:
    """A straight line fitted to the outline points of all regions (robust distances downweight
    outliers).

    Measurements: vx, vy (unit direction), x0, y0 (a point on the line), angle (degrees,
    counter-clockwise on screen, in (-90, 90]), rms distance of the points (px) and points. The
    line output is one region: the segment covering the points. Both are no value without points.
    """
    regions = check_regions(regions)
    pts = [c.reshape(-1, 2) for c in regions.contours if len(c)]
    if not pts or sum(len(p) for p in pts) < 2:
        return LineOut(RegionSet([], [], regions.image_shape), NO_VALUE)
    p = np.concatenate(pts).astype(np.float32)
    vx, vy, x0, y0 = (float(v) for v in cv2.fitLine(p, distance.value, 0, 0.01, 0.01).ravel())
    if vx < 0 or (vx == 0 and vy < 0):  # one direction for a given line
        vx, vy = -vx, -vy
    d = p.astype(np.float64) - (x0, y0)
    along = d[:, 0] * vx + d[:, 1] * vy
    across = -d[:, 0] * vy + d[:, 1] * vx
    a, b = along.min(), along.max()
    seg = np.array([[x0 + a * vx, y0 + a * vy], [x0 + b * vx, y0 + b * vy]])
    angle = axis_angle(vx, vy)
    rms = float(np.sqrt(np.mean(across ** 2)))
    m = MeasurementSet().add("vx", vx).add("vy", vy).add("x0", x0, "px").add("y0", y0, "px")
    m.add("angle", angle, "°").add("rms", rms, "px").add("points", len(p))
    st = {"x1": seg[0, 0], "y1": seg[0, 1], "x2": seg[1, 0], "y2": seg[1, 1], "length": float(b - a),
          "angle": angle, "cx": float(seg[:, 0].mean()), "cy": float(seg[:, 1].mean())}
    return LineOut(RegionSet([as_contour(seg)], [{k: float(v) for k, v in st.items()}], regions.image_shape), m)
