import enum
import math
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import Image, Measurements, MeasurementSet, Regions, RegionSet
from workbench.nodes.regions._common import as_contour, gray_u8


class HoughMethod(enum.Enum):
    GRADIENT = cv2.HOUGH_GRADIENT
    GRADIENT_ALT = cv2.HOUGH_GRADIENT_ALT


class HoughCirclesOut(NamedTuple):
    circles: Regions
    measurements: Measurements


@node("cv.hough_circles", name="Hough Circles", category="Regions")
def hough_circles(image: Image, method: HoughMethod = HoughMethod.GRADIENT,
                  min_radius: Annotated[int, Range(0, 100000, 1), Help("px")] = 5,
                  max_radius: Annotated[int, Range(0, 100000, 1), Help("px; 0 = no limit")] = 0,
                  min_distance: Annotated[float, Range(1, 100000, 1), Help("between centres, px")] = 20.0,
                  edge_threshold: Annotated[float, Range(1, 1000, 1),
                                            Help("upper Canny threshold for the edges")] = 100.0,
                  votes: Annotated[float, Range(0.01, 1000, 0.01),
                                   Help("GRADIENT: accumulator votes a centre needs (lower finds more); "
                                        "GRADIENT_ALT: circle perfectness 0..1")] = 30.0,
                  blur: Annotated[float, Range(0, 20, 0.1), Help("Gaussian blur sigma before detection, px; 0 = none")] = 1.5,
                  max_circles: Annotated[int, Range(1, 100000, 1)] = 100,
                  roi: Roi | None = None) -> HoughCirclesOut:
    """Circles in an image (Hough gradient method), as circle polygons with stats cx, cy, r.

    Colour is converted to gray; uint16/float32 are stretched to 8 bits. Measurements: count.
    """
    if max_radius and max_radius < min_radius:
        raise ParamError(f"max radius ({max_radius}) is smaller than min radius ({min_radius})")
    if method is HoughMethod.GRADIENT_ALT and votes > 1:
        raise ParamError(f"GRADIENT_ALT needs votes (circle perfectness) in 0..1, got {votes:g}")
    gray = gray_u8(image)
    x0, y0 = 0, 0
    if roi is not None:
        x0, y0, w, h = roi.bounds(gray.shape)
        gray = gray[y0:y0 + h, x0:x0 + w]
    if blur > 0 and min(gray.shape) > 0:
        gray = cv2.GaussianBlur(gray, (0, 0), blur)
    found = None
    if min(gray.shape) > 0:
        found = cv2.HoughCircles(gray, method.value, 1.5 if method is HoughMethod.GRADIENT_ALT else 1.0,
                                 min_distance, param1=edge_threshold, param2=votes,
                                 minRadius=min_radius, maxRadius=max_radius)
    contours, rows = [], []
    inside = roi.mask(image.shape) if roi is not None else None
    for cx, cy, r in ([] if found is None else found.reshape(-1, 3)[:, :3]):
        cx, cy, r = float(cx) + x0, float(cy) + y0, float(r)
        if inside is not None and not inside[min(int(cy), inside.shape[0] - 1), min(int(cx), inside.shape[1] - 1)]:
            continue
        t = np.linspace(0, 2 * math.pi, max(16, min(360, int(math.pi * r))), endpoint=False)
        contours.append(as_contour(np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], 1)))
        rows.append({"cx": cx, "cy": cy, "r": r, "area": math.pi * r * r, "perimeter": 2 * math.pi * r})
        if len(rows) >= max_circles:
            break
    return HoughCirclesOut(RegionSet(contours, rows, tuple(image.shape[:2])),
                           MeasurementSet().add("count", len(rows)))
