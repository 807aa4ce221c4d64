"""Subgraph (macro) nodes: derived ports, running the inner pipeline, failures, save/load."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from core_testkit import discs_image
from workbench.core.engine import CACHED, FAILED, OK, SKIPPED, Engine
from workbench.core.graph import Pipeline
from workbench.core.pipeline_file import dumps_pipeline, load_pipeline, loads_pipeline, save_pipeline
from workbench.core.registry import default_registry
from workbench.core.errors import PipelineError
from workbench.core.types import IMAGE, MASK


def blur_macro(base_dir, sigma: float = 2.0) -> Pipeline:
    inner = Pipeline(default_registry(), base_dir=base_dir)
    inner.add_node("core.graph_input", "gin", {"name": "img", "type": "Image"})
    inner.add_node("cv.gaussian_blur", "blur", {"sigma": sigma})
    inner.add_node("core.graph_output", "gout", {"name": "out", "type": "Image"})
    inner.connect("gin", "value", "blur", "image")
    inner.connect("blur", "out", "gout", "value")
    return inner


@pytest.fixture
def image_path(tmp_path):
    path = tmp_path / "discs.png"
    assert cv2.imwrite(str(path), discs_image())
    return path


@pytest.fixture
def outer(tmp_path, image_path) -> Pipeline:
    outer = Pipeline(default_registry(), base_dir=tmp_path)
    outer.add_node("io.image_file", "src", {"path": image_path.name})
    outer.add_node("core.subgraph", "macro", {"title": "Blur"}, graph=blur_macro(tmp_path))
    outer.connect("src", "image", "macro", "img")
    return outer


def test_ports_are_derived_from_the_inner_graph(outer):
    sg = outer.nodes["macro"]
    assert [(p.name, p.type, p.optional) for p in sg.inputs] == [("img", IMAGE, False)]
    assert [(p.name, p.type) for p in sg.outputs] == [("out", IMAGE)]
    # renaming / retyping the inner ports changes the node's ports
    sg.graph.set_param("gout", "name", "smooth")
    sg.graph.set_param("gout", "type", "Mask")
    assert [(p.name, p.type) for p in sg.outputs] == [("smooth", MASK)]
    sg.graph.add_node("core.graph_input", "gin2", {"name": "second", "type": "Image"})
    assert [p.name for p in sg.inputs] == ["img", "second"]
    # a subgraph without an inner graph has no ports
    bare = outer.add_node("core.subgraph", "bare")
    assert bare.inputs == () and bare.outputs == ()


def test_running_the_outer_pipeline_blurs(outer):
    outer.add_node("cv.threshold", "thr")
    outer.connect("macro", "out", "thr", "image")  # the macro's output feeds the outer graph
    res = Engine().run(outer)
    assert {n: r.status for n, r in res.nodes.items()} == {"src": OK, "macro": OK, "thr": OK}
    expected = cv2.GaussianBlur(discs_image(), (0, 0), 2.0, borderType=cv2.BORDER_REFLECT_101)
    got = res.output("macro", "out")
    assert isinstance(got, np.ndarray) and got.shape == (64, 64, 3)
    assert np.array_equal(got, expected)
    assert not np.array_equal(got, discs_image())
    assert res.output("thr").shape == (64, 64)
    assert res.nodes["macro"].nbytes == expected.nbytes


def test_inner_edit_changes_the_result(outer):
    eng = Engine()
    r1 = eng.run(outer).output("macro", "out")
    outer.nodes["macro"].graph.set_param("blur", "sigma", 5.0)
    r2 = eng.run(outer).output("macro", "out")
    expected = cv2.GaussianBlur(discs_image(), (0, 0), 5.0, borderType=cv2.BORDER_REFLECT_101)
    assert np.array_equal(r2, expected) and not np.array_equal(r1, r2)


def test_inner_nodes_are_cached_between_runs(treg, tmp_path, calls):
    inner = Pipeline(treg, base_dir=tmp_path)
    inner.add_node("core.graph_input", "gin", {"name": "x", "type": "Image"})
    inner.add_node("test.add", "inc", {"amount": 5})
    inner.add_node("core.graph_output", "gout", {"name": "y", "type": "Image"})
    inner.connect("gin", "value", "inc", "image")
    inner.connect("inc", "out", "gout", "value")
    outer = Pipeline(treg, base_dir=tmp_path)
    outer.add_node("test.source", "src", {"value": 1, "size": 2})
    outer.add_node("core.subgraph", "m", graph=inner)
    outer.add_node("test.add", "after", {"amount": 1})
    outer.connect("src", "out", "m", "x")
    outer.connect("m", "y", "after", "image")
    eng = Engine()
    res = eng.run(outer)
    assert res.output("after").tolist() == [[7, 7], [7, 7]]
    res = eng.run(outer)
    assert res.nodes["src"].status == CACHED and calls["inc"] == 1  # the inner node was not re-run
    assert res.output("m", "y").tolist() == [[6, 6], [6, 6]]
    outer.set_param("src", "value", 10)  # a new input re-runs the inner graph
    res = eng.run(outer)
    assert calls["inc"] == 2 and res.output("after").tolist() == [[16, 16], [16, 16]]


def test_failure_inside_subgraph_fails_the_node(treg, tmp_path):
    inner = Pipeline(treg, base_dir=tmp_path)
    inner.add_node("core.graph_input", "gin", {"name": "x", "type": "Image"})
    inner.add_node("test.fail", "f", {"message": "inner trouble"})
    inner.add_node("core.graph_output", "gout", {"name": "y", "type": "Image"})
    inner.connect("gin", "value", "f", "image")
    inner.connect("f", "out", "gout", "value")
    outer = Pipeline(treg, base_dir=tmp_path)
    outer.add_node("test.source", "src")
    outer.add_node("core.subgraph", "m", graph=inner)
    outer.add_node("test.add", "after")
    outer.add_node("test.add", "independent")
    outer.connect("src", "out", "m", "x")
    outer.connect("m", "y", "after", "image")
    outer.connect("src", "out", "independent", "image")
    res = Engine().run(outer)
    m = res.nodes["m"]
    assert m.status == FAILED
    assert "inside subgraph" in m.message
    assert m.message == "inside subgraph: node f: ValueError: inner trouble (inputs: image=uint8 8x8 array)"
    assert m.inputs == "x=uint8 8x8 array"
    assert res.nodes["after"].status == SKIPPED
    assert res.nodes["independent"].status == OK


def test_unlinked_subgraph_input_skips_it(outer):
    outer.disconnect(outer.edges[0])
    res = Engine().run(outer)
    assert res.nodes["macro"].status == SKIPPED
    assert res.nodes["macro"].message == "input 'img' is not linked"


def test_save_load_round_trip_with_subgraph(outer, tmp_path):
    outer.ui["macro"] = {"pos": [10, 20]}
    text = dumps_pipeline(outer)
    path = tmp_path / "macro.json"
    save_pipeline(outer, path)
    assert path.read_text(encoding="utf-8") == text
    loaded = load_pipeline(path)
    sg = loaded.nodes["macro"]
    assert sg.graph is not None
    assert list(sg.graph.nodes) == ["gin", "blur", "gout"]
    assert [str(e) for e in sg.graph.edges] == ["gin.value -> blur.image", "blur.out -> gout.value"]
    assert sg.graph.nodes["blur"].params["sigma"] == 2.0
    assert [p.name for p in sg.inputs] == ["img"] and [p.name for p in sg.outputs] == ["out"]
    assert [str(e) for e in loaded.edges] == ["src.image -> macro.img"]
    assert sg.params == {"title": "Blur", "exposed": ""}  # exposed: none of the inner parameters
    assert dumps_pipeline(loaded) == text
    res = Engine().run(loaded)
    expected = cv2.GaussianBlur(discs_image(), (0, 0), 2.0, borderType=cv2.BORDER_REFLECT_101)
    assert np.array_equal(res.output("macro", "out"), expected)


def test_subgraph_file_problems_are_reported_with_their_path(outer, tmp_path):
    import json

    data = json.loads(dumps_pipeline(outer))
    inner_nodes = data["nodes"][1]["graph"]["nodes"]
    inner_nodes[1]["params"]["sigma"] = 99  # out of range inside the macro
    data["nodes"][0]["graph"] = {"nodes": [], "edges": []}  # a graph on a non-subgraph node
    with pytest.raises(PipelineError) as err:
        loads_pipeline(json.dumps(data), base_dir=tmp_path)
    msgs = [str(p) for p in err.value.problems]
    assert "node macro/node blur: sigma: 99 is out of range [0, 50]" in msgs
    assert "node src: only subgraph and for-each nodes have a 'graph'" in msgs
    del data["nodes"][0]["graph"]
    del data["nodes"][1]["graph"]
    with pytest.raises(PipelineError) as err:
        loads_pipeline(json.dumps(data), base_dir=tmp_path)
    assert "node macro: a subgraph needs a 'graph' object with nodes and edges" in [
        str(p) for p in err.value.problems]
