import cv2

from workbench.core.spec import node
from workbench.core.types import Regions, RegionSet
from workbench.nodes.regions._common import basic_stats, check_regions


@node("cv.convex_hull", name="Convex Hull", category="Regions")
def convex_hull(regions: Regions) -> Regions:
    """Replaces each region by its convex hull (statistics recomputed; solidity of the original
    region and defect_depth, the deepest dent in px, are added)."""
    regions = check_regions(regions)
    contours, rows = [], []
    for c in regions.contours:
        hull = cv2.convexHull(c)
        st = basic_stats(hull)
        area = abs(cv2.contourArea(c))
        st["solidity"] = area / st["area"] if st["area"] > 0 else 0.0
        depth = 0.0
        if len(c) > 3:
            idx = cv2.convexHull(c, returnPoints=False)
            try:
                defects = cv2.convexityDefects(c, idx)
            except cv2.error:  # self-intersecting outlines
                defects = None
            if defects is not None and len(defects):
                depth = float(defects.reshape(-1, 4)[:, 3].max()) / 256.0
        st["defect_depth"] = depth
        contours.append(hull)
        rows.append(st)
    return RegionSet(contours, rows, regions.image_shape)
