"""Independent branches of one run in parallel threads (``Engine(branch_threads=N)``).

The nodes are grouped in levels (a node's level is one more than its deepest upstream node's);
nodes of one level never depend on each other, so they run side by side in a thread pool while
the levels run in order. It pays where two or more heavy branches release the GIL (OpenCV,
onnxruntime) and the cores are not already busy with parallel workers; measured in
bench/bench_workers.py. Results, cache keys and the skipping rules are those of the sequential
run (each node still goes through ``Engine._run_node``); events may interleave between branches.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any


def levels(pipeline, order: list[str]) -> list[list[str]]:
    """The nodes of ``order`` (a topological order) grouped by level, each level in that order."""
    level: dict[str, int] = {}
    for nid in order:
        ups = [e.src for e in pipeline.incoming(nid).values()]
        level[nid] = 1 + max((level[u] for u in ups if u in level), default=-1)
    out: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for nid in order:
        out[level[nid]].append(nid)
    return out


def run_levels(engine, pipeline, order: list[str], results: dict, base_ctx, emit, cancel,
               feed: dict[str, tuple[dict[str, Any], bytes]] | None, threads: int) -> bool:
    """Fill ``results`` level by level, the runnable nodes of a level in parallel; True when cancelled."""
    from workbench.core.engine import CANCELLED, OK, NodeResult

    cancelled = False
    with ThreadPoolExecutor(threads, thread_name_prefix="workbench-branch") as pool:
        for group in levels(pipeline, order):
            runnable = []
            for nid in group:
                if cancel is not None and cancel.cancelled:
                    cancelled = True
                    results[nid] = NodeResult(nid, CANCELLED, message="run cancelled")
                elif feed and nid in feed:
                    outs, key = feed[nid]
                    results[nid] = NodeResult(nid, OK, dict(outs), key=key)
                else:
                    runnable.append(nid)
            if len(runnable) == 1:
                done = {runnable[0]: engine._run_node(pipeline, pipeline.nodes[runnable[0]], results, base_ctx, emit)}
            else:
                futures = {nid: pool.submit(engine._run_node, pipeline, pipeline.nodes[nid], results, base_ctx, emit)
                           for nid in runnable}
                done = {nid: f.result() for nid, f in futures.items()}
            for nid in runnable:  # in topological order, as the sequential run fills it
                results[nid] = done[nid]
                cancelled = cancelled or done[nid].status == CANCELLED
    ordered = {nid: results[nid] for nid in order}  # the sequential run's order (rows list results in it)
    results.clear()
    results.update(ordered)
    return cancelled
