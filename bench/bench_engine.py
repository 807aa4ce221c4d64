"""Engine benchmarks: ratios against hand-written baselines measured in the same run.

    .venv/bin/python bench/bench_engine.py            # full run, rewrites docs/PERFORMANCE.md
    .venv/bin/python bench/bench_engine.py --quick    # smoke check: few repetitions, writes nothing

What is measured (see docs/PERFORMANCE.md for the figures and the targets):

1. Engine overhead per node: a 200-node chain of trivial nodes (a source returning its Int
   parameter, then add_one(x) -> x + 1) in a private Registry. Every run executes every node
   (the source's parameter changes before each run, so every cache key misses; a second
   variant uses Engine(cache=False)). Overhead per node = (engine run - the same node
   functions called directly in a loop) / number of nodes.
2. A 5 MP OpenCV pipeline (source + 10 built-in nodes) against one hand-written function that
   calls the same node functions with the same parameters. The source node picks a
   pre-generated frame by its `index` parameter, which changes before each run: a full run
   every time, no cache hits.
3. Incremental runs of the same pipeline: an unchanged re-run (everything cached) against a
   full run; and a re-run after editing the last node's parameter against that node's own
   cost (the node function called directly on the same inputs with the same parameters).

Timing: time.perf_counter around each call. Engine and baseline are timed in pairs, back to
back, in alternating order (so drift and warm caches affect both sides alike); a figure is the
median over N pairs of the per-pair ratio (or difference). The ratio of the medians and of the
minima are shown too. OpenCV's thread count is set once with cv2.setNumThreads (default 1,
--threads) and applies to both sides. The garbage collector stays enabled (it is part of the
real cost). The load average and this process's CPU time / wall time are recorded: a busy
machine makes every figure noisier.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from workbench.core.engine import CACHED, Engine  # noqa: E402
from workbench.core.graph import Pipeline  # noqa: E402
from workbench.core.registry import Registry  # noqa: E402
from workbench.core.spec import node  # noqa: E402
from workbench.core.types import Image, Int  # noqa: E402
from workbench.nodes.annotate.draw_overlay import draw_overlay  # noqa: E402
from workbench.nodes.color.convert_color import Conversion, convert_color  # noqa: E402
from workbench.nodes.filter.gaussian_blur import Border, gaussian_blur  # noqa: E402
from workbench.nodes.judge.judge import Rule, judge  # noqa: E402
from workbench.nodes.measure.count import count  # noqa: E402
from workbench.nodes.morphology.fill_holes import fill_holes  # noqa: E402
from workbench.nodes.morphology.morphology import KernelShape, MorphOp, morphology  # noqa: E402
from workbench.nodes.regions.blob_analysis import blob_analysis  # noqa: E402
from workbench.nodes.segmentation.threshold import ThresholdMode, threshold  # noqa: E402

from _harness import Compare, Mismatch, Row, ms, pair, timed, us  # noqa: E402  (bench/ is the script's folder)
from _harness import machine  # noqa: E402

DOC = ROOT / "docs" / "PERFORMANCE.md"
WIDTH, HEIGHT = 2592, 1944  # 5.04 MP
CHAIN = 200


# ---------------------------------------------------------------- bench-only nodes
@node("bench.int_source", name="Int Source", category="Bench")
def int_source(value: int = 0) -> Int:
    return value


@node("bench.add_one", name="Add One", category="Bench")
def add_one(x: Int) -> Int:
    return x + 1


FRAMES: list[np.ndarray] = []  # filled by make_frames(); the frame source picks one by index


@node("bench.frame", name="Bench Frame", category="Bench")
def frame(index: int = 0) -> Image:
    return FRAMES[index % len(FRAMES)]


def make_frame(seed: int) -> np.ndarray:
    """A 2592x1944 BGR uint8 scene: shaded background, ~200 bright shapes (some with holes), noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    base = 40 + 30 * (xx / WIDTH) + 15 * (yy / HEIGHT)
    img = np.dstack([base + 5, base, base - 5]).astype(np.uint8)
    for _ in range(140):
        c = (int(rng.integers(60, WIDTH - 60)), int(rng.integers(60, HEIGHT - 60)))
        r = int(rng.integers(12, 55))
        col = tuple(int(v) for v in rng.integers(150, 235, 3))
        cv2.circle(img, c, r, col, -1, cv2.LINE_AA)
        if rng.random() < 0.25:  # a ring: a dark hole for fill_holes
            cv2.circle(img, c, max(3, r // 3), (50, 50, 50), -1, cv2.LINE_AA)
    for _ in range(40):
        x, y = int(rng.integers(0, WIDTH - 120)), int(rng.integers(0, HEIGHT - 120))
        w, h = int(rng.integers(15, 110)), int(rng.integers(15, 110))
        cv2.rectangle(img, (x, y), (x + w, y + h), tuple(int(v) for v in rng.integers(150, 235, 3)), -1)
    for _ in range(20):
        c = (int(rng.integers(80, WIDTH - 80)), int(rng.integers(80, HEIGHT - 80)))
        axes = (int(rng.integers(15, 70)), int(rng.integers(8, 40)))
        cv2.ellipse(img, c, axes, float(rng.uniform(0, 180)), 0, 360,
                    tuple(int(v) for v in rng.integers(150, 235, 3)), -1, cv2.LINE_AA)
    noise = rng.normal(0.0, 8.0, img.shape).astype(np.float32)
    return np.ascontiguousarray(np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8))


# ---------------------------------------------------------------- 1. overhead per node
def bench_overhead(reps: int) -> tuple[list[Row], dict]:
    reg = Registry()
    reg.register(int_source)
    reg.register(add_one)
    p = Pipeline(reg)
    p.add_node("bench.int_source", "src")
    last = "src"
    for i in range(1, CHAIN):
        nid = f"n{i}"
        p.add_node("bench.add_one", nid)
        p.connect(last, "out", nid, "x")
        last = nid
    funcs = [p.nodes[f"n{i}"].spec.func for i in range(1, CHAIN)]
    src_func = p.nodes["src"].spec.func

    def direct(v: int) -> int:
        v = src_func(v)
        for f in funcs:
            v = f(v)
        return v

    rows, raw = [], {}
    for label, cache in (("cache on, source param changed each run", True), ("Engine(cache=False)", False)):
        engine = Engine(cache=cache)
        t_eng, t_dir, t_cached = [], [], []
        warm = 5
        for i in range(reps + warm):
            v = 1000 * (2 if cache else 3) + i
            p.set_param("src", "value", v)  # outside the timed call: every cache key misses
            t, res, td, out = pair(lambda: engine.run(p), lambda: direct(v), flip=i % 2 == 1)
            t_eng.append(t)
            t_dir.append(td)
            if res.output(last) != out or out != v + CHAIN - 1:
                raise Mismatch(f"overhead benchmark: engine gave {res.output(last)}, direct calls {out}")
            if len(res.executed) != CHAIN:
                raise Mismatch(f"overhead benchmark: only {len(res.executed)} of {CHAIN} nodes executed")
            if cache and i % 4 == 0:  # an unchanged re-run of the chain: every node is a cache hit
                t, res = timed(lambda: engine.run(p))
                t_cached.append(t)
                if res.executed:
                    raise Mismatch("overhead benchmark: an unchanged re-run executed nodes")
        c = Compare(t_eng[warm:], t_dir[warm:])
        mn = (min(c.a) - min(c.b)) / CHAIN
        raw.setdefault("overhead_per_node", c.diff / CHAIN)
        rows.append(Row(f"1. Engine overhead per node ({label})", c.diff / CHAIN * 1e6, 20.0,
                        f"{CHAIN}-node chain, median engine run {ms(statistics.median(c.a))} vs direct calls "
                        f"{ms(statistics.median(c.b))}; from minima {mn * 1e6:.2f} µs/node; N={len(c.a)}", unit="us"))
        if t_cached:
            raw["cached_per_node"] = statistics.median(t_cached) / CHAIN
    return rows, raw


# ---------------------------------------------------------------- 2./3. the 5 MP pipeline
PARAMS = {
    "gray": {"conversion": Conversion.BGR2GRAY},
    "blur": {"sigma": 2.0, "border": Border.REFLECT},
    "thresh": {"mode": ThresholdMode.OTSU},
    "open": {"operation": MorphOp.OPEN, "shape": KernelShape.ELLIPSE, "size": 5, "iterations": 1},
    "close": {"operation": MorphOp.CLOSE, "shape": KernelShape.ELLIPSE, "size": 7, "iterations": 1},
    "fill": {},
    "blobs": {"min_area": 80.0},
    "count": {"name": "count"},
    "judge": {"measurement": "count", "rule": Rule.IN_RANGE, "low": 100.0, "high": 400.0},
    "overlay": {"thickness": 2, "show_labels": True},
}


def build_pipeline() -> Pipeline:
    reg = Registry()
    reg.load_builtins()
    reg.register(frame)
    p = Pipeline(reg)
    p.add_node("bench.frame", "frame")
    types = {"gray": "cv.convert_color", "blur": "cv.gaussian_blur", "thresh": "cv.threshold",
             "open": "cv.morphology", "close": "cv.morphology", "fill": "cv.fill_holes",
             "blobs": "cv.blob_analysis", "count": "cv.count", "judge": "cv.judge", "overlay": "cv.draw_overlay"}
    for nid, t in types.items():
        p.add_node(t, nid, {k: v for k, v in PARAMS[nid].items()})
    for src, sp, dst, dp in [
        ("frame", "out", "gray", "image"), ("gray", "out", "blur", "image"), ("blur", "out", "thresh", "image"),
        ("thresh", "out", "open", "mask"), ("open", "out", "close", "mask"), ("close", "out", "fill", "mask"),
        ("fill", "out", "blobs", "mask"), ("blobs", "regions", "count", "regions"),
        ("count", "measurements", "judge", "measurements"), ("frame", "out", "overlay", "image"),
        ("blobs", "regions", "overlay", "regions"), ("blobs", "measurements", "overlay", "measurements"),
        ("judge", "out", "overlay", "verdict"),
    ]:
        p.connect(src, sp, dst, dp)
    return p


def hand_written(index: int, thickness: int = 2):
    """The same pipeline as one plain function: the same node functions, the same parameters."""
    img = frame(index)
    gray = convert_color(img, **PARAMS["gray"])
    blur = gaussian_blur(gray, **PARAMS["blur"])
    mask = threshold(blur, **PARAMS["thresh"])
    mask = morphology(mask, **PARAMS["open"])
    mask = morphology(mask, **PARAMS["close"])
    mask = fill_holes(mask)
    regions, meas = blob_analysis(mask, **PARAMS["blobs"])
    n, cmeas = count(regions, **PARAMS["count"])
    verdict = judge(cmeas, **PARAMS["judge"])
    overlay = draw_overlay(img, regions, None, meas, verdict, thickness=thickness,
                           show_labels=PARAMS["overlay"]["show_labels"])
    return n, verdict, overlay


def bench_pipeline(reps: int) -> tuple[list[Row], dict]:
    p = build_pipeline()
    engine = Engine()
    idx = [0]

    def next_frame() -> int:  # an edit outside the timed region: a new frame index, every key misses
        idx[0] += 1
        p.set_param("frame", "index", idx[0])
        return idx[0]

    # correctness first: engine == hand-written
    i = next_frame()
    res = engine.run(p)
    n, verdict, overlay = hand_written(i)
    if res.failed or res.output("count", "count") != n or not np.array_equal(res.output("overlay"), overlay) \
            or res.output("judge").ok != verdict.ok:
        raise Mismatch(f"pipeline benchmark: engine and hand-written results differ {res.errors}")
    blobs = n

    warm = 2
    t_full, t_base, t_cached, book = [], [], [], []
    for r in range(reps + warm):
        i = next_frame()
        t, res, tb, (n, _, _) = pair(lambda: engine.run(p), lambda: hand_written(i), flip=r % 2 == 1)
        t_full.append(t)
        t_base.append(tb)
        book.append(t - sum(x.seconds for x in res.nodes.values()))  # engine time outside the node calls
        if res.executed != list(p.topological_order()):
            raise Mismatch("pipeline benchmark: a full run did not execute every node")
        if res.output("count", "count") != n:
            raise Mismatch("pipeline benchmark: engine and hand-written counts differ")
        t, again = timed(lambda: engine.run(p))
        t_cached.append(t)
        if any(x.status != CACHED for x in again.nodes.values()):
            raise Mismatch("pipeline benchmark: an unchanged re-run executed a node")
    full = Compare(t_full[warm:], t_base[warm:])
    cached = Compare(t_cached[warm:], t_full[warm:])
    rows = [
        Row("2. 5 MP pipeline, full run: engine / hand-written", full.ratio, 1.03,
            f"{full.describe(ms)}; {len(p.nodes)} nodes, {blobs} blobs"),
        Row("3a. Unchanged re-run / full run", cached.ratio, 0.01,
            f"median {us(statistics.median(cached.a))} vs {ms(statistics.median(cached.b))} "
            f"({statistics.median(cached.a) / len(p.nodes) * 1e6:.1f} µs per cached node); N={len(cached.a)}"),
    ]

    # 3b. edit the last node's parameter; compare with that node called directly on the same inputs
    img, regions = res.output("frame"), res.output("blobs", "regions")
    meas, verd = res.output("blobs", "measurements"), res.output("judge")
    t_edit, t_node = [], []
    th = PARAMS["overlay"]["thickness"]
    for r in range(2 * reps + warm):
        th = 3 if th == 2 else 2
        p.set_param("overlay", "thickness", th)
        t, last, tn, _ = pair(lambda: engine.run(p),
                              lambda: draw_overlay(img, regions, None, meas, verd, thickness=th,
                                                   show_labels=PARAMS["overlay"]["show_labels"]),
                              flip=r % 2 == 1)
        if last.executed != ["overlay"]:
            raise Mismatch(f"pipeline benchmark: editing the last node re-ran {last.executed}")
        t_edit.append(t)
        t_node.append(tn)
    if not np.array_equal(last.output("overlay"),
                          draw_overlay(img, regions, None, meas, verd, thickness=th, show_labels=True)):
        raise Mismatch("pipeline benchmark: edited overlay differs from the direct call")
    edit = Compare(t_edit[warm:], t_node[warm:])
    rows.append(Row("3b. Re-run after editing the last node / that node's own cost", edit.ratio,
                    1.05, f"draw_overlay: {edit.describe(ms)}"))
    per_node = {nid: r.seconds for nid, r in engine.run(p).nodes.items()}
    return rows, {"per_node": per_node, "baseline_median": statistics.median(full.b), "nodes": len(p.nodes),
                  "bookkeeping": statistics.median(book[warm:])}


# ---------------------------------------------------------------- report
HOW_TO = """\
# Performance

## How to run

```
.venv/bin/python bench/bench_engine.py            # full run (about a minute); rewrites this file
.venv/bin/python bench/bench_engine.py --quick    # smoke check: few repetitions, prints only
.venv/bin/python bench/bench_engine.py --threads 4   # OpenCV thread count for both sides (default 1)
```

The script prints a table and (full mode, or `--write`) rewrites this file. Full mode exits
with status 1 when a target is missed; every mode exits with status 2 when the engine's
results differ from the hand-written baseline (the figures would be meaningless). `--quick`
reports PASS/FAIL too but exits 0 on a missed target: a few repetitions are too noisy to gate on.

Every figure is a ratio (or a difference) against a hand-written baseline measured **in the
same run**. Engine and baseline are timed in pairs, back to back, in alternating order (so
drift and warm caches affect both sides alike); the figure compared with the target is the
**median over N pairs of the per-pair ratio** (for the overhead: of the per-pair difference).
The quartiles of the per-pair ratios (a gauge of the noise), the ratio of the medians and the
ratio of the minima are shown beside it. `cv2.setNumThreads` is set once for both sides; the
garbage collector stays enabled. The load average and the benchmark's CPU time / wall time
are recorded: other processes on the machine make every figure noisier, and a run on a busy
machine says so. Benchmarks live in `bench/`, not in the tests: tests check correctness only.

What is measured:

1. **Engine overhead per node.** A 200-node chain of trivial nodes in a private `Registry`
   (`bench.int_source` returns its `value` parameter, then 199 × `bench.add_one(x) -> x + 1`).
   The source parameter changes before every run, so every node misses the cache and runs
   (a second row uses `Engine(cache=False)`). Overhead per node = median over runs of
   (engine run − the same 200 functions called directly in a loop) / 200. It includes hashing
   the cache key, the context, events, output type checks, the result records, and the
   topological order that an edit invalidates.
2. **5 MP OpenCV pipeline.** A synthetic 2592×1944 BGR uint8 scene (shaded background, about
   200 bright discs, rings, rectangles and ellipses, Gaussian noise σ=8) goes through
   `bench.frame` (picks a pre-generated frame by its `index` parameter) → convert_color →
   gaussian_blur (σ=2) → threshold (Otsu) → morphology (open 5) → morphology (close 7) →
   fill_holes → blob_analysis → count → judge → draw_overlay (11 nodes). Baseline: one
   function calling the same node functions with the same parameters. The frame index
   changes before each run, so every run is a full run; the engine's output is checked
   equal to the baseline's.
3. **Incremental runs.** (a) the same pipeline re-run unchanged (every node a cache hit) against
   a full run; (b) the re-run after editing `draw_overlay.thickness` (the last node; only it
   re-runs) against the cost of calling `draw_overlay` directly on the same inputs.

Reading figure 2: the engine adds well under 1 % to a 5 MP run (see the cross-check below the
table, which measures the engine's time outside the node functions directly), so the ratio
mostly shows how reproducible two ~90 ms OpenCV runs are. On the 2-vCPU VM where this benchmark
was written, repeated runs of the script put it anywhere between 0.97 and 1.01 (and between
0.93 and 1.03 in `--quick` mode, or with other processes busy); a ratio below 1 is that noise,
not an engine faster than plain calls. With `--threads 2` on 2 CPUs the spread roughly doubles:
1 thread is the default for that reason.
"""


def write_doc(rows: list[Row], info: dict[str, str], extra: dict, args, path: Path) -> None:
    lines = [HOW_TO, "## Latest figures", "",
             f"Measured {_dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')} with "
             f"`bench/bench_engine.py{' --quick' if args.quick else ''} --threads {args.threads}` "
             f"(`cv2.setNumThreads({args.threads})` for engine and baseline alike; gc enabled).", "",
             "| Machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in info.items()]
    lines += ["", "| Benchmark | Figure | Target | Result | How |", "|---|---|---|---|---|"]
    lines += [f"| {r.name} | {r.fmt_value()} | {r.fmt_target()} | {'PASS' if r.passed else 'FAIL'} | {r.detail} |"
              for r in rows]
    predicted = extra["nodes"] * extra["overhead_per_node"] / extra["baseline_median"]
    lines += ["", "Cross-check of benchmark 2, free of the OpenCV timing noise: in each full run, the engine's "
              "time outside the node functions (the run's wall time − the sum of its `NodeResult.seconds`) "
              f"has a median of {us(extra['bookkeeping'])}, "
              f"{extra['bookkeeping'] / extra['baseline_median'] * 100:.2f} % of the hand-written run "
              f"({ms(extra['baseline_median'])}); benchmark 1 predicts {extra['nodes']} nodes × "
              f"{extra['overhead_per_node'] * 1e6:.2f} µs = {predicted * 100:.2f} % (more here: the bookkeeping "
              "sizes a RegionSet contour by contour, recomputes the topological order after the edit and "
              "frees the previous run's cached arrays, and it probably runs with CPU caches just flushed by "
              "a 5 MP OpenCV call). Where the measured ratio differs from 1 by more than that, it is the "
              "run-to-run noise of the OpenCV calls themselves (see the quartiles of the per-pair ratios).",
              "", f"Unchanged re-run of the 200-node chain: {extra['cached_per_node'] * 1e6:.2f} µs per cached node.",
              "", "Per-node time of one full run of the 5 MP pipeline (`NodeResult.seconds`):", "",
              "| Node | ms |", "|---|---|"]
    lines += [f"| {nid} | {s * 1e3:.3f} |" for nid, s in extra["per_node"].items()]
    lines.append("")
    text = "\n".join(lines)
    if path.exists():  # keep the sections other benchmarks own (<!-- name --> ... <!-- /name -->)
        kept = re.finditer(r"<!-- ([a-z_]+) -->.*?<!-- /\1 -->\n?", path.read_text(encoding="utf-8"), re.S)
        for section in kept:
            text = text.rstrip("\n") + "\n\n" + section.group(0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few repetitions; a smoke check (writes nothing)")
    ap.add_argument("--threads", type=int, default=1, help="cv2.setNumThreads for both sides (default 1)")
    ap.add_argument("--write", action="store_true", help="rewrite docs/PERFORMANCE.md in --quick mode too")
    ap.add_argument("--no-write", action="store_true", help="do not rewrite docs/PERFORMANCE.md")
    ap.add_argument("--doc", type=Path, default=DOC, help="where to write the figures")
    args = ap.parse_args(argv)

    cv2.setNumThreads(args.threads)
    reps_chain, reps_pipe = (30, 5) if args.quick else (1000, 80)
    info = machine()
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print("Machine: " + "; ".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    print(f"Generating {WIDTH}x{HEIGHT} frames...", flush=True)
    FRAMES[:] = [make_frame(s) for s in (1, 2)]

    cpu0, wall0 = time.process_time(), time.perf_counter()
    try:
        rows, raw = bench_overhead(reps_chain)
        prow, praw = bench_pipeline(reps_pipe)
    except Mismatch as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    rows += prow
    raw.update(praw)
    share = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    info["CPU time / wall time of the benchmark"] = (
        f"{share:.3f}" + (" (with 1 OpenCV thread, below ~0.97 means other processes took CPU time)"
                          if args.threads == 1 else ""))

    if load_before is not None:
        load_after = os.getloadavg()[0]
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        busy = max(load_before, load_after) > cpus  # more runnable work than this process alone
        info["Load average (1 min) before / after"] = (
            f"{load_before:.2f} / {load_after:.2f}"
            + (" (other processes were busy: figures are noisier)" if busy else ""))
        if busy:
            print(f"WARNING: load average {load_before:.2f} / {load_after:.2f} on {cpus} CPUs: "
                  "other processes were busy, the figures are noisier", file=sys.stderr)
    w = max(len(r.name) for r in rows)
    print()
    print(f"{'benchmark':<{w}}  {'figure':>11}  {'target':>9}  result")
    for r in rows:
        print(f"{r.name:<{w}}  {r.fmt_value():>11}  {r.fmt_target():>9}  {'PASS' if r.passed else 'FAIL'}")
        print(f"{'':<{w}}    {r.detail}")
    print(f"\nCPU time / wall time: {share:.3f}; "
          f"chain, unchanged re-run: {raw['cached_per_node'] * 1e6:.2f} µs per cached node")
    print(f"5 MP pipeline, engine time outside the node functions: {us(raw['bookkeeping'])} per run = "
          f"{raw['bookkeeping'] / raw['baseline_median'] * 100:.2f} % of the hand-written run "
          f"(benchmark 1 predicts {raw['nodes']} x {raw['overhead_per_node'] * 1e6:.2f} µs = "
          f"{raw['nodes'] * raw['overhead_per_node'] / raw['baseline_median'] * 100:.2f} %)")
    print("5 MP pipeline per node (ms): " + ", ".join(f"{k} {v * 1e3:.2f}" for k, v in raw["per_node"].items()))

    if (not args.quick or args.write) and not args.no_write:
        write_doc(rows, info, raw, args, args.doc)
        print(f"\nwrote {args.doc}")
    failed = [r for r in rows if not r.passed]
    if failed and not args.quick:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
