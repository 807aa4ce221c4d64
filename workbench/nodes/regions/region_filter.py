from typing import Annotated, NamedTuple

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Measurements, MeasurementSet, Regions, RegionSet
from workbench.nodes.regions._common import basic_stats, check_regions, shape_stats

BIG = 1e9


class FilterOut(NamedTuple):
    regions: Regions
    measurements: Measurements


@node("cv.region_filter", name="Region Filter", category="Regions")
def region_filter(regions: Regions,
                  min_area: Annotated[float, Range(0, BIG, 1), Help("px²")] = 0.0,
                  max_area: Annotated[float, Range(0, BIG, 1), Help("px²")] = BIG,
                  min_perimeter: Annotated[float, Range(0, BIG, 1), Help("px")] = 0.0,
                  max_perimeter: Annotated[float, Range(0, BIG, 1), Help("px")] = BIG,
                  min_circularity: Annotated[float, Range(0, 1, 0.01), Help("4π·area/perimeter², 1 = disc")] = 0.0,
                  max_circularity: Annotated[float, Range(0, 1, 0.01)] = 1.0,
                  min_aspect_ratio: Annotated[float, Range(1, BIG, 0.1),
                                              Help("long/short side of the minimum-area rectangle")] = 1.0,
                  max_aspect_ratio: Annotated[float, Range(1, BIG, 0.1)] = BIG,
                  min_solidity: Annotated[float, Range(0, 1, 0.01), Help("area / convex hull area")] = 0.0,
                  max_solidity: Annotated[float, Range(0, 1, 0.01)] = 1.0,
                  min_extent: Annotated[float, Range(0, 1, 0.01), Help("area / bounding box area")] = 0.0,
                  max_extent: Annotated[float, Range(0, 1, 0.01)] = 1.0) -> FilterOut:
    """Keeps the regions whose area, perimeter, circularity, aspect ratio, solidity and extent lie
    within the given limits (statistics missing from the input are computed)."""
    regions = check_regions(regions)
    limits = {"area": (min_area, max_area), "perimeter": (min_perimeter, max_perimeter),
              "circularity": (min_circularity, max_circularity),
              "aspect_ratio": (min_aspect_ratio, max_aspect_ratio),
              "solidity": (min_solidity, max_solidity), "extent": (min_extent, max_extent)}
    for name, (lo, hi) in limits.items():
        if lo > hi:
            raise ParamError(f"min {name} ({lo:g}) is larger than max {name} ({hi:g})")
    contours, rows = [], []
    for c, st in zip(regions.contours, regions.stats):
        st = dict(st)
        if not all(k in st for k in ("area", "perimeter", "circularity")):
            st = {**basic_stats(c), **st}
        if not all(k in st for k in ("aspect_ratio", "solidity", "extent")):
            st = {**shape_stats(c), **st}
        if all(lo <= st[k] <= hi for k, (lo, hi) in limits.items()):
            contours.append(c)
            rows.append(st)
    m = MeasurementSet().add("count", len(rows)).add("rejected", len(regions) - len(rows))
    return FilterOut(RegionSet(contours, rows, regions.image_shape), m)
