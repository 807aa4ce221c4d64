import math
from typing import Annotated

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Measurements, MeasurementSet

COORD = Range(-100_000, 100_000, 0.5)


def _direction(x1: float, y1: float, x2: float, y2: float, which: str) -> float:
    if x1 == x2 and y1 == y2:
        raise ParamError(f"{which} needs two different points")
    return math.atan2(y2 - y1, x2 - x1)


@node("cv.angle_between_lines", name="Angle Between Lines", category="Measurement")
def angle_between_lines(ax1: Annotated[float, COORD, Help("line A start (px)")] = 0.0,
                        ay1: Annotated[float, COORD] = 0.0,
                        ax2: Annotated[float, COORD, Help("line A end (px)")] = 10.0,
                        ay2: Annotated[float, COORD] = 0.0,
                        bx1: Annotated[float, COORD, Help("line B start (px)")] = 0.0,
                        by1: Annotated[float, COORD] = 0.0,
                        bx2: Annotated[float, COORD, Help("line B end (px)")] = 0.0,
                        by2: Annotated[float, COORD] = 10.0) -> Measurements:
    """Angle between two lines, in degrees.

    Measurements: angle (0..90 °, the acute angle between the undirected lines), directed_angle
    (-180..180 °, from A's direction to B's, positive clockwise on screen) and the intersection
    point ix, iy (px) when the lines are not parallel."""
    a = _direction(ax1, ay1, ax2, ay2, "line A")
    b = _direction(bx1, by1, bx2, by2, "line B")
    directed = (math.degrees(b - a) + 180.0) % 360.0 - 180.0
    undirected = abs(directed) % 180.0
    m = MeasurementSet().add("angle", min(undirected, 180.0 - undirected), "°")
    m.add("directed_angle", directed, "°")
    d1 = (ax2 - ax1, ay2 - ay1)
    d2 = (bx2 - bx1, by2 - by1)
    den = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(den) > 1e-12:
        t = ((bx1 - ax1) * d2[1] - (by1 - ay1) * d2[0]) / den
        m.add("ix", ax1 + t * d1[0], "px").add("iy", ay1 + t * d1[1], "px")
    return m
