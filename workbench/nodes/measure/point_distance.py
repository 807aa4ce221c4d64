import math
from typing import Annotated, NamedTuple

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Measurements, MeasurementSet, Regions
from workbench.nodes.measure._common import largest_centroid, line_region

COORD = Range(-100_000, 100_000, 0.5)


class PointDistanceOut(NamedTuple):
    measurements: Measurements
    line: Regions


@node("cv.point_distance", name="Point Distance", category="Measurement")
def point_distance(regions_a: Regions | None = None, regions_b: Regions | None = None,
                   x1: Annotated[float, COORD, Help("first point (px); replaced by the centroid of the "
                                                    "largest region of regions_a when linked")] = 0.0,
                   y1: Annotated[float, COORD] = 0.0,
                   x2: Annotated[float, COORD, Help("second point (px); regions_b's largest centroid when "
                                                    "linked")] = 10.0,
                   y2: Annotated[float, COORD] = 0.0) -> PointDistanceOut:
    """Distance between two points, given as parameters or as the centroids of two linked region sets.

    Measurements: distance, dx, dy (px) and angle (° of the vector, 0 = right, 90 = down).
    The line output is the segment, for drawing."""
    if regions_a is not None:
        x1, y1 = largest_centroid(regions_a, "regions_a")
    if regions_b is not None:
        x2, y2 = largest_centroid(regions_b, "regions_b")
    dx, dy = x2 - x1, y2 - y1
    m = MeasurementSet().add("distance", math.hypot(dx, dy), "px").add("dx", dx, "px").add("dy", dy, "px")
    m.add("angle", math.degrees(math.atan2(dy, dx)), "°")
    shape = next((r.image_shape for r in (regions_a, regions_b) if r is not None), (0, 0))
    return PointDistanceOut(m, line_region(x1, y1, x2, y2, shape, distance=math.hypot(dx, dy)))
