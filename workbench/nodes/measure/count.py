from typing import NamedTuple

from workbench.core.spec import node
from workbench.core.types import Detections, Int, Measurements, MeasurementSet, Regions


class CountOut(NamedTuple):
    count: Int
    measurements: Measurements


@node("cv.count", name="Count", category="Measurement")
def count(regions: Regions | None = None, detections: Detections | None = None,
          name: str = "count") -> CountOut:
    """Counts regions and/or detections; the result is also a named measurement for judging."""
    if regions is None and detections is None:
        raise ValueError("link regions or detections to count")
    n = (len(regions) if regions is not None else 0) + (len(detections) if detections is not None else 0)
    return CountOut(n, MeasurementSet().add(name or "count", n))
