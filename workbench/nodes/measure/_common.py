"""Shared helpers of the Measurement family: profiles along lines and arcs, 1-D edge finding,
small RegionSets used to draw what was measured, and the gray-level scale rule.

Edge thresholds are in 8-bit grey levels per pixel: 16-bit images are divided by 257 and float32
images (0..1) multiplied by 255 before profiles are taken, so one threshold fits every depth.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.types import RegionSet, as_gray


class Polarity(enum.Enum):
    RISING = "dark to light"
    FALLING = "light to dark"
    ANY = "any"


class EdgeMode(enum.Enum):
    FIRST = "first"
    STRONGEST = "strongest"
    ALL = "all"
    PAIRS = "pairs"


def gray_float(image: np.ndarray) -> np.ndarray:
    """Mono float32 image in the 8-bit grey-level scale (see module docstring)."""
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3):
        raise NodeInputError(f"expected an image, got {type(image).__name__}")
    g = as_gray(image)
    if g.dtype == np.uint16:
        return g.astype(np.float32) / 257.0
    if g.dtype == np.float32:
        return g * 255.0
    if g.dtype == np.uint8:
        return g.astype(np.float32)
    raise NodeInputError(f"expected a uint8, uint16 or float32 image, got {g.dtype}")


def sample(gray: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Bilinear samples of a float32 image at float coordinates (borders replicated)."""
    mx = np.ascontiguousarray(xs, np.float32)
    my = np.ascontiguousarray(ys, np.float32)
    shape = mx.shape
    out = cv2.remap(gray, mx.reshape(1, -1), my.reshape(1, -1), cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(shape)


def band_profile(gray: np.ndarray, px: np.ndarray, py: np.ndarray, nx: np.ndarray, ny: np.ndarray,
                 width: int) -> np.ndarray:
    """Mean of `width` samples across the path at each path point (normal nx, ny)."""
    offs = np.arange(width, dtype=np.float32) - (width - 1) / 2.0
    xs = px[None, :] + offs[:, None] * nx[None, :]
    ys = py[None, :] + offs[:, None] * ny[None, :]
    return sample(gray, xs, ys).mean(axis=0)


def smooth(profile: np.ndarray, sigma: float) -> np.ndarray:
    if sigma <= 0 or profile.size < 3:
        return profile.astype(np.float64)
    r = max(1, int(math.ceil(3 * sigma)))
    t = np.arange(-r, r + 1, dtype=np.float64)
    k = np.exp(-0.5 * (t / sigma) ** 2)
    k /= k.sum()
    padded = np.pad(profile.astype(np.float64), r, mode="edge")
    return np.convolve(padded, k, mode="valid")


@dataclass
class Edge:
    position: float  # along the path, in samples (= px when the step is 1 px)
    strength: float  # signed gradient, grey levels / px
    index: int = 0

    @property
    def polarity(self) -> int:
        return 1 if self.strength > 0 else -1


def find_edges(profile: np.ndarray, sigma: float, threshold: float, polarity: Polarity) -> list[Edge]:
    """All gradient extrema of a 1-D profile above threshold, with sub-sample positions."""
    p = smooth(profile, sigma)
    if p.size < 3:
        return []
    g = np.gradient(p)
    a = np.abs(g)
    if polarity is Polarity.RISING:
        a = np.where(g > 0, a, 0.0)
    elif polarity is Polarity.FALLING:
        a = np.where(g < 0, a, 0.0)
    edges = []
    n = a.size
    i = 1
    while i < n - 1:
        if a[i] >= threshold and a[i] > 0 and a[i] >= a[i - 1] and a[i] > a[i + 1]:
            # plateau start: a[i-1] == a[i] is handled by taking the plateau centre
            j = i
            while j > 0 and a[j - 1] == a[i]:
                j -= 1
            centre = (i + j) / 2.0
            d = a[i - 1] - 2 * a[i] + a[i + 1]
            off = 0.5 * (a[i - 1] - a[i + 1]) / d if (d < 0 and j == i) else 0.0
            edges.append(Edge(float(centre + max(-0.5, min(0.5, off))), float(g[i])))
        i += 1
    return edges


def select(edges: list[Edge], mode: EdgeMode, polarity: Polarity) -> tuple[list[Edge], list[tuple[Edge, Edge]]]:
    """Edges kept by the mode, and (for PAIRS) the pairs: an edge of the first polarity followed
    by the next edge of the opposite one. With polarity ANY, the first edge found sets it."""
    if not edges:
        return [], []
    if mode is EdgeMode.FIRST:
        return [edges[0]], []
    if mode is EdgeMode.STRONGEST:
        return [max(edges, key=lambda e: abs(e.strength))], []
    if mode is EdgeMode.ALL:
        return list(edges), []
    first = {Polarity.RISING: 1, Polarity.FALLING: -1}.get(polarity, edges[0].polarity)
    pairs, kept, open_edge = [], [], None
    for e in edges:
        if open_edge is None:
            if e.polarity == first:
                open_edge = e
        elif e.polarity == -first:
            pairs.append((open_edge, e))
            kept += [open_edge, e]
            open_edge = None
    return kept, pairs


def point_regions(points: list[tuple[float, float]], normals: list[tuple[float, float]], half: float,
                  extra: list[dict], shape: tuple[int, ...]) -> RegionSet:
    """One region per point: a short segment across the path (length 2*half), for drawing."""
    contours, stats = [], []
    for (x, y), (nx, ny), ex in zip(points, normals, extra):
        a = (x - nx * half, y - ny * half)
        b = (x + nx * half, y + ny * half)
        contours.append(np.round(np.array([[a], [b]], np.float64)).astype(np.int32))
        stats.append({"cx": float(x), "cy": float(y), "x": float(min(a[0], b[0])), "y": float(min(a[1], b[1])),
                      "w": float(abs(b[0] - a[0])), "h": float(abs(b[1] - a[1])), **ex})
    return RegionSet(contours, stats, tuple(shape[:2]))


def line_region(x1: float, y1: float, x2: float, y2: float, shape: tuple[int, ...], **extra: float) -> RegionSet:
    """A RegionSet holding one 2-point contour (a segment), centroid at its middle."""
    c = np.round(np.array([[[x1, y1]], [[x2, y2]]], np.float64)).astype(np.int32)
    st = {"cx": (x1 + x2) / 2, "cy": (y1 + y2) / 2, "x": min(x1, x2), "y": min(y1, y2),
          "w": abs(x2 - x1), "h": abs(y2 - y1), "length": math.hypot(x2 - x1, y2 - y1), **extra}
    return RegionSet([c], [{k: float(v) for k, v in st.items()}], tuple(shape[:2]))


def largest_centroid(regions: RegionSet, which: str) -> tuple[float, float]:
    """Centroid of the largest region (by area stat, else contour area)."""
    if regions is None or len(regions) == 0:
        raise NodeInputError(f"{which}: no regions to take a centroid from")

    def area(i: int) -> float:
        st = regions.stats[i] if i < len(regions.stats) else {}
        return st.get("area", abs(cv2.contourArea(regions.contours[i])))

    i = max(range(len(regions)), key=area)
    st = regions.stats[i] if i < len(regions.stats) else {}
    if "cx" in st and "cy" in st:
        return float(st["cx"]), float(st["cy"])
    pts = regions.contours[i].reshape(-1, 2).astype(np.float64)
    return float(pts[:, 0].mean()), float(pts[:, 1].mean())


def detect(profile: np.ndarray, sigma: float, threshold: float, polarity: Polarity,
           mode: EdgeMode) -> tuple[list[Edge], list[tuple[Edge, Edge]]]:
    """find_edges + select; in pairs mode polarity picks the first edge of a pair, not a filter."""
    filt = Polarity.ANY if mode is EdgeMode.PAIRS else polarity
    return select(find_edges(profile, sigma, threshold, filt), mode, polarity)
