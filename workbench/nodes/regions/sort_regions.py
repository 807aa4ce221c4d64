import enum
from typing import Annotated

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Regions, RegionSet
from workbench.nodes.regions._common import basic_stats, check_regions


class Order(enum.Enum):
    DESCENDING = "largest first"
    ASCENDING = "smallest first"


@node("cv.sort_regions", name="Sort Regions", category="Regions")
def sort_regions(regions: Regions,
                 key: Annotated[str, Help("statistic to sort by, e.g. area, cx, cy, circularity")] = "area",
                 order: Order = Order.DESCENDING,
                 keep: Annotated[int, Range(0, 100000, 1), Help("keep the first N after sorting; 0 = all")] = 0
                 ) -> Regions:
    """Orders regions by one of their statistics and optionally keeps only the first N (e.g. the
    largest region, or parts from left to right by cx)."""
    regions = check_regions(regions)
    stats = []
    for c, st in zip(regions.contours, regions.stats):
        if key not in st:
            st = {**basic_stats(c), **st}
        if key not in st:
            raise NodeInputError(f"regions have no statistic {key!r} (available: {', '.join(sorted(st))})")
        stats.append(st)
    idx = sorted(range(len(stats)), key=lambda i: stats[i][key], reverse=order is Order.DESCENDING)
    if keep:
        idx = idx[:keep]
    return RegionSet([regions.contours[i] for i in idx], [stats[i] for i in idx], regions.image_shape)
