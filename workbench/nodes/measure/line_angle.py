import math
from typing import Annotated, NamedTuple

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Measurements, MeasurementSet, Regions
from workbench.nodes.measure._common import line_region

COORD = Range(-100_000, 100_000, 0.5)


class LineAngleOut(NamedTuple):
    measurements: Measurements
    line: Regions


@node("cv.line_angle", name="Line Angle", category="Measurement")
def line_angle(x1: Annotated[float, COORD, Help("line start (px)")] = 0.0,
               y1: Annotated[float, COORD] = 0.0,
               x2: Annotated[float, COORD, Help("line end (px)")] = 10.0,
               y2: Annotated[float, COORD] = 0.0) -> LineAngleOut:
    """Angle of a line against the image x axis, in degrees (0 = right, 90 = down, as y grows downwards).

    Measurements: angle (-180..180 °, direction start -> end), orientation (0..180 °, ignoring
    direction), length (px)."""
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        raise ParamError("the line needs two different points (x1, y1) and (x2, y2)")
    a = math.degrees(math.atan2(dy, dx))
    m = MeasurementSet().add("angle", a, "°").add("orientation", a % 180.0, "°")
    m.add("length", math.hypot(dx, dy), "px")
    return LineAngleOut(m, line_region(x1, y1, x2, y2, (0, 0), angle=a))
