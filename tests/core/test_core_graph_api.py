"""The graph's own copy/subset/reorder API, its one link checker, and macro edits seen from outside."""

from __future__ import annotations

import pytest

from workbench.core.engine import Engine
from workbench.core.errors import GraphError
from workbench.core.graph import ParamChanged, Pipeline, SubgraphChanged
from workbench.core.paths import demo_pipeline
from workbench.core.pipeline_file import dumps_pipeline, load_pipeline
from workbench.core.registry import default_registry


@pytest.fixture
def demo() -> Pipeline:
    return load_pipeline(demo_pipeline())


def test_copy_is_independent_and_saves_the_same(demo):
    demo.ui["threshold"] = {"pos": [1.0, 2.0]}
    snap = demo.copy()
    assert dumps_pipeline(snap) == dumps_pipeline(demo)
    demo.set_param("threshold", "c", -20.0)
    demo.ui["threshold"]["pos"][0] = 99.0
    demo.remove_node("count")
    assert snap.nodes["threshold"].params["c"] != -20.0
    assert snap.ui["threshold"]["pos"] == [1.0, 2.0] and "count" in snap.nodes
    assert Engine().run(snap).output("count", "count") == 24


def test_subset_keeps_the_inner_links_in_topological_order(demo):
    ids = ["fill", "threshold", "open"]
    sub = demo.subset(ids)
    assert list(sub.nodes) == [n for n in demo.topological_order() if n in ids]
    assert {(e.src, e.dst) for e in sub.edges} == {(e.src, e.dst) for e in demo.edges
                                                   if e.src in ids and e.dst in ids}
    sub.set_param("threshold", "c", 3.0)
    assert demo.nodes["threshold"].params["c"] != 3.0


def test_reorder_restores_node_and_edge_order(demo):
    nodes, edges = list(demo.nodes), list(demo.edges)
    demo.reorder(list(reversed(nodes)), list(reversed(edges)))
    assert list(demo.nodes) == list(reversed(nodes)) and demo.edges == list(reversed(edges))
    demo.reorder(nodes, edges)
    assert list(demo.nodes) == nodes and demo.edges == edges


def test_one_link_checker_gives_kind_and_reason(demo):
    e = demo.edges[0]
    assert demo.link_problem(e.src, e.src_port, e.dst, e.dst_port) is None
    assert demo.link_problem(e.src, e.src_port, e.dst, e.dst_port, twice=True)[0] == "twice"
    assert demo.link_problem("nope", "x", e.dst, e.dst_port)[0] == "node"
    assert demo.link_problem(e.src, "nope", e.dst, e.dst_port)[0] == "port"
    assert demo.link_problem("fill", "out", "open", "mask")[0] == "cycle"  # fill is below open
    assert demo.link_problem("fill", "out", "open", "mask", cycles=False) is None
    assert demo.link_problem("blobs", "regions", "blur", "image") == (
        "type", "blobs.regions gives Regions but blur.image needs Image")
    assert demo.check_link("blobs", "regions", "blur", "image") == "blobs.regions gives Regions but blur.image needs Image"


def test_macro_edits_reach_the_outer_graph(demo):
    from workbench.core.subgraph import plan_grouping

    plan = plan_grouping(demo, ["threshold", "open", "fill"])
    demo_events: list = []
    for nid in plan.node_ids:
        demo.remove_node(nid)
    demo.add_node("core.subgraph", plan.macro_id, {"title": "M"}, graph=plan.inner)
    for link in plan.links:
        demo.connect(*link)
    demo.subscribe(demo_events.append)
    before = demo.revision
    plan.inner.set_param("threshold", "c", -30.0)
    assert demo.revision == before + 1
    assert demo_events == [SubgraphChanged(plan.macro_id, ParamChanged("threshold", "c", demo_events[0].event.old,
                                                                       -30.0))]
    # a removed macro no longer forwards
    inner = plan.inner
    demo.remove_node(plan.macro_id)
    n, rev = len(demo_events), demo.revision
    inner.set_param("threshold", "c", -31.0)
    assert len(demo_events) == n and demo.revision == rev


def test_grouping_refusals(demo):
    from workbench.core.subgraph import plan_grouping

    with pytest.raises(GraphError, match="select the nodes"):
        plan_grouping(demo, [])
    inner = Pipeline(default_registry())
    inner.add_node("core.graph_input", "gin")
    with pytest.raises(GraphError, match="cannot be grouped"):
        plan_grouping(inner, ["gin"])
