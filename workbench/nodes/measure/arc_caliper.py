import math
from typing import Annotated, NamedTuple

import numpy as np

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Measurements, MeasurementSet, Regions
from workbench.nodes.measure._common import (EdgeMode, Polarity, band_profile, detect, gray_float,
                                             point_regions)

COORD = Range(-100_000, 100_000, 0.5)
ANGLE = Range(-720, 720, 1)


class ArcCaliperOut(NamedTuple):
    measurements: Measurements
    edges: Regions


@node("cv.arc_caliper", name="Arc Caliper", category="Measurement")
def arc_caliper(image: Image,
                cx: Annotated[float, COORD, Help("arc centre (px)")] = 32.0,
                cy: Annotated[float, COORD] = 32.0,
                radius: Annotated[float, Range(1, 100_000, 0.5)] = 20.0,
                start_angle: Annotated[float, ANGLE, Help("degrees; 0 = right, 90 = down (image y)")] = 0.0,
                end_angle: Annotated[float, ANGLE, Help("degrees; smaller than start walks backwards")] = 360.0,
                width: Annotated[int, Range(1, 500, 1), Help("radial profile width (px), averaged")] = 5,
                sigma: Annotated[float, Range(0, 20, 0.1), Help("smoothing along the arc (px)")] = 1.0,
                threshold: Annotated[float, Range(0, 255, 0.5), Help("min. edge contrast, grey levels/px")] = 10.0,
                polarity: Annotated[Polarity, Help("rising = dark to light walking the arc")] = Polarity.ANY,
                mode: EdgeMode = EdgeMode.ALL) -> ArcCaliperOut:
    """Finds edges along a circular arc (e.g. teeth or notches on a round part): positions as arc length and angle.

    Measurements: edge_count, position_<i> (px of arc from the start), angle_<i> (°), and in pairs
    mode pair_count, width_<i> (px of arc) and width (mean). Regions: a radial segment per edge."""
    sweep = math.radians(end_angle - start_angle)
    length = abs(sweep) * radius
    if length < 2:
        raise ParamError("arc is shorter than 2 px: increase the radius or the angle range")
    gray = gray_float(image)
    n = int(math.floor(length)) + 1
    theta = math.radians(start_angle) + np.linspace(0.0, sweep, n)
    c, s = np.cos(theta).astype(np.float32), np.sin(theta).astype(np.float32)
    profile = band_profile(gray, cx + radius * c, cy + radius * s, c, s, width)
    step = length / (n - 1)
    kept, pairs = detect(profile, sigma, threshold, polarity, mode)
    m = MeasurementSet().add("edge_count", len(kept))
    pts, normals, extra = [], [], []
    for i, e in enumerate(kept):
        a = math.radians(start_angle) + sweep * e.position / (n - 1)
        m.add(f"position_{i}", e.position * step, "px")
        m.add(f"angle_{i}", math.degrees(a), "°")
        pts.append((cx + radius * math.cos(a), cy + radius * math.sin(a)))
        normals.append((math.cos(a), math.sin(a)))
        extra.append({"position": e.position * step, "angle": math.degrees(a), "strength": e.strength,
                      "polarity": float(e.polarity)})
    if mode is EdgeMode.PAIRS:
        widths = [(b.position - a.position) * step for a, b in pairs]
        m.add("pair_count", len(pairs))
        for i, w in enumerate(widths):
            m.add(f"width_{i}", w, "px")
        if widths:
            m.add("width", sum(widths) / len(widths), "px")
    return ArcCaliperOut(m, point_regions(pts, normals, max(3.0, width / 2), extra, image.shape))
