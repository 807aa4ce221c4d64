"""Canvas benchmarks: redraw times of the node canvas against a plain QGraphicsView baseline.

    .venv/bin/python bench/bench_canvas.py            # full run, rewrites its section of docs/PERFORMANCE.md
    .venv/bin/python bench/bench_canvas.py --quick    # smoke check: few repetitions, writes nothing

A 200-node pipeline of real node types (20 groups of 10: coin-count chains and contour/circle
chains with branches, 240 links, no stored positions: the canvas lays it out) is shown in the
workbench canvas, 1600×1000, offscreen. The baseline is the same scene built from plain Qt
items: one QGraphicsRectItem per node (same rectangle, brush, pen) and one QGraphicsPathItem per
link (the same Bézier path and pen) in a QGraphicsView with default settings plus antialiasing.
Both views are shown side by side and timed in pairs, back to back, in alternating order; a
figure is the median over N pairs of the per-pair ratio (canvas / baseline), as in the other
benchmarks (bench/_harness.py).

Each step is one change and one synchronous redraw (`viewport().repaint()`), at two zoom levels
("all": fit, every node visible; "1:1": a part of the graph at 100 %):

* pan: scroll 40 px (alternately left and right);
* zoom step: scale by 1.1, then back (alternately): the canvas through zoom_by (what its wheel
  does: scaled pixmaps during a gesture), the baseline through scale();
* zoom settle: the canvas's crisp re-render when the wheel rests (once per gesture), against
  the baseline's repaint after the same scale step;
* drag: move 10 selected nodes by 10 px (and their links), alternately right and left: the
  canvas through its own item code (itemChange updates the links), the baseline by moving the
  rects and setting the new paths by hand;
* drag, incremental: the same move, then `processEvents()`: Qt repaints only what changed
  (SmartViewportUpdate in the canvas, MinimalViewportUpdate in the baseline).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6 import __version__ as PYSIDE_VERSION  # noqa: E402
from PySide6.QtCore import QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QBrush, QPainter, QPen  # noqa: E402
from PySide6.QtWidgets import (QApplication, QGraphicsPathItem, QGraphicsRectItem, QGraphicsScene,  # noqa: E402
                               QGraphicsView)

from workbench.core.graph import Pipeline  # noqa: E402

from _harness import Compare, Row, ms, pair, write_section  # noqa: E402  (bench/ is the script's folder)
from _harness import machine as _machine  # noqa: E402

DOC = ROOT / "docs" / "PERFORMANCE.md"
BEGIN, END = "<!-- canvas -->", "<!-- /canvas -->"
W, H = 1600, 1000


# ---------------------------------------------------------------- the pipeline
def coins_group(p: Pipeline, k: int) -> None:
    n = {s: f"{s}{k}" for s in ("src", "blur", "thr", "open", "fill", "blobs", "count", "judge", "overlay", "save")}
    for key, typ in (("src", "io.image_file"), ("blur", "cv.gaussian_blur"), ("thr", "cv.threshold"),
                     ("open", "cv.morphology"), ("fill", "cv.fill_holes"), ("blobs", "cv.blob_analysis"),
                     ("count", "cv.count"), ("judge", "cv.judge"), ("overlay", "cv.draw_overlay"),
                     ("save", "io.save_image")):
        p.add_node(typ, n[key])
    for a, ap, b, bp in (("src", "image", "blur", "image"), ("blur", "out", "thr", "image"),
                         ("thr", "out", "open", "mask"), ("open", "out", "fill", "mask"),
                         ("fill", "out", "blobs", "mask"), ("blobs", "regions", "count", "regions"),
                         ("count", "measurements", "judge", "measurements"), ("src", "image", "overlay", "image"),
                         ("blobs", "regions", "overlay", "regions"),
                         ("count", "measurements", "overlay", "measurements"),
                         ("judge", "out", "overlay", "verdict"), ("overlay", "out", "save", "image")):
        p.connect(n[a], ap, n[b], bp)


def circles_group(p: Pipeline, k: int) -> None:
    n = {s: f"{s}{k}" for s in ("src", "clahe", "canny", "contours", "circle", "count", "judge", "sobel", "draw",
                                 "csv")}
    for key, typ in (("src", "io.image_file"), ("clahe", "cv.clahe"), ("canny", "cv.canny"),
                     ("contours", "cv.find_contours"), ("circle", "cv.fit_circle"), ("count", "cv.count"),
                     ("judge", "cv.judge"), ("sobel", "cv.sobel"), ("draw", "cv.draw_contours"),
                     ("csv", "io.write_csv")):
        p.add_node(typ, n[key])
    for a, ap, b, bp in (("src", "image", "clahe", "image"), ("clahe", "out", "canny", "image"),
                         ("canny", "out", "contours", "mask"), ("contours", "regions", "circle", "regions"),
                         ("circle", "circles", "count", "regions"), ("count", "measurements", "judge", "measurements"),
                         ("clahe", "out", "sobel", "image"), ("clahe", "out", "draw", "image"),
                         ("contours", "regions", "draw", "regions"), ("judge", "out", "draw", "verdict"),
                         ("count", "measurements", "csv", "measurements"), ("judge", "out", "csv", "verdict")):
        p.connect(n[a], ap, n[b], bp)


def build_pipeline(groups: int = 20) -> Pipeline:
    p = Pipeline()
    for k in range(groups):
        (coins_group if k % 2 == 0 else circles_group)(p, k)
    return p


# ---------------------------------------------------------------- the two views
def make_views(app):
    from workbench.gui import theme
    from workbench.gui.canvas import Canvas
    from workbench.gui.canvas_items import LinkItem, bezier
    from workbench.gui.document import Document

    theme.apply_theme("dark")
    doc = Document(build_pipeline())
    canvas = Canvas(doc)
    canvas.resize(W, H)
    canvas.move(0, 0)
    canvas.show()

    scene = QGraphicsScene()
    scene.setSceneRect(canvas.sceneRect())
    colors = canvas.look
    rects, paths = {}, {}
    for nid, item in canvas._nodes.items():
        r = QGraphicsRectItem(QRectF(0, 0, item.width, item.height))
        r.setPos(item.pos())
        r.setBrush(QBrush(colors.node))
        r.setPen(QPen(colors.node_border, 1.0))
        scene.addItem(r)
        rects[nid] = r
    attached: dict[str, list] = {nid: [] for nid in rects}
    for e, link in canvas._links.items():
        it = QGraphicsPathItem(link.path())
        it.setPen(QPen(link.color, LinkItem.WIDTH))
        it.setZValue(-1)
        scene.addItem(it)
        paths[e] = it
        attached[e.src].append((e, it))
        attached[e.dst].append((e, it))
    base = QGraphicsView(scene)
    base.keep = scene  # the view does not own its scene
    base.setRenderHint(QPainter.Antialiasing)
    base.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    base.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    base.resize(W, H)
    base.move(W + 10, 0)
    base.show()
    app.processEvents()
    counts = {"nodes": len(canvas._nodes), "links": len(canvas._links), "rects": len(rects), "paths": len(paths)}
    assert counts["nodes"] == counts["rects"] == 200 and counts["links"] == counts["paths"], counts

    def base_move(ids, dx):
        for nid in ids:
            rects[nid].moveBy(dx, 0)
        done = set()
        for nid in ids:
            for e, it in attached[nid]:
                if e in done:
                    continue
                done.add(e)
                src, dst = canvas._nodes[e.src], canvas._nodes[e.dst]
                p1 = rects[e.src].pos() + src.ports[("out", e.src_port)].pos
                p2 = rects[e.dst].pos() + dst.ports[("in", e.dst_port)].pos
                it.setPath(bezier(p1, p2))

    return doc, canvas, base, base_move, counts


def same_view(canvas, base, mode: str) -> None:
    """Put both views on the same transform and centre: all nodes, or 1:1 on the first groups."""
    if mode == "all":
        canvas.fit()
    else:
        canvas.resetTransform()
        first = canvas._nodes["src0"].sceneBoundingRect().topLeft()
        canvas.centerOn(first + QPointF(W / 2 - 40, H / 2 - 40))
    base.setTransform(canvas.transform())
    base.centerOn(canvas.mapToScene(canvas.viewport().rect().center()))


def visible_nodes(canvas, n: int) -> list[str]:
    view = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    ids = [nid for nid, it in canvas._nodes.items() if view.contains(it.sceneBoundingRect())]
    mid = len(ids) // 2
    return ids[max(0, mid - n // 2):max(0, mid - n // 2) + n]


# ---------------------------------------------------------------- the measurements
def measure(app, canvas, base, base_move, mode: str, reps: int) -> list[tuple[str, Compare]]:
    same_view(canvas, base, mode)
    app.processEvents()
    out = []

    def flush():
        app.processEvents()

    # pan
    state = {"i": 0}

    def pan(view):
        def run():
            d = 40 if state["i"] % 2 == 0 else -40
            view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + d)
            view.viewport().repaint()
        return run

    out.append(("pan", timed_pairs(pan(canvas), pan(base), reps, flush, state)))

    # zoom: wheel steps of a gesture (the canvas through zoom_by, as its wheelEvent does) ...
    def zoom(view):
        def run():
            f = 1.1 if state["i"] % 2 == 0 else 1 / 1.1
            if view is canvas:
                view.zoom_by(f)
            else:
                view.scale(f, f)
            view.viewport().repaint()
        return run

    out.append(("zoom step", timed_pairs(zoom(canvas), zoom(base), reps, flush, state)))

    # ... and the crisp re-render when the wheel rests (once per gesture), against a repaint of
    # the baseline after its zoom step
    def settle_canvas():
        canvas.zoom_by(1.1 if state["i"] % 2 == 0 else 1 / 1.1)
        t0 = time.perf_counter()
        canvas._zoom_timer.stop()
        canvas._zoom_settled()
        canvas.viewport().repaint()
        return time.perf_counter() - t0

    def settle_base():
        f = 1.1 if state["i"] % 2 == 0 else 1 / 1.1
        base.scale(f, f)
        t0 = time.perf_counter()
        base.viewport().repaint()
        return time.perf_counter() - t0

    out.append(("zoom settle", timed_pairs(settle_canvas, settle_base, reps, flush, state, inner=True)))

    # drag 10 selected nodes
    ids = visible_nodes(canvas, 10)
    assert len(ids) == 10, ids
    canvas.select(ids)
    items = [canvas._nodes[n] for n in ids]

    def drag_canvas(repaint: bool):
        def run():
            d = 10 if state["i"] % 2 == 0 else -10
            for it in items:
                it.moveBy(d, 0)
            if repaint:
                canvas.viewport().repaint()
            else:
                app.processEvents()
        return run

    def drag_base(repaint: bool):
        def run():
            base_move(ids, 10 if state["i"] % 2 == 0 else -10)
            if repaint:
                base.viewport().repaint()
            else:
                app.processEvents()
        return run

    out.append(("drag 10 nodes", timed_pairs(drag_canvas(True), drag_base(True), reps, flush, state)))
    out.append(("drag 10 nodes, incremental", timed_pairs(drag_canvas(False), drag_base(False), reps, flush, state)))
    canvas.select([])
    app.processEvents()
    return out


def timed_pairs(a, b, reps: int, flush, state, warm: int = 3, inner: bool = False) -> Compare:
    """a and b timed in pairs (inner: they time themselves and return the seconds)."""
    ta, tb = [], []
    for i in range(reps + warm):
        state["i"] = i
        # each side does the same step: a then b, or b then a (alternating)
        t1, r1, t2, r2 = pair(a, b, flip=i % 2 == 1)
        if inner:
            t1, t2 = r1, r2
        flush()
        if i >= warm:
            ta.append(t1)
            tb.append(t2)
    return Compare(ta, tb)


# ---------------------------------------------------------------- report
TARGETS = {"pan": 1.5, "zoom step": 1.5, "zoom settle": 8.0, "drag 10 nodes": 1.5, "drag 10 nodes, incremental": 2.0}

HOW_TO = f"""{BEGIN}
## Canvas benchmarks

```
.venv/bin/python bench/bench_canvas.py            # full run (under a minute); rewrites this section only
.venv/bin/python bench/bench_canvas.py --quick    # smoke check: few repetitions, prints only
```

The script replaces only the text between the `canvas` markers of this file (it appends the
section when they are missing), like `bench/bench_inference.py`.

A 200-node pipeline of real node types (20 groups of 10 nodes: coin-count chains and
contour/circle chains with branches; 240 links; no stored positions, so the canvas lays it
out in topological columns) is shown in the workbench canvas (1600×1000, offscreen, dark
theme). The **baseline** is the same scene made of plain Qt items: one `QGraphicsRectItem` per
node (same rectangle, brush and pen) and one `QGraphicsPathItem` per link (same Bézier path and
pen), in a `QGraphicsView` with default settings plus antialiasing. The baseline draws no
titles, ports, labels, headers or badges, so a ratio near 1 means the full node drawing costs
about what bare rectangles cost. The two views are shown side by side and timed in pairs, back
to back, in alternating order; a figure is the median over N pairs of the per-pair ratio
(canvas / baseline); pending events are processed between pairs, outside the timing.

Steps (each one change plus one synchronous `viewport().repaint()`), at two zoom levels,
"all" (fit: every node visible) and "1:1" (part of the graph at 100 %):

* **pan**: scroll 40 px, alternately left and right;
* **zoom step**: scale by 1.1, then back: the canvas through `zoom_by` (what its wheel does;
  during a gesture nodes are drawn from scaled pixmaps, no Python paint), the baseline through
  `scale()`;
* **zoom settle**: the canvas's re-render at the new scale when the wheel rests (once per
  gesture: every visible node's Python `paint` runs into a new device-resolution pixmap)
  against the baseline's repaint after the same step. This is the one figure far from 1: bare
  rectangles cost nothing to draw, a node with its texts and ports does; the target (≤ 8)
  keeps it below two frames at 60 Hz for a full screen of nodes;
* **drag 10 nodes**: move 10 selected, visible nodes by 10 px, alternately right and left (the
  canvas through its item code, which re-routes the attached links; the baseline moves the
  rects and sets the new link paths by hand);
* **drag 10 nodes, incremental**: the same move, then `processEvents()` instead of a full
  repaint: Qt repaints only what changed (what a real mouse drag costs).

The other targets (≤ 1.5, incremental drag ≤ 2) say that the canvas costs about what the bare
scene costs once its nodes are cached; the absolute medians show the frame time (16.7 ms at
60 Hz). `bench/bench_engine.py` keeps this section when it rewrites the file.
"""


def section(results: dict, info: dict[str, str], extra: dict, args) -> str:
    lines = [HOW_TO, "### Latest canvas figures", "",
             f"Measured {_dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')} with "
             f"`bench/bench_canvas.py{' --quick' if args.quick else ''}`.", "", "| Machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += ["", "| Benchmark | Figure | Target | Result | Canvas (median) | Baseline (median) | How |",
              "|---|---|---|---|---|---|---|"]
    for row, a, b in results["rows"]:
        lines.append(f"| {row.name} | {row.fmt_value()} | {row.fmt_target()} | {row.result} | {ms(a)} | {ms(b)} | "
                     f"{row.detail} |")
    lines += ["", f"Building the canvas for the 200 nodes and {extra['links']} links (items and layout): "
              f"{ms(extra['build'])}; opening the 10-node demo: {ms(extra['demo'])}.", "", END]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few repetitions; a smoke check (writes nothing)")
    ap.add_argument("--write", action="store_true", help="rewrite the doc section in --quick mode too")
    ap.add_argument("--no-write", action="store_true", help="do not touch docs/PERFORMANCE.md")
    ap.add_argument("--doc", type=Path, default=DOC, help="where to write the figures")
    args = ap.parse_args(argv)
    reps = 10 if args.quick else 120

    app = QApplication.instance() or QApplication(sys.argv[:1])
    info = _machine(libraries={"PySide6 / Qt": f"{PYSIDE_VERSION} (platform {app.platformName()})"})
    info.pop("cv2 threads", None)
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print("Machine: " + "; ".join(f"{k}: {v}" for k, v in info.items()), flush=True)

    t0 = time.perf_counter()
    doc, canvas, base, base_move, counts = make_views(app)
    build = time.perf_counter() - t0
    from workbench.core.paths import demo_pipeline
    from workbench.gui.canvas import Canvas
    from workbench.gui.document import Document
    t0 = time.perf_counter()
    demo_doc = Document()
    demo_doc.open(demo_pipeline())
    demo = Canvas(demo_doc)
    demo_t = time.perf_counter() - t0
    demo.deleteLater()

    cpu0, wall0 = time.process_time(), time.perf_counter()
    rows = []
    for mode in ("all", "1:1"):
        for name, c in measure(app, canvas, base, base_move, mode, reps):
            full = f"{name} ({mode})"
            rows.append((Row(full, c.ratio, TARGETS[name], c.describe()), statistics.median(c.a),
                         statistics.median(c.b)))
            print(f"{full:<36} ratio {c.ratio:6.3f}  canvas {ms(statistics.median(c.a)):>12}  "
                  f"baseline {ms(statistics.median(c.b)):>12}", flush=True)
    share = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    info["CPU time / wall time of the benchmark"] = f"{share:.3f} (single-threaded: below ~0.97 means other processes took CPU time)"
    if load_before is not None:
        info["Load average (1 min) before"] = f"{load_before:.2f}"
    print(f"\nbuild 200 nodes / {counts['links']} links: {ms(build)}; demo canvas: {ms(demo_t)}; "
          f"CPU/wall {share:.3f}")
    failed = [r for r, _, _ in rows if r.result == "FAIL"]
    for r in failed:
        print(f"FAIL: {r.name}: {r.fmt_value()} > {r.fmt_target()}")
    if (not args.quick or args.write) and not args.no_write:
        write_section(args.doc, "canvas",
                      section({"rows": rows}, info, {"build": build, "demo": demo_t, "links": counts["links"]}, args))
        print(f"wrote the canvas section of {args.doc}")
    return 1 if failed and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
