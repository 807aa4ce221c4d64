import math
from typing import Annotated, NamedTuple

import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Measurements, MeasurementSet, Regions, RegionSet
from workbench.nodes.measure._common import Polarity, find_edges, gray_float, point_regions, sample

COORD = Range(-100_000, 100_000, 0.5)


class CircleGaugeOut(NamedTuple):
    measurements: Measurements
    circle: Regions
    points: Regions


def fit_circle(pts: np.ndarray) -> tuple[float, float, float]:
    """Least-squares (Kåsa) circle through points: cx, cy, r."""
    x, y = pts[:, 0], pts[:, 1]
    a = np.stack([x, y, np.ones_like(x)], 1)
    b = x * x + y * y
    (p, q, c), *_ = np.linalg.lstsq(a, b, rcond=None)
    cx, cy = p / 2, q / 2
    return float(cx), float(cy), float(math.sqrt(max(c + cx * cx + cy * cy, 0.0)))


@node("cv.circle_gauge", name="Circle Gauge", category="Measurement")
def circle_gauge(image: Image,
                 cx: Annotated[float, COORD, Help("approximate centre (px)")] = 32.0,
                 cy: Annotated[float, COORD] = 32.0,
                 radius: Annotated[float, Range(1, 100_000, 0.5), Help("approximate radius (px)")] = 16.0,
                 search: Annotated[float, Range(1, 10_000, 0.5), Help("rays run from radius ± search")] = 8.0,
                 rays: Annotated[int, Range(8, 3600, 1)] = 72,
                 sigma: Annotated[float, Range(0, 20, 0.1), Help("smoothing along each ray (px)")] = 1.0,
                 threshold: Annotated[float, Range(0, 255, 0.5), Help("min. edge contrast, grey levels/px")] = 10.0,
                 polarity: Annotated[Polarity, Help("rising = dark to light going outwards")] = Polarity.ANY,
                 ) -> CircleGaugeOut:
    """Fits a circle to the strongest edges on rays round an approximate circle: radius, diameter, centre, roundness.

    Roundness is the spread of the edge points' distances to the fitted centre (max - min, px);
    0 for a perfect circle. Points farther than 3x the median deviation are dropped before the final fit."""
    gray = gray_float(image)
    r0 = max(0.0, radius - search)
    n = int(math.ceil(radius + search - r0)) * 2 + 1
    t = np.linspace(r0, radius + search, n)
    step = t[1] - t[0]
    ang = np.arange(rays) * 2 * math.pi / rays
    xs = cx + np.cos(ang)[:, None] * t[None, :]
    ys = cy + np.sin(ang)[:, None] * t[None, :]
    prof = sample(gray, xs, ys)
    pts = []
    for k in range(rays):
        edges = find_edges(prof[k], sigma / step, threshold * step, polarity)
        if edges:
            e = max(edges, key=lambda e: abs(e.strength))
            d = r0 + e.position * step
            pts.append((cx + d * math.cos(ang[k]), cy + d * math.sin(ang[k])))
    if len(pts) < 3:
        raise NodeInputError(f"circle gauge found edges on only {len(pts)} of {rays} rays; "
                             "check centre, radius, search and threshold")
    p = np.array(pts, np.float64)
    fx, fy, fr = fit_circle(p)
    dev = np.hypot(p[:, 0] - fx, p[:, 1] - fy) - fr
    mad = float(np.median(np.abs(dev)))
    keep = np.abs(dev) <= max(3 * mad, 0.5)
    if keep.sum() >= 3 and not keep.all():
        p = p[keep]
        fx, fy, fr = fit_circle(p)
    d = np.hypot(p[:, 0] - fx, p[:, 1] - fy)
    m = MeasurementSet()
    m.add("radius", fr, "px").add("diameter", 2 * fr, "px").add("cx", fx, "px").add("cy", fy, "px")
    m.add("roundness", float(d.max() - d.min()), "px").add("points", len(p))
    m.add("rays_with_edge", len(pts))
    a = np.linspace(0, 2 * math.pi, 180, endpoint=False)
    contour = np.round(np.stack([fx + fr * np.cos(a), fy + fr * np.sin(a)], 1)).astype(np.int32)[:, None, :]
    circle = RegionSet([contour], [{"cx": fx, "cy": fy, "radius": fr, "area": math.pi * fr * fr,
                                    "x": fx - fr, "y": fy - fr, "w": 2 * fr, "h": 2 * fr}], tuple(image.shape[:2]))
    normals = [((x - fx) / max(r, 1e-9), (y - fy) / max(r, 1e-9)) for (x, y), r in zip(p, d)]
    points = point_regions([tuple(q) for q in p], normals, 3.0, [{"distance": float(r)} for r in d], image.shape)
    return CircleGaugeOut(m, circle, points)
