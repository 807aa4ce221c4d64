from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import (Image, Mask, Measurements, MeasurementSet, Regions, RegionSet, as_gray)

from ._common import match_pair


class GoldenOut(NamedTuple):
    difference: Image
    defects: Mask
    regions: Regions
    measurements: Measurements


@node("cv.golden_compare", name="Golden Image Compare", category="Arithmetic")
def golden_compare(image: Image, golden: Image,
                   blur_sigma: Annotated[float, Range(0.0, 20.0, 0.1),
                                         Help("smooths both images first (ignores noise, tiny shifts)")] = 1.0,
                   threshold: Annotated[float, Range(0.0, 65535.0, 1),
                                        Help("defect where the difference exceeds it (image units)")] = 40.0,
                   min_area: Annotated[float, Range(0.0, 1e9, 1),
                                       Help("smaller defect blobs are ignored (pixels)")] = 10.0,
                   roi: Roi | None = None) -> GoldenOut:
    """Compares an image with a known-good (golden) image: difference, defect mask and defect blobs.

    Both are converted to gray; the golden image must have the same size and is converted to the
    image's dtype on the full scale. The difference keeps the image's dtype. Outside the ROI
    nothing counts. Measurements: defect_count, max_defect_area (px²), diff_mean (mean
    difference inside the ROI).
    """
    img, gold = match_pair(as_gray(image), as_gray(golden), ("image", "golden"))
    if blur_sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), blur_sigma)
        gold = cv2.GaussianBlur(gold, (0, 0), blur_sigma)
    diff = cv2.absdiff(img, gold)
    inside = roi.mask(diff.shape) if roi is not None else np.full(diff.shape, 255, np.uint8)
    raw = np.where((diff > threshold) & (inside > 0), np.uint8(255), np.uint8(0))
    n, labels, stats, cents = cv2.connectedComponentsWithStats(raw, connectivity=8)
    defects = np.zeros_like(raw)
    contours, rows = [], []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if area < min_area:
            continue
        blob = labels[y:y + h, x:x + w] == i
        defects[y:y + h, x:x + w][blob] = 255
        cs, _ = cv2.findContours(blob.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE, offset=(x, y))
        contours.append(max(cs, key=len))
        rows.append({"area": float(area), "cx": float(cents[i][0]), "cy": float(cents[i][1]),
                     "x": float(x), "y": float(y), "w": float(w), "h": float(h),
                     "max_diff": float(diff[y:y + h, x:x + w][blob].max())})
    m = MeasurementSet()
    m.add("defect_count", len(rows))
    m.add("max_defect_area", max((r["area"] for r in rows), default=0.0), "px²")
    m.add("diff_mean", float(cv2.mean(diff, mask=inside)[0]))
    return GoldenOut(diff, defects, RegionSet(contours, rows, diff.shape[:2]), m)
