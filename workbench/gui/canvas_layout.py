"""Where nodes go on the canvas: a free spot for a new node, and an automatic layered layout.
Plain geometry on (x, y, w, h) tuples: no widgets here."""

from __future__ import annotations

from workbench.core.graph import Pipeline

Rect = tuple[float, float, float, float]  # x, y, w, h
GAP = 30.0  # free space kept around a placed node
COLUMN = 230.0  # auto layout: distance between the columns (one per depth)


def _overlaps(a: Rect, b: Rect, gap: float = GAP / 2) -> bool:
    return not (a[0] + a[2] + gap <= b[0] or b[0] + b[2] + gap <= a[0]
                or a[1] + a[3] + gap <= b[1] or b[1] + b[3] + gap <= a[1])


def free_spot(taken: list[Rect], x: float, y: float, w: float, h: float, step: float = 10.0) -> tuple[float, float]:
    """(x, y) or the nearest spot below it where a w x h node overlaps none of ``taken``
    (then further right, column by column, when a column is long)."""
    col_x = x
    for _col in range(50):
        cy = y
        for _row in range(40):
            if not any(_overlaps((col_x, cy, w, h), r) for r in taken):
                return col_x, cy
            blocker = max((r for r in taken if _overlaps((col_x, cy, w, h), r)), key=lambda r: r[1] + r[3])
            cy = blocker[1] + blocker[3] + GAP
            cy = round(cy / step) * step
        col_x += w + GAP
    return col_x, y


def beside(selected: list[Rect]) -> tuple[float, float] | None:
    """Where a node added while ``selected`` are selected goes: right of them, at the top one's height."""
    if not selected:
        return None
    right = max(r[0] + r[2] for r in selected)
    top = min(r[1] for r in selected)
    return right + GAP * 2, top


def layered(pipe: Pipeline, sizes: dict[str, tuple[float, float]], origin=(0.0, 0.0)) -> dict[str, tuple[float, float]]:
    """Left-to-right layout: a node's column is its longest path from a source; within a column
    nodes keep their current vertical order. Returns {node id: (x, y)}."""
    depth: dict[str, int] = {}
    for nid in pipe.topological_order():
        ins = [e.src for e in pipe.edges if e.dst == nid and e.src in depth]
        depth[nid] = 1 + max((depth[s] for s in ins), default=-1)
    columns: dict[int, list[str]] = {}
    for nid, d in depth.items():
        columns.setdefault(d, []).append(nid)
    out = {}
    x0, y0 = origin
    for d in sorted(columns):
        ids = sorted(columns[d], key=lambda n: pipe.ui.get(n, {}).get("pos", (0, 0))[1])
        y = y0
        for nid in ids:
            out[nid] = (x0 + d * COLUMN, y)
            y += sizes.get(nid, (150.0, 80.0))[1] + GAP
    return out
