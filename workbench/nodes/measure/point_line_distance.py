import math
from typing import Annotated, NamedTuple

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Measurements, MeasurementSet, Regions
from workbench.nodes.measure._common import largest_centroid, line_region

COORD = Range(-100_000, 100_000, 0.5)


class PointLineOut(NamedTuple):
    measurements: Measurements
    line: Regions


@node("cv.point_line_distance", name="Point to Line Distance", category="Measurement")
def point_line_distance(regions: Regions | None = None,
                        px: Annotated[float, COORD, Help("the point (px); the centroid of the largest "
                                                         "region when regions are linked")] = 5.0,
                        py: Annotated[float, COORD] = 5.0,
                        x1: Annotated[float, COORD, Help("a first point of the line (px)")] = 0.0,
                        y1: Annotated[float, COORD] = 0.0,
                        x2: Annotated[float, COORD, Help("a second point of the line (px)")] = 10.0,
                        y2: Annotated[float, COORD] = 0.0) -> PointLineOut:
    """Perpendicular distance from a point to the infinite line through two points.

    Measurements: distance (px, unsigned), signed_distance (px, positive on the right of the
    direction x1,y1 -> x2,y2 in image coordinates, i.e. clockwise), foot_x, foot_y (the closest
    point on the line). The line output is the perpendicular segment, for drawing."""
    if regions is not None:
        px, py = largest_centroid(regions, "regions")
    length = math.hypot(x2 - x1, y2 - y1)
    if length == 0:
        raise ParamError("the line needs two different points (x1, y1) and (x2, y2)")
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    t = (px - x1) * ux + (py - y1) * uy
    fx, fy = x1 + t * ux, y1 + t * uy
    signed = (px - x1) * (-uy) + (py - y1) * ux
    m = MeasurementSet().add("distance", abs(signed), "px").add("signed_distance", signed, "px")
    m.add("foot_x", fx, "px").add("foot_y", fy, "px")
    shape = regions.image_shape if regions is not None else (0, 0)
    return PointLineOut(m, line_region(px, py, fx, fy, shape, distance=abs(signed)))
