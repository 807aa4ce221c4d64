from typing import Annotated, NamedTuple

from workbench.core.errors import NodeInputError, WorkbenchError
from workbench.core.params import Help, Range
from workbench.core.spec import NodeContext, node
from workbench.core.types import (Detections, Image, Int, MeasurementSet, Measurements, Regions, Verdict,
                                  VerdictResult)
from workbench.nodes.flow._items import ItemResult, as_detections, boxes_of, draw, read_outputs

MAX_REASONS = 8


class ForEachOut(NamedTuple):
    verdict: Verdict
    measurements: Measurements
    items: Detections
    overlay: Image
    count: Int


@node("flow.for_each", name="For Each", category="Flow", inner_graph=True,
      description="Runs its inner graph once per region or detection, on its crop; per-item results and a "
                  "combined verdict.")
def for_each(ctx: NodeContext, image: Image, regions: Regions | None = None, detections: Detections | None = None,
             padding: Annotated[int, Range(0, 200, 1), Help("pixels added around each item's box")] = 2,
             min_count: Annotated[int, Range(0, 10000, 1), Help("fewer items than this is NG")] = 0,
             max_count: Annotated[int, Range(0, 10000, 1), Help("more items than this is NG (0: no limit)")] = 0,
             ) -> ForEachOut:
    """Two-stage inspection: find the parts (regions or detections), then inspect each one.

    Double-click the node to edit its inner graph. Its Graph Input named ``crop`` (Image) receives
    each item's crop, one named ``index`` (Int) the item's number. Whatever the inner graph's outputs
    are, a verdict decides the item's OK/NG, a classification gives its label, measurements and
    numbers are collected as ``item<i>.<name>``. The combined verdict is OK when every item is OK
    and the count is within [min_count, max_count]; an item whose inner run fails is NG (with the
    error as the reason) and the loop goes on.
    """
    if ctx.run_inner is None:
        raise NodeInputError("this for-each has no inner graph: double-click it and add a Graph Input named 'crop'")
    boxes = boxes_of(regions, detections, image.shape, padding)
    items: list[ItemResult] = []
    for i, box in enumerate(boxes):
        ctx.check_cancelled()
        ctx.progress(i / max(1, len(boxes)), f"item {i + 1} of {len(boxes)}")
        x0, y0, x1, y1 = box
        item = ItemResult(box)
        try:
            outs = ctx.run_inner({"crop": image[y0:y1, x0:x1].copy(), "index": i},
                                 f"#{i}:{x0},{y0},{x1},{y1}".encode())
            read_outputs(item, outs)
        except WorkbenchError as exc:
            item.ok, item.reasons = False, [str(exc)]
        items.append(item)
    return ForEachOut(_verdict(items, min_count, max_count), _measurements(items), as_detections(items),
                      draw(image, items), len(items))


def _verdict(items: list[ItemResult], min_count: int, max_count: int) -> VerdictResult:
    reasons = []
    n = len(items)
    if n < min_count:
        reasons.append(f"{n} items, expected at least {min_count}")
    if max_count and n > max_count:
        reasons.append(f"{n} items, expected at most {max_count}")
    bad = [(i, it) for i, it in enumerate(items) if not it.ok]
    for i, it in bad[:MAX_REASONS]:
        reasons.append(f"item {i}: {'; '.join(it.reasons) or 'NG'}")
    if len(bad) > MAX_REASONS:
        reasons.append(f"and {len(bad) - MAX_REASONS} more NG items")
    return VerdictResult(not reasons, reasons)


def _measurements(items: list[ItemResult]) -> MeasurementSet:
    m = MeasurementSet()
    m.add("count", len(items))
    m.add("ng_count", sum(1 for it in items if not it.ok))
    for i, it in enumerate(items):
        for name, value in it.values.items():
            m.add(f"item{i}.{name}", value, it.units.get(name, ""))
    return m

