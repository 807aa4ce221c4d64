"""Shared helpers for the Regions family (not a node module).

Angle convention for every node of this family: degrees, counter-clockwise as seen on screen
(the image's y axis points down, so this is -atan2(dy, dx) in pixel coordinates).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.types import RegionSet


def screen_angle(dx: float, dy: float) -> float:
    """Direction of (dx, dy) in pixel coordinates as a counter-clockwise on-screen angle in degrees."""
    return math.degrees(math.atan2(-dy, dx))


def axis_angle(dx: float, dy: float) -> float:
    """Like screen_angle for an undirected axis: folded into (-90, 90]."""
    a = screen_angle(dx, dy)
    while a <= -90:
        a += 180
    while a > 90:
        a -= 180
    return a


def as_contour(points) -> np.ndarray:
    """Any (N, 2) / (N, 1, 2) point array as an (N, 1, 2) int32 contour (rounded)."""
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    return np.round(pts).astype(np.int32).reshape(-1, 1, 2)


def basic_stats(c: np.ndarray) -> dict[str, float]:
    """area (polygon), perimeter, circularity, centroid, bounding box of a contour."""
    area = float(cv2.contourArea(c))
    perim = float(cv2.arcLength(c, True))
    circ = min(1.0, 4 * math.pi * area / (perim * perim)) if perim > 0 else 0.0
    m = cv2.moments(c)
    x, y, w, h = cv2.boundingRect(c)
    if m["m00"] > 0:
        cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    else:  # degenerate (a line or a point): mean of the points
        p = c.reshape(-1, 2).astype(np.float64)
        cx, cy = float(p[:, 0].mean()), float(p[:, 1].mean())
    return {"area": area, "perimeter": perim, "circularity": float(circ), "cx": float(cx), "cy": float(cy),
            "x": float(x), "y": float(y), "w": float(w), "h": float(h)}


def shape_stats(c: np.ndarray) -> dict[str, float]:
    """aspect_ratio (long/short side of the min-area rectangle, >= 1), solidity (area/hull area),
    extent (area/bounding-box area), all from the outline polygon (the box through the outermost
    pixel centres, so a filled rectangle has extent 1)."""
    area = float(cv2.contourArea(c))
    (_, _), (rw, rh), _ = cv2.minAreaRect(c)
    long_, short = max(rw, rh), min(rw, rh)
    aspect = long_ / short if short > 0 else (math.inf if long_ > 0 else 1.0)
    hull_area = float(cv2.contourArea(cv2.convexHull(c)))
    _, _, w, h = cv2.boundingRect(c)
    return {"aspect_ratio": float(aspect), "solidity": area / hull_area if hull_area > 0 else 0.0,
            "extent": min(1.0, area / float((w - 1) * (h - 1))) if w > 1 and h > 1 else 0.0}


def check_regions(regions) -> RegionSet:
    if not isinstance(regions, RegionSet):
        raise NodeInputError(f"expected regions, got {type(regions).__name__}")
    return regions


def pick(regions: RegionSet, index: int) -> int | None:
    """The region to measure: index >= 0 picks that one, -1 the largest (by contour area).
    None when there are no regions; NodeInputError when the index is out of range."""
    n = len(regions)
    if n == 0:
        return None
    if index >= n:
        raise NodeInputError(f"region index {index} is out of range: there are {n} regions")
    if index >= 0:
        return index
    return int(np.argmax([abs(cv2.contourArea(c)) for c in regions.contours]))


def gray_u8(image: np.ndarray) -> np.ndarray:
    """Mono uint8 view: colour -> gray; uint16/float32 are stretched min..max to 0..255."""
    g = np.ascontiguousarray(image if image.ndim == 2 else
                             (image[:, :, 0] if image.shape[2] == 1 else
                              cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)))
    if g.dtype == np.uint8:
        return g
    if g.dtype not in (np.uint16, np.float32):
        raise NodeInputError(f"expected a uint8, uint16 or float32 image, got {g.dtype}")
    return cv2.normalize(g, None, 0, 255, cv2.NORM_MINMAX, cv2.CV_8U)
