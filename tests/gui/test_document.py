"""The undoable document: every edit goes to the pipeline and comes back with undo/redo."""

import json

import pytest

from workbench.core.errors import WorkbenchError
from workbench.core.graph import Edge, NodeAdded, ParamChanged
from workbench.core.paths import demo_pipeline
from workbench.core.pipeline_file import dumps_pipeline, loads_pipeline
from workbench.gui.document import Document, NodesMoved, SetParamCmd, node_pos, snapshot


@pytest.fixture
def doc(qapp):
    return Document()


def test_add_link_undo_redo(doc):
    events = []
    doc.changed.connect(events.append)
    a = doc.add_node("io.image_file", (10, 20))
    b = doc.add_node("cv.threshold", (200, 20))
    assert doc.connect(a, "image", b, "image") is None
    assert doc.pipeline.edges == [Edge(a, "image", b, "image")]
    assert node_pos(doc.pipeline, a) == (10.0, 20.0)
    assert any(isinstance(e, NodeAdded) and e.node_id == b for e in events)
    assert doc.modified
    doc.undo.undo()
    assert doc.pipeline.edges == []
    doc.undo.undo()
    doc.undo.undo()
    assert doc.pipeline.nodes == {} and not doc.modified
    doc.undo.redo()
    doc.undo.redo()
    doc.undo.redo()
    assert list(doc.pipeline.nodes) == [a, b] and len(doc.pipeline.edges) == 1


def test_refused_link_changes_nothing(doc):
    a = doc.add_node("cv.blob_analysis")
    b = doc.add_node("cv.threshold")
    why = doc.connect(a, "regions", b, "image")
    assert why and "needs Image" in why
    assert doc.pipeline.edges == [] and doc.undo.count() == 2


def test_set_param_refuses_bad_values_and_merges_a_drag(doc):
    n = doc.add_node("cv.threshold")
    assert "out of range" in doc.set_param(n, "value", -5.0)
    assert doc.pipeline.nodes[n].params["value"] == 128.0
    for v in (100.0, 110.0, 120.0):
        assert doc.set_param(n, "value", v) is None
    assert doc.undo.count() == 2  # add + one merged parameter change
    doc.undo.undo()
    assert doc.pipeline.nodes[n].params["value"] == 128.0
    doc.undo.redo()
    assert doc.pipeline.nodes[n].params["value"] == 120.0
    assert doc.set_param(n, "mode", "NOPE") is not None


def test_param_edits_far_apart_are_separate_steps(doc, monkeypatch):
    n = doc.add_node("cv.threshold")
    doc.set_param(n, "value", 100.0)
    monkeypatch.setattr(SetParamCmd, "MERGE_WINDOW_S", -1.0)
    doc.set_param(n, "value", 90.0)
    assert doc.undo.count() == 3


def test_delete_restores_node_params_links_and_position(doc):
    d = Document()
    d.open(demo_pipeline())
    before = d.dumps()
    d.remove_nodes(["threshold", "blobs"])
    assert "threshold" not in d.pipeline.nodes and not any("threshold" in (e.src, e.dst) for e in d.pipeline.edges)
    d.undo.undo()
    assert d.dumps() == before


def test_move_is_undoable_and_emits(doc):
    events = []
    doc.changed.connect(events.append)
    n = doc.add_node("cv.threshold", (0, 0))
    doc.move_nodes({n: (50, 60)})
    assert node_pos(doc.pipeline, n) == (50.0, 60.0)
    assert isinstance(events[-1], NodesMoved)
    doc.undo.undo()
    assert node_pos(doc.pipeline, n) == (0.0, 0.0)


def test_copy_paste_gives_new_ids_and_keeps_inner_links(doc):
    a = doc.add_node("io.image_file", (0, 0))
    b = doc.add_node("cv.threshold", (100, 0), params={"value": 77.0})
    doc.connect(a, "image", b, "image")
    new = doc.paste_text(doc.copy_text([a, b]))
    assert isinstance(new, list) and len(new) == 2 and not set(new) & {a, b}
    assert doc.pipeline.nodes[new[1]].params["value"] == 77.0
    assert Edge(new[0], "image", new[1], "image") in doc.pipeline.edges
    assert node_pos(doc.pipeline, new[1]) == (130.0, 30.0)
    doc.undo.undo()  # one step for the whole paste
    assert set(doc.pipeline.nodes) == {a, b}
    assert isinstance(doc.paste_text("not json"), str)
    assert isinstance(doc.paste_text(json.dumps({"format": "other"})), str)


def test_group_into_macro_runs_the_same(doc, tmp_path):
    from workbench.core.engine import Engine

    d = Document()
    d.open(demo_pipeline())
    ref = Engine().run(snapshot(d.pipeline))
    count_before = ref.output("count", "count")
    macro = d.group(["threshold", "open", "fill"])
    inst = d.pipeline.nodes[macro]
    assert inst.type == "core.subgraph" and set(inst.graph.nodes) >= {"threshold", "open", "fill"}
    assert [p.name for p in inst.inputs] == ["image"] and [p.name for p in inst.outputs] == ["out"]
    res = Engine().run(snapshot(d.pipeline))
    assert res.output("count", "count") == count_before == 24
    # it survives a save/load round trip and one undo brings the nodes back
    again = loads_pipeline(dumps_pipeline(d.pipeline), base_dir=d.pipeline.base_dir)
    assert Engine().run(again).output("count", "count") == 24
    d.undo.undo()
    assert {"threshold", "open", "fill"} <= set(d.pipeline.nodes) and macro not in d.pipeline.nodes
    with pytest.raises(WorkbenchError):
        d.group([])


def test_save_marks_clean_and_sets_path(doc, tmp_path):
    n = doc.add_node("cv.threshold")
    doc.set_param(n, "value", 42.0)
    target = tmp_path / "p.json"
    doc.save(target)
    assert not doc.modified and doc.path == target.resolve()
    d2 = Document()
    d2.open(target)
    assert d2.pipeline.nodes[n].params["value"] == 42.0
    with pytest.raises(WorkbenchError):
        Document().save()


def test_snapshot_is_independent(doc):
    n = doc.add_node("cv.threshold")
    snap = snapshot(doc.pipeline)
    doc.set_param(n, "value", 10.0)
    assert snap.nodes[n].params["value"] == 128.0
    events = []
    doc.changed.connect(events.append)
    doc.set_param(n, "value", 11.0)
    assert isinstance(events[-1], ParamChanged)
