"""The graph model: nodes, links with type checks, cycles, order, events, parameter edits."""

from __future__ import annotations

import pytest

from workbench.core.errors import GraphError, ParamError, RegistryError
from workbench.core.graph import (Edge, EdgeAdded, EdgeRemoved, NodeAdded, NodeRemoved, ParamChanged,
                                  Pipeline)
from workbench.core.registry import default_registry
from workbench.nodes.filter.gaussian_blur import Border


@pytest.fixture
def pipe(treg, tmp_path) -> Pipeline:
    return Pipeline(treg, base_dir=tmp_path)


@pytest.fixture
def events(pipe) -> list:
    got: list = []
    pipe.subscribe(got.append)
    return got


# ---------------------------------------------------------------- nodes
def test_add_node_defaults_ids_and_coercion(pipe):
    a = pipe.add_node("test.add")
    b = pipe.add_node("test.add")
    assert (a.id, b.id) == ("add1", "add2")
    assert a.params == {"amount": 1}
    c = pipe.add_node("test.add", "c", {"amount": 7.0})
    assert c.params["amount"] == 7 and type(c.params["amount"]) is int  # coerced 7.0 -> 7
    assert list(pipe.nodes) == ["add1", "add2", "c"]
    assert pipe.node("c") is c
    assert [p.name for p in c.inputs] == ["image"] and [p.name for p in c.outputs] == ["out"]


def test_add_node_refusals(pipe):
    pipe.add_node("test.add", "a")
    with pytest.raises(GraphError, match="'a' already exists"):
        pipe.add_node("test.add", "a")
    with pytest.raises(RegistryError, match="unknown node type 'test.nope'"):
        pipe.add_node("test.nope")
    with pytest.raises(ParamError, match="no parameter 'radius'"):
        pipe.add_node("test.add", "b", {"radius": 3})
    with pytest.raises(ParamError, match="out of range"):
        pipe.add_node("test.add", "b", {"amount": 1000})
    assert list(pipe.nodes) == ["a"]


def test_remove_node_removes_its_edges_and_ui(pipe, events):
    pipe.add_node("test.source", "s")
    pipe.add_node("test.add", "a")
    pipe.add_node("test.add", "b")
    e1 = pipe.connect("s", "out", "a", "image")
    e2 = pipe.connect("a", "out", "b", "image")
    pipe.ui["a"] = {"pos": [1, 2]}
    events.clear()
    pipe.remove_node("a")
    assert "a" not in pipe.nodes and "a" not in pipe.ui
    assert pipe.edges == []
    assert set(events[:2]) == {EdgeRemoved(e1), EdgeRemoved(e2)}
    assert events[2:] == [NodeRemoved("a")]
    assert pipe.incoming("b") == {}
    with pytest.raises(GraphError, match="no node 'a'"):
        pipe.remove_node("a")


# ---------------------------------------------------------------- links
def test_connect_compatible_types(pipe):
    pipe.add_node("test.source", "s")
    pipe.add_node("test.add", "a")
    edge = pipe.connect("s", "out", "a", "image")
    assert edge == Edge("s", "out", "a", "image")
    assert pipe.edges == [edge]
    assert pipe.incoming("a") == {"image": edge}
    # Mask -> Image and Int -> Float are accepted conversions
    pipe.add_node("test.mask_source", "m")
    pipe.add_node("test.add", "a2")
    assert pipe.check_link("m", "out", "a2", "image") is None
    pipe.connect("m", "out", "a2", "image")
    pipe.add_node("test.int_source", "i")
    pipe.add_node("test.half", "h")
    pipe.connect("i", "out", "h", "x")
    assert len(pipe.edges) == 3


def test_connect_refuses_incompatible_types(pipe, events):
    pipe.add_node("test.regions_source", "r")
    pipe.add_node("test.add", "a")
    events.clear()
    with pytest.raises(GraphError) as err:
        pipe.connect("r", "out", "a", "image")
    msg = str(err.value)
    assert "Regions" in msg and "Image" in msg
    assert msg == "r.out gives Regions but a.image needs Image"
    # the opposite direction of an accepted conversion is refused too: Float does not go into Int
    pipe.add_node("test.int_source", "i")
    pipe.add_node("test.half", "h")
    pipe.add_node("test.int_sink", "k")
    pipe.connect("i", "out", "h", "x")
    with pytest.raises(GraphError, match="gives Float but k.x needs Int"):
        pipe.connect("h", "out", "k", "x")
    assert [str(e) for e in pipe.edges] == ["i.out -> h.x"]


def test_connect_refuses_unknown_nodes_and_ports(pipe):
    pipe.add_node("test.source", "s")
    pipe.add_node("test.add", "a")
    with pytest.raises(GraphError, match="s \\(test.source\\) has no output 'nope'"):
        pipe.connect("s", "nope", "a", "image")
    with pytest.raises(GraphError, match="a \\(test.add\\) has no input 'nope'"):
        pipe.connect("s", "out", "a", "nope")
    with pytest.raises(GraphError, match="no node 'ghost'"):
        pipe.connect("ghost", "out", "a", "image")
    with pytest.raises(GraphError, match="no node 'ghost'"):
        pipe.connect("s", "out", "ghost", "image")
    assert pipe.edges == []


def test_connect_refuses_cycles(pipe):
    for nid in "abc":
        pipe.add_node("test.add", nid)
    pipe.connect("a", "out", "b", "image")
    pipe.connect("b", "out", "c", "image")
    with pytest.raises(GraphError, match="would make a cycle"):
        pipe.connect("c", "out", "a", "image")
    with pytest.raises(GraphError, match="would make a cycle"):
        pipe.connect("a", "out", "a", "image")  # self loop
    assert len(pipe.edges) == 2
    assert pipe.topological_order() == ["a", "b", "c"]


def test_connect_replaces_edge_into_occupied_input(pipe, events):
    pipe.add_node("test.source", "s1")
    pipe.add_node("test.source", "s2")
    pipe.add_node("test.add", "a")
    old = pipe.connect("s1", "out", "a", "image")
    events.clear()
    new = pipe.connect("s2", "out", "a", "image")
    assert pipe.edges == [new]
    assert pipe.incoming("a")["image"].src == "s2"
    assert events == [EdgeRemoved(old), EdgeAdded(new)]
    with pytest.raises(GraphError, match="a.image is already linked from s2.out"):
        pipe.connect("s1", "out", "a", "image", replace=False)
    assert pipe.edges == [new]


def test_topological_order_respects_every_edge(pipe):
    # diamond s -> (l, r) -> j, plus a free node and nodes added in "wrong" order
    pipe.add_node("test.join", "j")
    pipe.add_node("test.add", "r")
    pipe.add_node("test.add", "l")
    pipe.add_node("test.source", "s")
    pipe.add_node("test.source", "free")
    pipe.connect("l", "out", "j", "a")
    pipe.connect("r", "out", "j", "b")
    pipe.connect("s", "out", "l", "image")
    pipe.connect("s", "out", "r", "image")
    order = pipe.topological_order()
    assert sorted(order) == sorted(pipe.nodes)
    for e in pipe.edges:
        assert order.index(e.src) < order.index(e.dst), e
    assert order[-1] == "j"
    # the order follows edits (no stale cache)
    pipe.add_node("test.add", "after")
    pipe.connect("j", "out", "after", "image")
    order2 = pipe.topological_order()
    assert order2[-1] == "after" and len(order2) == 6
    assert pipe.downstream("s") == {"l", "r", "j", "after"}


def test_topological_order_reports_cycle_made_behind_its_back(pipe):
    pipe.add_node("test.add", "a")
    pipe.add_node("test.add", "b")
    pipe.edges += [Edge("a", "out", "b", "image"), Edge("b", "out", "a", "image")]
    pipe.revision += 1
    with pytest.raises(GraphError, match="cycle through a, b"):
        pipe.topological_order()


# ---------------------------------------------------------------- events & params
def test_events_for_every_edit(pipe, events):
    rev0 = pipe.revision
    pipe.add_node("test.source", "s")
    pipe.add_node("test.add", "a")
    e = pipe.connect("s", "out", "a", "image")
    pipe.set_param("a", "amount", 5)
    pipe.set_param("a", "amount", 5)  # unchanged: no event
    pipe.disconnect(e)
    pipe.remove_node("s")
    assert events == [NodeAdded("s"), NodeAdded("a"), EdgeAdded(e), ParamChanged("a", "amount", 1, 5),
                      EdgeRemoved(e), NodeRemoved("s")]
    assert pipe.revision == rev0 + len(events)


def test_unsubscribe_stops_events(pipe):
    got = []
    unsubscribe = pipe.subscribe(got.append)
    pipe.add_node("test.source", "s")
    unsubscribe()
    pipe.add_node("test.source", "t")
    assert got == [NodeAdded("s")]


def test_set_param_validation(pipe, events):
    pipe.add_node("test.add", "a")
    pipe.add_node("test.source", "s")
    events.clear()
    with pytest.raises(ParamError, match=r"amount: 300 is out of range \[-255, 255\]"):
        pipe.set_param("a", "amount", 300)
    with pytest.raises(ParamError, match="amount: expected an integer, got 'abc'"):
        pipe.set_param("a", "amount", "abc")
    with pytest.raises(ParamError, match="expected an integer, got 2.5"):
        pipe.set_param("a", "amount", 2.5)
    with pytest.raises(ParamError, match="expected an integer, got True"):
        pipe.set_param("a", "amount", True)
    with pytest.raises(ParamError, match="size: 0 is out of range"):
        pipe.set_param("s", "size", 0)
    with pytest.raises(ParamError, match="has no parameter 'nope'"):
        pipe.set_param("a", "nope", 1)
    with pytest.raises(GraphError, match="no node 'zz'"):
        pipe.set_param("zz", "amount", 1)
    assert pipe.nodes["a"].params == {"amount": 1} and events == []


def test_set_param_enum_by_name_and_unknown_name(tmp_path):
    pipe = Pipeline(default_registry(), base_dir=tmp_path)
    pipe.add_node("cv.gaussian_blur", "blur")
    got = []
    pipe.subscribe(got.append)
    pipe.set_param("blur", "border", "REPLICATE")
    assert pipe.nodes["blur"].params["border"] is Border.REPLICATE
    assert got == [ParamChanged("blur", "border", Border.REFLECT, Border.REPLICATE)]
    with pytest.raises(ParamError) as err:
        pipe.set_param("blur", "border", "SIDEWAYS")
    assert str(err.value) == "border: 'SIDEWAYS' is not one of REFLECT, REPLICATE, CONSTANT"
    with pytest.raises(ParamError, match="sigma: expected a number"):
        pipe.set_param("blur", "sigma", "big")
    with pytest.raises(ParamError, match="sigma: expected a finite number"):
        pipe.set_param("blur", "sigma", float("nan"))
    with pytest.raises(ParamError, match=r"sigma: 51 is out of range \[0, 50\]"):
        pipe.set_param("blur", "sigma", 51)
    assert pipe.nodes["blur"].params == {"sigma": 1.0, "border": Border.REPLICATE}


def test_set_param_same_value_after_coercion_emits_nothing(pipe, events):
    """1 -> 1.0 on an int param normalises to the same int: no event; a new value gives one."""
    pipe.add_node("test.add", "a")
    events.clear()
    pipe.set_param("a", "amount", 1.0)
    assert events == []
    pipe.set_param("a", "amount", 2.0)
    assert events == [ParamChanged("a", "amount", 1, 2)]


def test_digest_follows_params(pipe):
    a = pipe.add_node("test.add", "a")
    b = pipe.add_node("test.add", "b")
    assert a.digest() == b.digest()  # same type, version and params
    d0 = a.digest()
    pipe.set_param("a", "amount", 2)
    assert a.digest() != d0
    pipe.set_param("a", "amount", 1)
    assert a.digest() == d0
    g0 = pipe.digest()
    pipe.add_node("test.source", "s")
    pipe.connect("s", "out", "a", "image")
    assert pipe.digest() != g0
