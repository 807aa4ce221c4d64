"""Pipeline files: byte-stable round trip, atomic save, validation of every problem at once, migration."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Annotated

import pytest

from workbench.core.engine import OK, Engine
from workbench.core.errors import PipelineError, Problem
from workbench.core.graph import Pipeline
from workbench.core.params import Range
from workbench.core.paths import demo_pipeline
from workbench.core.pipeline_file import (SCHEMA_VERSION, dumps_pipeline, from_dict, load_pipeline,
                                          loads_pipeline, save_pipeline, to_dict, validate)
from workbench.core.registry import Registry, default_registry
from workbench.core.spec import node
from workbench.core.types import Image
from workbench.nodes.filter.gaussian_blur import Border


# ---------------------------------------------------------------- round trip & saving
def test_coins_round_trip_is_byte_identical():
    path = demo_pipeline()
    text = path.read_text(encoding="utf-8")
    pipe = load_pipeline(path)
    assert dumps_pipeline(pipe) == text
    assert pipe.base_dir == path.resolve().parent
    assert pipe.meta["name"] == "Coin count"
    assert pipe.ui["blur"] == {"pos": [260, 60]}
    assert pipe.nodes["blur"].params == {"sigma": 2.0, "border": Border.REFLECT}
    assert len(pipe.edges) == 12 and pipe.revision == 0


def test_loaded_pipeline_follows_later_edits(tmp_path):
    """Regression: loading left caches at a revision the first edits came back to (stale order)."""
    pipe = load_pipeline(demo_pipeline())
    pipe.add_node("cv.gaussian_blur", "extra")
    pipe.connect("blur", "out", "extra", "image")
    order = pipe.topological_order()
    assert "extra" in order and order.index("blur") < order.index("extra")
    assert pipe.incoming("extra")["image"].src == "blur"
    pipe2 = load_pipeline(demo_pipeline())
    pipe2.disconnect(pipe2.incoming("blur")["image"])
    assert pipe2.incoming("blur") == {}


def test_save_then_load_gives_the_same_pipeline(tmp_path):
    pipe = Pipeline(default_registry(), base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "x.png"})
    pipe.add_node("cv.gaussian_blur", "blur", {"sigma": 3.5, "border": "CONSTANT"})
    pipe.add_node("cv.blob_analysis", "blobs", {"roi": {"shape": "circle", "cx": 5, "cy": 6, "r": 4}})
    pipe.add_node("cv.threshold", "thr")
    pipe.add_node("cv.draw_overlay", "ov", {"ok_color": "#102030"})
    pipe.connect("src", "image", "blur", "image")
    pipe.connect("blur", "out", "thr", "image")
    pipe.connect("thr", "out", "blobs", "mask")
    pipe.connect("src", "image", "ov", "image")
    pipe.meta = {"name": "t"}
    pipe.ui = {"blur": {"pos": [1, 2]}}
    path = tmp_path / "p.json"
    save_pipeline(pipe, path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and json.loads(text)["schema_version"] == SCHEMA_VERSION
    # stable key order: keys sorted at every level
    assert list(json.loads(text)) == sorted(json.loads(text))
    loaded = load_pipeline(path)
    assert {n: i.params for n, i in loaded.nodes.items()} == {n: i.params for n, i in pipe.nodes.items()}
    assert loaded.edges == pipe.edges and loaded.meta == pipe.meta and loaded.ui == pipe.ui
    assert to_dict(loaded) == to_dict(pipe)
    save_pipeline(loaded, path)
    assert path.read_text(encoding="utf-8") == text  # saving twice gives the same bytes


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "p.json"
    path.write_text("ORIGINAL", encoding="utf-8")
    pipe = Pipeline(default_registry(), base_dir=tmp_path)
    pipe.add_node("cv.gaussian_blur", "blur")
    seen = {}

    def failing_replace(src, dst):
        seen["src"], seen["dst"] = Path(src), Path(dst)
        seen["tmp_text"] = Path(src).read_text(encoding="utf-8")
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk on fire"):
        save_pipeline(pipe, path)
    assert path.read_text(encoding="utf-8") == "ORIGINAL"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json"]  # no temp file left behind
    # it wrote the full text to a temp file in the same folder and renamed that over the target
    assert seen["dst"] == path and seen["src"].parent == tmp_path and seen["src"] != path
    assert seen["tmp_text"] == dumps_pipeline(pipe)
    monkeypatch.undo()
    save_pipeline(pipe, path)
    assert path.read_text(encoding="utf-8") == dumps_pipeline(pipe)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.json"]


# ---------------------------------------------------------------- validation
def base_doc() -> dict:
    """A valid pipeline: src -> blur -> thr -> blobs."""
    return {
        "format": "workbench.pipeline", "schema_version": 1,
        "nodes": [
            {"id": "src", "type": "io.image_file", "version": 1, "params": {"path": "x.png"}},
            {"id": "blur", "type": "cv.gaussian_blur", "version": 1, "params": {"sigma": 1.5, "border": "REFLECT"}},
            {"id": "thr", "type": "cv.threshold", "version": 1, "params": {}},
            {"id": "blobs", "type": "cv.blob_analysis", "version": 1, "params": {}},
        ],
        "edges": [
            {"from": ["src", "image"], "to": ["blur", "image"]},
            {"from": ["blur", "out"], "to": ["thr", "image"]},
            {"from": ["thr", "out"], "to": ["blobs", "mask"]},
        ],
    }


def problems_of(doc, registry=None, **kw) -> list[str]:
    with pytest.raises(PipelineError) as err:
        from_dict(doc, registry, **kw)
    assert err.value.problems, "a PipelineError must list its problems"
    return [str(p) for p in err.value.problems]


def test_base_doc_is_valid():
    pipe = from_dict(base_doc())
    assert list(pipe.nodes) == ["src", "blur", "thr", "blobs"] and len(pipe.edges) == 3
    assert validate(pipe) == []


def _node(doc, nid):
    return next(n for n in doc["nodes"] if n["id"] == nid)


def _unknown_type(d):
    _node(d, "blur")["type"] = "cv.nope"


def _unknown_param(d):
    _node(d, "blur")["params"]["radius"] = 3


def _out_of_range(d):
    _node(d, "blur")["params"]["sigma"] = 99


def _wrong_param_type(d):
    _node(d, "blur")["params"]["sigma"] = "big"


def _bad_enum(d):
    _node(d, "blur")["params"]["border"] = "SIDEWAYS"


def _bad_roi(d):
    _node(d, "blobs")["params"]["roi"] = {"shape": "rect", "x": 0, "y": 0}


def _missing_edge(d):
    d["edges"].pop(1)


def _dangling_edge(d):
    d["edges"].append({"from": ["ghost", "out"], "to": ["blobs", "mask"]})


def _unknown_out_port(d):
    d["edges"][1]["from"] = ["blur", "nope"]


def _unknown_in_port(d):
    d["edges"][1]["to"] = ["thr", "nope"]


def _type_mismatch(d):
    d["nodes"].append({"id": "blur2", "type": "cv.gaussian_blur", "version": 1, "params": {}})
    d["edges"].append({"from": ["blobs", "regions"], "to": ["blur2", "image"]})


def _linked_twice(d):
    d["edges"].append({"from": ["src", "image"], "to": ["thr", "image"]})


def _cycle(d):
    d["nodes"] += [{"id": "c1", "type": "cv.gaussian_blur", "params": {}},
                   {"id": "c2", "type": "cv.gaussian_blur", "params": {}}]
    d["edges"] += [{"from": ["c1", "out"], "to": ["c2", "image"]}, {"from": ["c2", "out"], "to": ["c1", "image"]}]


def _newer_node(d):
    _node(d, "blur")["version"] = 5


def _duplicate_id(d):
    d["nodes"].append({"id": "thr", "type": "cv.threshold", "version": 1, "params": {}})


def _wrong_format(d):
    d["format"] = "comfy.workflow"


def _unknown_top_key(d):
    d["widgets"] = []


def _bad_schema_type(d):
    d["schema_version"] = "1"


def _bad_edge_shape(d):
    d["edges"].append({"from": "src.image", "to": ["thr", "image"]})


def _unknown_node_key(d):
    _node(d, "thr")["pos"] = [1, 2]


def _nodes_missing(d):
    del d["nodes"]
    d["edges"] = []


def _bad_version(d):
    _node(d, "thr")["version"] = "one"


CASES = {
    "unknown node type": (_unknown_type, "node blur: unknown node type 'cv.nope'"),
    "unknown parameter": (_unknown_param, "node blur: unknown parameter 'radius' for cv.gaussian_blur"),
    "out-of-range parameter": (_out_of_range, "node blur: sigma: 99 is out of range [0, 50]"),
    "wrong parameter type": (_wrong_param_type, "node blur: sigma: expected a number, got 'big'"),
    "bad enum name": (_bad_enum, "node blur: border: 'SIDEWAYS' is not one of REFLECT, REPLICATE, CONSTANT"),
    "bad ROI": (_bad_roi, "node blobs: roi: rect ROI needs keys x, y, w, h"),
    "missing required edge": (_missing_edge, "node thr: required input 'image' (Image) is not linked"),
    "dangling edge": (_dangling_edge, "edge ghost.out -> blobs.mask: dangling edge: no node 'ghost'"),
    "unknown output port": (_unknown_out_port, "edge blur.nope -> thr.image: blur (cv.gaussian_blur) has no output 'nope'"),
    "unknown input port": (_unknown_in_port, "edge blur.out -> thr.nope: thr (cv.threshold) has no input 'nope'"),
    "type mismatch": (_type_mismatch, "edge blobs.regions -> blur2.image: type mismatch: blobs.regions gives "
                                      "Regions but blur2.image needs Image"),
    "input linked twice": (_linked_twice, "edge src.image -> thr.image: thr.image is linked more than once"),
    "cycle": (_cycle, "edges: the graph has a cycle through c1, c2"),
    "node version newer": (_newer_node, "node blur: cv.gaussian_blur version 5 is newer than this app's (version 1)"),
    "duplicate node id": (_duplicate_id, "node thr: duplicate node id"),
    "wrong format": (_wrong_format, "format: expected 'workbench.pipeline', got 'comfy.workflow'"),
    "unknown top-level key": (_unknown_top_key, "widgets: unknown top-level key"),
    "schema version not an int": (_bad_schema_type, "schema_version: expected an integer, got '1'"),
    "bad edge shape": (_bad_edge_shape, 'edges[3]: expected {"from": [node, port], "to": [node, port]}'),
    "unknown node key": (_unknown_node_key, "node thr: unknown key 'pos'"),
    "nodes missing": (_nodes_missing, "nodes: missing"),
    "invalid node version": (_bad_version, "node thr: invalid version 'one'"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_problem_is_reported(name):
    mutate, expected = CASES[name]
    doc = copy.deepcopy(base_doc())
    mutate(doc)
    msgs = problems_of(doc)
    assert expected in msgs, msgs


def test_all_problems_are_reported_at_once():
    doc = base_doc()
    picked = ["unknown parameter", "bad enum name", "dangling edge", "type mismatch", "input linked twice",
              "cycle", "duplicate node id", "wrong format", "unknown top-level key"]
    for name in picked:
        CASES[name][0](doc)
    doc["nodes"].append({"id": "lonely", "type": "cv.fill_holes", "version": 1, "params": {}})
    _node(doc, "thr")["params"]["block_size"] = 5000
    doc["nodes"].append({"id": "mystery", "type": "io.nope", "params": {}})
    doc["edges"].append({"from": ["mystery", "image"], "to": ["blur", "image"]})
    with pytest.raises(PipelineError) as err:
        from_dict(doc, source="many.json")
    msgs = [str(p) for p in err.value.problems]
    for name in picked:
        assert CASES[name][1] in msgs, name
    assert "node lonely: required input 'mask' (Mask) is not linked" in msgs
    assert "node thr: block_size: 5000 is out of range [3, 1001]" in msgs
    assert "node mystery: unknown node type 'io.nope'" in msgs
    # edges touching the node with an unknown type are not reported again as dangling
    assert not any("mystery.image" in m for m in msgs)
    # the rejected type-mismatched edge leaves blur2's input unlinked: that is reported too
    assert "node blur2: required input 'image' (Image) is not linked" in msgs
    n = len(msgs)
    assert n == len(picked) + 4
    assert all(isinstance(p, Problem) for p in err.value.problems)
    assert str(err.value) == f"many.json: {msgs[0]} (+{n - 1} more problems)"
    assert err.value.source == "many.json"


def test_malformed_json_names_line_and_column():
    text = '{\n  "format": "workbench.pipeline",\n  "nodes": [,]\n}\n'
    with pytest.raises(PipelineError) as err:
        loads_pipeline(text, source="bad.json")
    (problem,) = err.value.problems
    assert problem.message.startswith("malformed JSON at line 3, column 13: ")
    assert str(err.value).startswith("bad.json: malformed JSON at line 3, column 13")


@pytest.mark.parametrize("data, expected", [
    ([], "expected a JSON object at the top level, got list"),
    ("text", "expected a JSON object at the top level, got str"),
    (None, "expected a JSON object at the top level, got NoneType"),
])
def test_top_level_must_be_an_object(data, expected):
    with pytest.raises(PipelineError) as err:
        loads_pipeline(json.dumps(data))
    assert [str(p) for p in err.value.problems] == [expected]


def test_future_schema_version_names_both_versions():
    doc = base_doc()
    doc["schema_version"] = SCHEMA_VERSION + 1
    _unknown_type(doc)  # other problems are not worth reporting for a file from the future
    with pytest.raises(PipelineError) as err:
        from_dict(doc)
    (problem,) = err.value.problems
    assert problem.where == "schema_version"
    assert f"schema version {SCHEMA_VERSION + 1}" in problem.message
    assert f"reads up to {SCHEMA_VERSION}" in problem.message
    doc["schema_version"] = 0
    assert "schema_version: invalid schema version 0" in problems_of(doc)


def test_file_not_found_and_unreadable(tmp_path):
    with pytest.raises(PipelineError) as err:
        load_pipeline(tmp_path / "missing.json")
    assert str(err.value) == f"{tmp_path / 'missing.json'}: file not found"
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(PipelineError, match="cannot read file"):
        load_pipeline(bad)


def test_allow_incomplete_and_validate():
    doc = base_doc()
    _missing_edge(doc)
    pipe = from_dict(doc, allow_incomplete=True)
    assert [str(p) for p in validate(pipe)] == ["node thr: required input 'image' (Image) is not linked"]


# ---------------------------------------------------------------- versions and migration
def _migrate(params: dict, from_version: int) -> dict:
    if from_version == 1:  # v1 called it "size" and stored a diameter; v2 stores a radius
        params["radius"] = params.pop("size", 6) / 2
    return params


@node("test.migrating", name="Migrating", category="Test", version=2, migrate=_migrate)
def _migrating(image: Image, radius: Annotated[float, Range(0, 100)] = 1.0) -> Image:
    return image


@node("test.unmigratable", name="Unmigratable", category="Test", version=3)
def _unmigratable(image: Image, k: int = 1) -> Image:
    return image


@node("test.img_source", name="Src", category="Test")
def _img_source() -> Image:
    import numpy as np

    return np.zeros((2, 2), np.uint8)


@pytest.fixture
def mreg() -> Registry:
    reg = Registry()
    reg.register_all([_migrating, _unmigratable, _img_source])
    return reg


def _mdoc(nodes):
    return {"format": "workbench.pipeline", "schema_version": 1,
            "nodes": [{"id": "s", "type": "test.img_source", "params": {}}] + nodes,
            "edges": [{"from": ["s", "out"], "to": [n["id"], "image"]} for n in nodes]}


def test_node_version_migration(mreg):
    pipe = from_dict(_mdoc([{"id": "m", "type": "test.migrating", "version": 1, "params": {"size": 14}}]), mreg)
    assert pipe.nodes["m"].params == {"radius": 7.0}
    saved = to_dict(pipe)
    assert saved["nodes"][1] == {"id": "m", "type": "test.migrating", "version": 2, "params": {"radius": 7.0}}
    # a current-version file is not migrated
    pipe = from_dict(_mdoc([{"id": "m", "type": "test.migrating", "version": 2, "params": {"radius": 3}}]), mreg)
    assert pipe.nodes["m"].params == {"radius": 3.0}
    # a migrated value is still validated
    msgs = problems_of(_mdoc([{"id": "m", "type": "test.migrating", "version": 1, "params": {"size": 400}}]), mreg)
    assert msgs == ["node m: radius: 200 is out of range [0, 100]"]


def test_old_version_without_migrate_and_newer_version(mreg):
    msgs = problems_of(_mdoc([{"id": "u", "type": "test.unmigratable", "version": 2, "params": {}},
                              {"id": "m", "type": "test.migrating", "version": 3, "params": {}}]), mreg)
    assert "node u: test.unmigratable version 2 cannot be migrated to 3" in msgs
    assert "node m: test.migrating version 3 is newer than this app's (version 2)" in msgs


def test_missing_version_means_current(mreg):
    pipe = from_dict(_mdoc([{"id": "m", "type": "test.migrating", "params": {"radius": 2}}]), mreg)
    assert pipe.nodes["m"].params == {"radius": 2.0}


def test_loaded_pipeline_runs(tmp_path):
    """A file that loads is also one the engine can run (the coins demo, with the save node dropped)."""
    doc = json.loads(demo_pipeline().read_text(encoding="utf-8"))
    doc["nodes"] = [n for n in doc["nodes"] if n["id"] != "save"]
    doc["edges"] = [e for e in doc["edges"] if e["to"][0] != "save"]
    pipe = from_dict(doc, base_dir=demo_pipeline().parent)
    res = Engine().run(pipe)
    assert all(r.status == OK for r in res.nodes.values()), res.errors
    assert 22 <= res.output("count", "count") <= 26
    assert res.output("judge").ok is True


# ---------------------------------------------------------------- schema migration chain
def test_a_version_1_file_loads_after_a_pretend_version_2_change(monkeypatch, tmp_path):
    """Pretend schema 2 is today's format and schema 1 stored links as flat lists under "links":
    one step in MIGRATIONS makes old files load, and saving writes the new version."""
    import workbench.core.pipeline_file as pf

    def links_to_edges(data: dict) -> dict:
        links = data.pop("links", [])
        data["edges"] = list(data.get("edges", [])) + [{"from": [a, b], "to": [c, d]} for a, b, c, d in links]
        return data

    monkeypatch.setattr(pf, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(pf.MIGRATIONS, 1, links_to_edges)
    old = base_doc()
    old["links"] = [e["from"] + e["to"] for e in old.pop("edges")]
    pipe = from_dict(old, base_dir=tmp_path)
    assert [str(e) for e in pipe.edges] == ["src.image -> blur.image", "blur.out -> thr.image", "thr.out -> blobs.mask"]
    saved = json.loads(dumps_pipeline(pipe))
    assert saved["schema_version"] == 2 and "links" not in saved and len(saved["edges"]) == 3
    assert from_dict(saved, base_dir=tmp_path).edges == pipe.edges  # a version-2 file skips the step
    monkeypatch.setattr(pf, "SCHEMA_VERSION", 3)  # a version with no step is refused in one line
    with pytest.raises(PipelineError) as err:
        from_dict(old)
    assert [str(p) for p in err.value.problems] == ["schema_version: no migration from schema version 2 to 3"]
