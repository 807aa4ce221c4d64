import enum
from typing import Annotated, NamedTuple

import cv2

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Measurements, MeasurementSet, Regions, RegionSet


class ShapeMetric(enum.Enum):
    I1 = cv2.CONTOURS_MATCH_I1
    I2 = cv2.CONTOURS_MATCH_I2
    I3 = cv2.CONTOURS_MATCH_I3


class ShapeOut(NamedTuple):
    regions: Regions
    measurements: Measurements


@node("cv.shape_match", name="Shape Match", category="Matching")
def shape_match(regions: Regions, model: Regions, metric: ShapeMetric = ShapeMetric.I1,
                max_distance: Annotated[float, Range(0, 1000, 0.01),
                                        Help("0 = identical shape; position, size and rotation are ignored")] = 0.1
                ) -> ShapeOut:
    """Keeps the regions whose outline has the same shape as the model's largest region
    (Hu-moment distance), whatever their position, size and rotation.

    Each kept region gets the stat shape_distance. Measurements: count and best_distance (-1 when there are no regions).
    """
    if not isinstance(regions, RegionSet) or not isinstance(model, RegionSet):
        raise NodeInputError("expected regions on both inputs")
    if len(model) == 0:
        raise NodeInputError("the model has no region to compare with")
    ref = max(model.contours, key=lambda c: abs(cv2.contourArea(c)))
    contours, rows, best = [], [], float("inf")
    for c, st in zip(regions.contours, regions.stats):
        d = float(cv2.matchShapes(ref, c, metric.value, 0.0))
        best = min(best, d)
        if d <= max_distance:
            contours.append(c)
            rows.append({**st, "shape_distance": d})
    m = MeasurementSet().add("count", len(rows)).add("best_distance", best if len(regions) else -1.0)
    return ShapeOut(RegionSet(contours, rows, regions.image_shape), m)
