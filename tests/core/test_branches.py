"""Independent branches in parallel (Engine(branch_threads=N), core/branches.py): the same results,
cache hits and skips as the sequential engine, on a real pipeline with two heavy branches."""

from __future__ import annotations

import numpy as np

from workbench.core.branches import levels
from workbench.core.engine import CACHED, Engine
from workbench.core.paths import demo_pipeline
from workbench.core.pipeline_file import load_pipeline


def _two_branches():
    pipe = load_pipeline(demo_pipeline())
    pipe.remove_node("save")
    # a second heavy branch from the source: its own blur and threshold, feeding nothing else
    pipe.add_node("cv.gaussian_blur", "blur2", params={"sigma": 4.0})
    pipe.add_node("cv.threshold", "thr2", params={"mode": "OTSU"})
    pipe.connect("source", "image", "blur2", "image")
    pipe.connect("blur2", "out", "thr2", "image")
    return pipe


def _same(a, b):
    assert list(a.nodes) == list(b.nodes)
    for nid, ra in a.nodes.items():
        rb = b.nodes[nid]
        assert (ra.status, ra.key, set(ra.outputs)) == (rb.status, rb.key, set(rb.outputs)), nid
        for port, va in ra.outputs.items():
            vb = rb.outputs[port]
            if isinstance(va, np.ndarray):
                assert np.array_equal(va, vb), (nid, port)
            else:
                assert repr(va) == repr(vb), (nid, port)


def test_levels_put_the_two_branches_side_by_side():
    pipe = _two_branches()
    lv = levels(pipe, pipe.topological_order())
    assert lv[0] == ["source"] and {"blur", "blur2"} <= set(lv[1]) and {"threshold", "thr2"} <= set(lv[2])
    assert sum(map(len, lv)) == len(pipe.nodes)


def test_parallel_branches_give_the_sequential_results_and_cache():
    pipe = _two_branches()
    seq, par = Engine(), Engine(branch_threads=2)
    _same(par.run(pipe), seq.run(pipe))
    pipe.set_param("thr2", "invert", True)  # only thr2 re-runs; everything else is a cache hit in both
    a, b = par.run(pipe), seq.run(pipe)
    _same(a, b)
    assert {n for n, r in a.nodes.items() if r.status != CACHED} == {"thr2"}
    pipe.set_param("source", "path", "missing.png")  # a failing source: both skip the same nodes
    a, b = par.run(pipe), seq.run(pipe)
    assert [(n, r.status, r.message) for n, r in a.nodes.items()] == [(n, r.status, r.message) for n, r in b.nodes.items()]
