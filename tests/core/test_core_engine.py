"""The engine: order, incremental cache, failures, conditional skip, cancellation, events, sizes."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

from workbench.core.engine import (CACHED, CANCELLED, FAILED, OK, SKIPPED, Engine, NodeFailed, NodeFinished,
                                   NodeProgress, NodeSkipped, NodeStarted, RunFinished, RunStarted)
from workbench.core.graph import Pipeline
from workbench.core.registry import default_registry
from workbench.core.spec import CancelToken


def statuses(result) -> dict[str, str]:
    return {nid: r.status for nid, r in result.nodes.items()}


@pytest.fixture
def pipe(treg, tmp_path) -> Pipeline:
    return Pipeline(treg, base_dir=tmp_path)


def chain(pipe: Pipeline) -> Pipeline:
    """src -> a -> b, and an independent branch src -> c."""
    pipe.add_node("test.source", "src", {"value": 10})
    pipe.add_node("test.add", "a", {"amount": 1})
    pipe.add_node("test.add", "b", {"amount": 2})
    pipe.add_node("test.add", "c", {"amount": 100})
    pipe.connect("src", "out", "a", "image")
    pipe.connect("a", "out", "b", "image")
    pipe.connect("src", "out", "c", "image")
    return pipe


# ---------------------------------------------------------------- order and values
def test_runs_in_topological_order_with_values(pipe, order, calls):
    # add nodes downstream-first so that insertion order is not the execution order
    pipe.add_node("test.join", "j")
    pipe.add_node("test.add", "b", {"amount": 2})
    pipe.add_node("test.add", "a", {"amount": 1})
    pipe.add_node("test.source", "src", {"value": 10})
    pipe.connect("src", "out", "a", "image")
    pipe.connect("a", "out", "b", "image")
    pipe.connect("b", "out", "j", "a")
    pipe.connect("src", "out", "j", "b")
    res = Engine().run(pipe)
    assert order == ["src", "a", "b", "j"]
    assert all(calls[n] == 1 for n in pipe.nodes)
    assert statuses(res) == {"j": OK, "b": OK, "a": OK, "src": OK}
    assert res.output("b").tolist() == np.full((8, 8), 13).tolist()
    assert int(res.output("j", "out")[0, 0]) == 23
    assert res.failed == [] and res.errors == [] and not res.cancelled
    assert res.seconds >= 0


def test_multi_output_node(pipe):
    pipe.add_node("test.source", "src", {"value": 2, "size": 4})
    pipe.add_node("test.pair", "p")
    pipe.connect("src", "out", "p", "image")
    res = Engine().run(pipe)
    assert set(res.nodes["p"].outputs) == {"image", "total"}
    assert res.output("p", "total") == 32
    assert res.output("p", "image").shape == (4, 4)


# ---------------------------------------------------------------- cache
def test_unchanged_rerun_executes_nothing(pipe, calls):
    chain(pipe)
    eng = Engine()
    first = eng.run(pipe)
    assert set(statuses(first).values()) == {OK}
    assert sorted(first.executed) == ["a", "b", "c", "src"]
    second = eng.run(pipe)
    assert set(statuses(second).values()) == {CACHED}
    assert second.executed == []
    assert dict(calls) == {"src": 1, "a": 1, "b": 1, "c": 1}
    # cached results carry the same outputs
    assert np.array_equal(second.output("b"), first.output("b"))


def test_param_change_reruns_only_node_and_downstream(pipe, calls):
    chain(pipe)
    eng = Engine()
    eng.run(pipe)
    pipe.set_param("a", "amount", 5)
    res = eng.run(pipe)
    assert statuses(res) == {"src": CACHED, "a": OK, "b": OK, "c": CACHED}
    assert dict(calls) == {"src": 1, "a": 2, "b": 2, "c": 1}
    assert int(res.output("b")[0, 0]) == 10 + 5 + 2
    # a change at the leaf re-runs the leaf only
    pipe.set_param("b", "amount", 3)
    res = eng.run(pipe)
    assert statuses(res) == {"src": CACHED, "a": CACHED, "b": OK, "c": CACHED}
    assert int(res.output("b")[0, 0]) == 18
    # a change at the source re-runs everything
    pipe.set_param("src", "value", 20)
    res = eng.run(pipe)
    assert set(statuses(res).values()) == {OK}
    assert dict(calls) == {"src": 2, "a": 3, "b": 4, "c": 2}


def test_relinking_invalidates_downstream(pipe, calls):
    chain(pipe)
    eng = Engine()
    eng.run(pipe)
    pipe.connect("c", "out", "b", "image")  # replaces a -> b
    res = eng.run(pipe)
    assert statuses(res) == {"src": CACHED, "a": CACHED, "b": OK, "c": CACHED}
    assert int(res.output("b")[0, 0]) == 10 + 100 + 2


def test_cache_disabled_and_non_cacheable_nodes(pipe, calls):
    chain(pipe)
    pipe.add_node("test.sink", "sink")
    pipe.connect("b", "out", "sink", "image")
    eng = Engine()
    eng.run(pipe)
    res = eng.run(pipe)
    assert res.nodes["sink"].status == OK and res.nodes["b"].status == CACHED  # side effects always run
    assert calls["sink"] == 2 and calls["b"] == 1
    nocache = Engine(cache=False)
    nocache.run(pipe)
    res = nocache.run(pipe)
    assert set(statuses(res).values()) == {OK}
    assert calls["src"] == 3
    eng.clear_cache()
    assert eng.run(pipe).nodes["src"].status == OK


def test_removed_node_leaves_no_stale_cache(pipe, calls):
    chain(pipe)
    eng = Engine()
    eng.run(pipe)
    pipe.remove_node("c")
    pipe.add_node("test.add", "c", {"amount": 100})  # same id, same params, but not linked
    res = eng.run(pipe)
    assert res.nodes["c"].status == SKIPPED
    assert res.nodes["c"].message == "input 'image' is not linked"


# ---------------------------------------------------------------- failures
def test_error_isolation(pipe, calls):
    pipe.add_node("test.source", "src")
    pipe.add_node("test.fail", "f")
    pipe.add_node("test.add", "below")
    pipe.add_node("test.add", "below2")
    pipe.add_node("test.add", "other")
    pipe.connect("src", "out", "f", "image")
    pipe.connect("f", "out", "below", "image")
    pipe.connect("below", "out", "below2", "image")
    pipe.connect("src", "out", "other", "image")
    events = []
    res = Engine().run(pipe, on_event=events.append)
    f = res.nodes["f"]
    assert f.status == FAILED
    assert f.message == "ValueError: kaboom"
    assert f.inputs == "image=uint8 8x8 array"
    assert f.error_line == "node f: ValueError: kaboom (inputs: image=uint8 8x8 array)"
    assert res.errors == [f.error_line] and res.failed == [f]
    assert res.nodes["below"].status == SKIPPED and res.nodes["below"].message == "upstream f failed"
    assert res.nodes["below2"].status == SKIPPED and res.nodes["below2"].message == "upstream below skipped"
    assert res.nodes["other"].status == OK and int(res.output("other")[0, 0]) == 11
    assert calls["below"] == 0 and calls["below2"] == 0
    assert NodeFailed("f", "ValueError: kaboom", "image=uint8 8x8 array") in events
    assert NodeSkipped("below", "upstream f failed") in events
    assert events[-1] == RunFinished(events[-1].seconds, False, 1)


def test_failed_node_is_not_cached_and_recovers(pipe, calls):
    pipe.add_node("test.source", "src")
    pipe.add_node("test.fail", "f")
    pipe.add_node("test.add", "below")
    pipe.connect("src", "out", "f", "image")
    pipe.connect("f", "out", "below", "image")
    eng = Engine()
    eng.run(pipe)
    res = eng.run(pipe)  # still failing: it runs again (failures are not cached)
    assert res.nodes["f"].status == FAILED and calls["f"] == 2
    pipe.set_param("f", "fail", False)
    res = eng.run(pipe)
    assert statuses(res) == {"src": CACHED, "f": OK, "below": OK}
    assert int(res.output("below")[0, 0]) == 11


def test_multiline_error_is_reduced_to_first_line(pipe):
    pipe.add_node("test.source", "src")
    pipe.add_node("test.fail", "f", {"message": "first line\nsecond line"})
    pipe.connect("src", "out", "f", "image")
    res = Engine().run(pipe)
    assert res.nodes["f"].message == "ValueError: first line"


def test_workbench_error_message_is_kept_verbatim(pipe, treg):
    """A node's own NodeInputError is shown as written, without an exception class prefix."""
    import workbench.nodes.judge.judge as judge_mod
    import workbench.nodes.measure.count as count_mod

    treg.register_module(judge_mod)
    treg.register_module(count_mod)
    pipe.add_node("test.regions_source", "r")
    pipe.add_node("cv.count", "n")
    pipe.add_node("cv.judge", "j", {"measurement": "area"})
    pipe.connect("r", "out", "n", "regions")
    pipe.connect("n", "measurements", "j", "measurements")
    res = Engine().run(pipe)
    assert res.nodes["j"].status == FAILED
    assert res.nodes["j"].message == "no measurement 'area' (available: count)"
    assert res.nodes["j"].inputs == "measurements=Measurements(count=0)"


def test_opencv_error_is_summarised_in_one_line(tmp_path):
    """A cv2.error's multi-line text becomes 'OpenCV: <what went wrong>'."""
    pipe = Pipeline(default_registry(), base_dir=tmp_path)
    path = tmp_path / "img16.png"
    assert cv2.imwrite(str(path), np.full((16, 16, 3), 1000, np.uint16))
    pipe.add_node("io.image_file", "src", {"path": str(path)})
    pipe.add_node("cv.convert_color", "hsv", {"conversion": "BGR2HSV"})  # HSV of 16-bit: OpenCV refuses
    pipe.connect("src", "image", "hsv", "image")
    res = Engine().run(pipe)
    hsv = res.nodes["hsv"]
    assert hsv.status == FAILED
    assert hsv.message.startswith("OpenCV: ") and "\n" not in hsv.message
    assert hsv.inputs == "image=uint16 16x16x3 array"


def test_wrong_output_type_fails_with_clear_message(pipe):
    pipe.add_node("test.wrong", "w")
    pipe.add_node("test.add", "below")
    pipe.connect("w", "out", "below", "image")
    res = Engine().run(pipe)
    assert res.nodes["w"].status == FAILED
    assert res.nodes["w"].message == "TypeError: output 'out': expected an image array, got str"
    assert res.nodes["below"].status == SKIPPED


def test_multi_output_node_returning_non_tuple_fails(pipe):
    pipe.add_node("test.source", "src")
    pipe.add_node("test.pair", "p", {"bad": True})
    pipe.connect("src", "out", "p", "image")
    res = Engine().run(pipe)
    assert res.nodes["p"].status == FAILED
    assert res.nodes["p"].message == "TypeError: returned ndarray, expected 2 outputs"


# ---------------------------------------------------------------- conditional execution
def test_no_value_skips_required_and_feeds_none_to_optional(pipe, calls):
    pipe.add_node("test.source", "src", {"value": 1, "size": 2})
    pipe.add_node("test.gate", "g", {"open": False})
    pipe.add_node("test.add", "need")
    pipe.add_node("test.optional_sum", "opt")
    pipe.connect("src", "out", "g", "image")
    pipe.connect("g", "out", "need", "image")
    pipe.connect("g", "out", "opt", "image")
    events = []
    eng = Engine()
    res = eng.run(pipe, on_event=events.append)
    assert res.nodes["g"].status == OK and res.output("g") is not None
    assert res.nodes["need"].status == SKIPPED
    assert res.nodes["need"].message == "no value from g.out"
    assert NodeSkipped("need", "no value from g.out") in events
    assert calls["need"] == 0
    assert res.nodes["opt"].status == OK and res.output("opt") == -1
    pipe.set_param("g", "open", True)
    res = eng.run(pipe)
    assert statuses(res) == {"src": CACHED, "g": OK, "need": OK, "opt": OK}
    assert res.output("opt") == 4


def test_unlinked_inputs(pipe):
    pipe.add_node("test.add", "lonely")
    pipe.add_node("test.optional_sum", "opt")
    res = Engine().run(pipe)
    assert res.nodes["lonely"].status == SKIPPED
    assert res.nodes["lonely"].message == "input 'image' is not linked"
    assert res.output("opt") == -1


# ---------------------------------------------------------------- cancellation
def _cancel_pipe(pipe: Pipeline, check: bool) -> Pipeline:
    pipe.add_node("test.source", "src")
    pipe.add_node("test.cancel", "stop", {"check": check})
    pipe.add_node("test.add", "after1")
    pipe.add_node("test.add", "after2")
    pipe.add_node("test.source", "late")  # independent, but later in the order
    pipe.connect("src", "out", "stop", "image")
    pipe.connect("stop", "out", "after1", "image")
    pipe.connect("after1", "out", "after2", "image")
    return pipe


@pytest.mark.parametrize("check", [True, False])
def test_cancel_from_inside_a_node(pipe, calls, check):
    _cancel_pipe(pipe, check)
    order = pipe.topological_order()
    stop_at = order.index("stop")
    token = CancelToken()
    events = []
    res = Engine().run(pipe, cancel=token, on_event=events.append)
    assert res.cancelled is True and token.cancelled
    for nid in order[:stop_at]:
        assert res.nodes[nid].status == OK
    # a node that notices the cancellation itself is cancelled; one that returns normally is ok
    assert res.nodes["stop"].status == (CANCELLED if check else OK)
    for nid in order[stop_at + 1:]:
        assert res.nodes[nid].status == CANCELLED, nid
        assert res.nodes[nid].message == "run cancelled"
        assert calls[nid] == 0
    assert isinstance(events[-1], RunFinished) and events[-1].cancelled is True


def test_cancel_before_start_runs_nothing(pipe, calls):
    chain(pipe)
    token = CancelToken()
    token.cancel()
    res = Engine().run(pipe, cancel=token)
    assert set(statuses(res).values()) == {CANCELLED} and res.cancelled
    assert sum(calls.values()) == 0


# ---------------------------------------------------------------- events, timing, sizes
def test_events_sequence_and_cached_flag(pipe):
    pipe.add_node("test.source", "src", {"size": 16})
    pipe.add_node("test.slow", "slow", {"ms": 30})
    pipe.connect("src", "out", "slow", "image")
    eng = Engine()
    ev1 = []
    eng.run(pipe, on_event=ev1.append)
    assert ev1[0] == RunStarted(2)
    assert isinstance(ev1[-1], RunFinished) and ev1[-1].cancelled is False and ev1[-1].failed == 0
    kinds = [(type(e).__name__, getattr(e, "node_id", None)) for e in ev1[1:-1]]
    assert kinds == [("NodeStarted", "src"), ("NodeFinished", "src"),
                     ("NodeStarted", "slow"), ("NodeProgress", "slow"), ("NodeFinished", "slow")]
    assert NodeProgress("slow", 0.5, "half way") in ev1
    fin1 = {e.node_id: e for e in ev1 if isinstance(e, NodeFinished)}
    assert fin1["slow"].cached is False
    assert fin1["slow"].seconds >= 0.025
    assert fin1["slow"].nbytes == 16 * 16
    ev2 = []
    eng.run(pipe, on_event=ev2.append)
    assert not any(isinstance(e, NodeStarted) for e in ev2)
    fin2 = {e.node_id: e for e in ev2 if isinstance(e, NodeFinished)}
    assert fin2["slow"] == NodeFinished("slow", True, fin1["slow"].seconds, fin1["slow"].nbytes)
    assert fin2["src"].cached is True


def test_seconds_and_nbytes_per_node(pipe):
    pipe.add_node("test.source", "src", {"size": 32})
    pipe.add_node("test.slow", "slow", {"ms": 20})
    pipe.add_node("test.pair", "p")
    pipe.connect("src", "out", "slow", "image")
    pipe.connect("slow", "out", "p", "image")
    res = Engine().run(pipe)
    out = res.output("slow")
    assert res.nodes["slow"].nbytes == out.nbytes == 32 * 32
    assert res.nodes["src"].nbytes == res.output("src").nbytes
    assert res.nodes["slow"].seconds >= 0.015
    assert res.nodes["slow"].seconds > res.nodes["src"].seconds
    # several outputs: the sizes add up (an int counts 8 bytes)
    assert res.nodes["p"].nbytes == 32 * 32 + 8
    assert res.seconds >= res.nodes["slow"].seconds


# ---------------------------------------------------------------- file sources
def test_image_file_source_reruns_when_file_changes(tmp_path):
    path = tmp_path / "in.png"
    first = np.zeros((20, 30, 3), np.uint8)
    first[5:15, 5:15] = 200
    assert cv2.imwrite(str(path), first)
    pipe = Pipeline(default_registry(), base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "in.png"})  # relative to the pipeline folder
    pipe.add_node("cv.gaussian_blur", "blur", {"sigma": 1.0})
    pipe.connect("src", "image", "blur", "image")
    eng = Engine()
    res = eng.run(pipe)
    assert statuses(res) == {"src": OK, "blur": OK}
    assert np.array_equal(res.output("src", "image"), first)
    assert res.output("src", "path") == str(tmp_path / "in.png")
    assert statuses(eng.run(pipe)) == {"src": CACHED, "blur": CACHED}

    second = np.full((20, 30, 3), 90, np.uint8)  # same size on disk is irrelevant: mtime changes
    assert cv2.imwrite(str(path), second)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    res = eng.run(pipe)
    assert statuses(res) == {"src": OK, "blur": OK}
    assert np.array_equal(res.output("src", "image"), second)
    assert np.array_equal(res.output("blur"), cv2.GaussianBlur(second, (0, 0), 1.0,
                                                                borderType=cv2.BORDER_REFLECT_101))

    path.unlink()  # a missing file: the source fails with a clear message, not a stale cached image
    res = eng.run(pipe)
    assert res.nodes["src"].status == FAILED
    assert res.nodes["src"].message == f"image not found: {path}"
    assert res.nodes["blur"].status == SKIPPED


def test_context_base_dir_and_output_dir(tmp_path):
    from workbench.core.spec import NodeContext

    img = np.full((8, 8), 77, np.uint8)
    (tmp_path / "in").mkdir()
    assert cv2.imwrite(str(tmp_path / "in" / "x.png"), img)
    pipe = Pipeline(default_registry(), base_dir=tmp_path / "in")
    pipe.add_node("io.image_file", "src", {"path": "x.png"})
    pipe.add_node("io.save_image", "save", {"folder": "saved", "name": "{node}_{stem}"})
    pipe.connect("src", "image", "save", "image")
    ctx = NodeContext(base_dir=tmp_path / "in", output_dir=tmp_path / "out", input_path=tmp_path / "in" / "x.png")
    res = Engine().run(pipe, context=ctx)
    written = tmp_path / "out" / "saved" / "save_x.png"
    assert res.output("save") == str(written)
    assert np.array_equal(cv2.imread(str(written), cv2.IMREAD_UNCHANGED), img)
