import enum
import math
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import Mask, Measurements, MeasurementSet, Regions, RegionSet


class Connectivity(enum.Enum):
    EIGHT = 8
    FOUR = 4


class BlobOut(NamedTuple):
    regions: Regions
    measurements: Measurements


BIG = 1e9


@node("cv.blob_analysis", name="Blob Analysis", category="Regions")
def blob_analysis(mask: Mask,
                  min_area: Annotated[float, Range(0, BIG, 1), Help("pixels")] = 50,
                  max_area: Annotated[float, Range(0, BIG, 1), Help("pixels")] = BIG,
                  min_circularity: Annotated[float, Range(0, 1, 0.01), Help("4π·area/perimeter², 1 = disc")] = 0.0,
                  max_circularity: Annotated[float, Range(0, 1, 0.01)] = 1.0,
                  connectivity: Connectivity = Connectivity.EIGHT,
                  exclude_border: bool = False,
                  roi: Roi | None = None) -> BlobOut:
    """Connected components of a mask with per-blob area, perimeter, circularity, centroid and box,
    filtered by area and circularity."""
    work = mask
    if roi is not None:
        work = cv2.bitwise_and(mask, roi.mask(mask.shape))
    n, labels, stats, cents = cv2.connectedComponentsWithStats(work, connectivity=connectivity.value)
    h_img, w_img = mask.shape
    contours, rows = [], []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < min_area or area > max_area:
            continue
        if exclude_border and (x == 0 or y == 0 or x + w >= w_img or y + h >= h_img):
            continue
        crop = (labels[y:y + h, x:x + w] == i).astype(np.uint8)
        cs, _ = cv2.findContours(crop, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE, offset=(x, y))
        c = max(cs, key=len)
        perim = cv2.arcLength(c, True)
        circ = min(1.0, 4 * math.pi * area / (perim * perim)) if perim > 0 else 0.0
        if circ < min_circularity or circ > max_circularity:
            continue
        contours.append(c)
        rows.append({"area": float(area), "perimeter": float(perim), "circularity": float(circ),
                     "cx": float(cents[i][0]), "cy": float(cents[i][1]),
                     "x": float(x), "y": float(y), "w": float(w), "h": float(h)})
    areas = [r["area"] for r in rows]
    m = MeasurementSet()
    m.add("count", len(rows))
    m.add("total_area", sum(areas), "px²")
    m.add("mean_area", (sum(areas) / len(areas)) if areas else 0.0, "px²")
    return BlobOut(RegionSet(contours, rows, (h_img, w_img)), m)
