import enum
import math
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Mask, Measurements, MeasurementSet, Regions, RegionSet, as_gray, describe


class Relief(enum.Enum):
    DISTANCE = "distance"
    IMAGE = "image"


class WatershedOut(NamedTuple):
    regions: Regions
    labels: Image
    measurements: Measurements


def label_colors(n: int) -> np.ndarray:
    """n distinct, deterministic BGR colours (golden-ratio hues); row 0 is black (background)."""
    if n == 0:
        return np.zeros((1, 3), np.uint8)
    hues = (np.arange(n) * 0.618034 % 1.0 * 180).astype(np.uint8)
    hsv = np.stack([hues, np.full(n, 200, np.uint8), np.full(n, 255, np.uint8)], 1)[None]
    return np.vstack([np.zeros((1, 3), np.uint8), cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0]])


def _seeds(dist: np.ndarray, min_distance: int, min_peak: float) -> tuple[int, np.ndarray]:
    """Seed labels 1..n-1 at distance peaks at least min_distance apart (highest peaks win)."""
    size = 2 * min_distance + 1
    local_max = cv2.dilate(dist, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    peaks = ((dist >= local_max) & (dist > max(min_peak, 0.0))).astype(np.uint8)
    n, comp, _, cents = cv2.connectedComponentsWithStats(peaks, connectivity=8)
    heights = [float(dist[comp == i].max()) for i in range(1, n)]
    kept: list[int] = []
    for i in sorted(range(1, n), key=lambda i: -heights[i - 1]):  # equal peaks close together: keep one
        if all(np.hypot(*(cents[i] - cents[j])) >= min_distance for j in kept):
            kept.append(i)
    remap = np.zeros(n, np.int32)
    remap[kept] = np.arange(1, len(kept) + 1)
    return len(kept) + 1, remap[comp]


def _levels(values: np.ndarray) -> np.ndarray:
    """0..254 for ``values`` in the same order (equal values stay equal): flooding depends only on the order of
    the heights, and cv2.watershed has 8-bit heights."""
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    first = np.r_[True, ranked[1:] != ranked[:-1]]  # the first of each run of equal heights
    level = (np.arange(values.size, dtype=np.int64) * 255 // max(values.size, 1)).astype(np.int32)
    out = np.empty(values.size, np.uint8)
    out[order] = np.minimum(level[first][np.cumsum(first) - 1], 254)
    return out


def flood(surface: np.ndarray, markers: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Marker-controlled watershed: the seeds (``markers`` > 0) flood ``surface`` from its lowest places, only
    inside ``mask``, 4-connected; every mask pixel reachable from a seed gets its seed's label, the others 0.

    cv2.watershed floods by the colour difference between neighbours, not by height. Heights are given to it
    on a checkerboard: channel 0 holds them on the even pixels, channel 1 on the odd ones, so the difference
    between two neighbours is max(height p, height q): the water level. Channel 2 makes every step into the
    background cost the most, so the background (one more region, left unlabelled) fills last; labels that
    reach a foreground part without a seed only through it are removed. cv2.watershed marks the pixels where
    two regions meet with -1: they join a neighbouring region, like scikit-image's watershed (no lines).
    """
    h, w = mask.shape
    inside = mask > 0
    height = np.zeros((h, w), np.uint8)
    height[inside] = _levels(surface[inside])
    even = (np.add.outer(np.arange(h), np.arange(w)) & 1) == 0
    relief = np.zeros((h + 2, w + 2, 3), np.uint8)  # 1 pixel of background all round: cv2 never labels the edge
    relief[1:-1, 1:-1, 0] = np.where(even, height, 0)
    relief[1:-1, 1:-1, 1] = np.where(even, 0, height)
    relief[..., 2] = 255
    relief[1:-1, 1:-1, 2][inside] = 0
    seeds = np.zeros((h + 2, w + 2), np.int32)
    seeds[1:-1, 1:-1] = np.where(inside, markers, 0)
    cv2.watershed(relief, seeds)
    labels = seeds[1:-1, 1:-1]
    n_parts, part = cv2.connectedComponents(inside.astype(np.uint8), connectivity=4)
    seeded = np.zeros(n_parts, bool)
    seeded[np.unique(part[(markers > 0) & inside])] = True
    seeded[0] = False  # the background's own component
    keep = inside & seeded[part]
    todo = keep & (labels <= 0)
    labels = np.where(keep, np.maximum(labels, 0), 0).astype(np.int32)
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    while todo.any():  # lines (-1) join the largest neighbouring label; labels < 2**24 are exact in float32
        grown = cv2.dilate(labels.astype(np.float32), cross).astype(np.int32)
        fill = todo & (grown > 0)
        if not fill.any():
            break
        labels[fill] = grown[fill]
        todo &= ~fill
    return labels


@node("cv.watershed", name="Watershed", category="Segmentation")
def watershed(image: Image, foreground: Mask,
              min_distance: Annotated[int, Range(1, 500, 1),
                  Help("seeds closer than this (pixels) merge: about the smallest object radius")] = 5,
              min_peak: Annotated[float, Range(0.0, 1000.0, 0.5),
                  Help("ignore seeds whose distance to the background is below this (pixels)")] = 2.0,
              relief: Annotated[Relief,
                  Help("DISTANCE splits touching blobs by shape; IMAGE grows seeds over the image's edge strength, so "
                       "splits follow visible edges")] = Relief.DISTANCE) -> WatershedOut:
    """Separates touching objects of a foreground mask: seeds at the distance-transform peaks grow until they meet.

    Outputs one region per object (area, perimeter, circularity, centroid and box, like Blob
    Analysis), a colour label image and the object count.
    """
    if image.shape[:2] != foreground.shape:
        raise NodeInputError(f"image and foreground differ in size: {describe(image)} vs {describe(foreground)}")
    fg = (foreground > 0).astype(np.uint8)
    dist = cv2.distanceTransform(fg, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    n, markers = _seeds(dist, int(min_distance), float(min_peak))
    if relief is Relief.DISTANCE:
        surface = -dist
    else:
        gray = as_gray(image).astype(np.float32)
        surface = cv2.magnitude(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    labels = flood(surface, markers, fg) if n > 1 else np.zeros(fg.shape, np.int32)
    h_img, w_img = fg.shape
    contours, rows, kept = [], [], []
    for i in range(1, n):
        obj = (labels == i).astype(np.uint8)
        area = int(obj.sum())
        if area == 0:
            continue
        cs, _ = cv2.findContours(obj, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        c = max(cs, key=cv2.contourArea)
        perim = cv2.arcLength(c, True)
        m = cv2.moments(obj, binaryImage=True)
        x, y, w, h = cv2.boundingRect(c)
        contours.append(c)
        kept.append(i)
        rows.append({"area": float(area), "perimeter": float(perim),
                     "circularity": min(1.0, 4 * math.pi * area / perim ** 2) if perim > 0 else 0.0,
                     "cx": m["m10"] / m["m00"], "cy": m["m01"] / m["m00"],
                     "x": float(x), "y": float(y), "w": float(w), "h": float(h)})
    remap = np.zeros(max(n, 1), np.int32)
    remap[kept] = np.arange(1, len(kept) + 1)
    vis = label_colors(len(kept))[remap[labels]]
    ms = MeasurementSet().add("count", len(rows))
    return WatershedOut(RegionSet(contours, rows, (h_img, w_img)), np.ascontiguousarray(vis), ms)
