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


class CaliperOut(NamedTuple):
    measurements: Measurements
    edges: Regions


@node("cv.caliper", name="Caliper", category="Measurement")
def caliper(image: Image,
            x1: Annotated[float, COORD, Help("start of the search line (px)")] = 8.0,
            y1: Annotated[float, COORD] = 32.0,
            x2: Annotated[float, COORD, Help("end of the search line (px)")] = 56.0,
            y2: Annotated[float, COORD] = 32.0,
            width: Annotated[int, Range(1, 500, 1), Help("profile width across the line (px), averaged")] = 5,
            sigma: Annotated[float, Range(0, 20, 0.1), Help("Gaussian smoothing along the line (px)")] = 1.0,
            threshold: Annotated[float, Range(0, 255, 0.5), Help("minimum edge contrast, grey levels per px")] = 10.0,
            polarity: Annotated[Polarity, Help("rising = dark to light along the line")] = Polarity.ANY,
            mode: Annotated[EdgeMode, Help("pairs: a first-polarity edge and the next opposite edge, "
                                           "e.g. both sides of a bright bar")] = EdgeMode.ALL) -> CaliperOut:
    """Finds edges along a line (a 1-D caliper): edge positions in px from the start, and widths of edge pairs.

    Measurements: edge_count, position_<i> (px from the start), and in pairs mode pair_count,
    width_<i> and width (the mean). Regions: one short segment across the line per edge
    (stats cx, cy, position, strength, polarity), for drawing."""
    length = math.hypot(x2 - x1, y2 - y1)
    if length < 2:
        raise ParamError("caliper line is shorter than 2 px: set x1, y1, x2, y2 apart")
    gray = gray_float(image)
    n = int(math.floor(length)) + 1
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    t = np.arange(n, dtype=np.float32)
    px, py = x1 + ux * t, y1 + uy * t
    nx, ny = np.full(n, -uy, np.float32), np.full(n, ux, np.float32)
    profile = band_profile(gray, px, py, nx, ny, width)
    kept, pairs = detect(profile, sigma, threshold, polarity, mode)
    m = MeasurementSet().add("edge_count", len(kept))
    for i, e in enumerate(kept):
        m.add(f"position_{i}", e.position, "px")
    if mode is EdgeMode.PAIRS:
        widths = [b.position - a.position for a, b in pairs]
        m.add("pair_count", len(pairs))
        for i, w in enumerate(widths):
            m.add(f"width_{i}", w, "px")
        if widths:
            m.add("width", sum(widths) / len(widths), "px")
    pts = [(x1 + ux * e.position, y1 + uy * e.position) for e in kept]
    extra = [{"position": e.position, "strength": e.strength, "polarity": float(e.polarity)} for e in kept]
    regions = point_regions(pts, [(-uy, ux)] * len(kept), max(3.0, width / 2), extra, image.shape)
    return CaliperOut(m, regions)
