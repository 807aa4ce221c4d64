import enum
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import Mask, Measurements, MeasurementSet, Regions, RegionSet
from workbench.nodes.regions._common import basic_stats


class Retrieval(enum.Enum):
    EXTERNAL = "outer outlines only"
    ALL = "outlines and holes"


class ContoursOut(NamedTuple):
    regions: Regions
    measurements: Measurements


@node("cv.find_contours", name="Find Contours", category="Regions")
def find_contours(mask: Mask, mode: Retrieval = Retrieval.EXTERNAL,
                  min_area: Annotated[float, Range(0, 1e9, 1), Help("contours with a smaller polygon area "
                                                                    "(px²) are dropped")] = 0.0,
                  simplify: Annotated[bool, Help("keep only the corner points of straight runs")] = False,
                  roi: Roi | None = None) -> ContoursOut:
    """Outlines of the foreground (non-zero) areas of a mask as regions with area, perimeter,
    circularity, centroid and bounding box.

    In ALL mode holes are returned too, with the statistic is_hole = 1; area is the polygon area
    enclosed by the outline.
    """
    if not isinstance(mask, np.ndarray) or mask.ndim != 2:
        raise NodeInputError(f"expected a H x W mask, got {getattr(mask, 'shape', type(mask).__name__)}")
    work = (mask > 0).astype(np.uint8)
    if roi is not None:
        work &= (roi.mask(mask.shape) > 0).astype(np.uint8)
    method = cv2.CHAIN_APPROX_SIMPLE if simplify else cv2.CHAIN_APPROX_NONE
    retr = cv2.RETR_EXTERNAL if mode is Retrieval.EXTERNAL else cv2.RETR_CCOMP
    cs, hier = cv2.findContours(work, retr, method)
    contours, rows = [], []
    for i, c in enumerate(cs):
        st = basic_stats(c)
        if st["area"] < min_area:
            continue
        st["is_hole"] = float(hier is not None and hier[0][i][3] >= 0)
        contours.append(c)
        rows.append(st)
    m = MeasurementSet().add("count", len(rows))
    m.add("total_area", sum(r["area"] for r in rows if not r["is_hole"]), "px²")
    return ContoursOut(RegionSet(contours, rows, tuple(mask.shape[:2])), m)
