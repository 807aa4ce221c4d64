import math
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import Mask, Measurements, MeasurementSet, Regions, RegionSet
from workbench.nodes.regions._common import as_contour, axis_angle


class HoughLinesOut(NamedTuple):
    lines: Regions
    measurements: Measurements


@node("cv.hough_lines", name="Hough Lines", category="Regions")
def hough_lines(edges: Mask,
                rho: Annotated[float, Range(0.1, 100, 0.1), Help("distance resolution of the accumulator, px")] = 1.0,
                theta: Annotated[float, Range(0.05, 90, 0.05), Help("angle resolution of the accumulator, degrees")] = 1.0,
                threshold: Annotated[int, Range(1, 100000, 1), Help("votes (edge pixels) a line needs")] = 30,
                min_length: Annotated[float, Range(0, 100000, 1), Help("shortest segment kept, px")] = 20.0,
                max_gap: Annotated[float, Range(0, 100000, 1), Help("largest gap bridged inside a segment, px")] = 5.0,
                max_lines: Annotated[int, Range(1, 100000, 1), Help("keep the longest ones")] = 100,
                roi: Roi | None = None) -> HoughLinesOut:
    """Straight line segments in an edge mask (probabilistic Hough transform), as two-point regions.

    Each line's stats: x1, y1, x2, y2, length (px), angle (degrees, counter-clockwise on screen,
    in (-90, 90]), cx, cy. Measurements: count.
    """
    if not isinstance(edges, np.ndarray) or edges.ndim != 2:
        raise NodeInputError(f"expected a H x W edge mask, got {getattr(edges, 'shape', type(edges).__name__)}")
    work = np.where(edges > 0, np.uint8(255), np.uint8(0))
    if roi is not None:
        work &= roi.mask(edges.shape)
    found = cv2.HoughLinesP(work, rho, math.radians(theta), threshold,
                            minLineLength=min_length, maxLineGap=max_gap)
    segs = [] if found is None else [tuple(float(v) for v in s) for s in found.reshape(-1, 4)]
    segs.sort(key=lambda s: -math.hypot(s[2] - s[0], s[3] - s[1]))
    contours, rows = [], []
    for x1, y1, x2, y2 in segs[:max_lines]:
        contours.append(as_contour([[x1, y1], [x2, y2]]))
        rows.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2, "length": math.hypot(x2 - x1, y2 - y1),
                     "angle": axis_angle(x2 - x1, y2 - y1), "cx": (x1 + x2) / 2, "cy": (y1 + y2) / 2})
    return HoughLinesOut(RegionSet(contours, rows, tuple(edges.shape[:2])),
                         MeasurementSet().add("count", len(rows)))
