"""Macros: a subgraph node runs an inner pipeline.

The inner pipeline declares its ports with ``core.graph_input`` / ``core.graph_output``
nodes (each with a port name and a data type). The subgraph node's inputs and outputs are
derived from them, so they change when the inner graph changes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Annotated, Any

from workbench.core.params import Help
from workbench.core.spec import NodeContext, PortSpec, node
from workbench.core.types import DATA_TYPES, NO_VALUE, AnyValue

PortType = enum.Enum("PortType", {name: name for name in DATA_TYPES})


def _input_ports(params: dict, _inst: Any):
    return (), (PortSpec("value", DATA_TYPES[params["type"].name]),)


def _output_ports(params: dict, _inst: Any):
    return (PortSpec("value", DATA_TYPES[params["type"].name]),), ()


@node("core.graph_input", name="Graph Input", category="Flow", ports=_input_ports, output="value",
      description="An input port of the enclosing subgraph (its value is given by the parent).")
def graph_input(name: str = "in", type: PortType = PortType.Image) -> AnyValue:
    return NO_VALUE  # the engine feeds the value; standalone, the branch is skipped


@node("core.graph_output", name="Graph Output", category="Flow", ports=_output_ports,
      description="An output port of the enclosing subgraph.")
def graph_output(value: AnyValue, name: str = "out", type: PortType = PortType.Image) -> None:
    return None


def _subgraph_ports(_params: dict, inst: Any):
    inner = inst.graph
    if inner is None:
        return (), ()
    ins = tuple(PortSpec(n.params["name"], DATA_TYPES[n.params["type"].name])
                for n in inner.nodes.values() if n.type == "core.graph_input")
    outs = tuple(PortSpec(n.params["name"], DATA_TYPES[n.params["type"].name])
                 for n in inner.nodes.values() if n.type == "core.graph_output")
    return ins, outs


@node("core.subgraph", name="Subgraph", category="Flow", ports=_subgraph_ports, inner_graph=True,
      description="Runs an inner pipeline (a macro); its ports are the inner graph inputs and outputs.")
def subgraph(ctx: NodeContext, title: str = "Macro",
             exposed: Annotated[str, Help("inner parameters shown on the macro: node.param, comma-separated")] = ""
             ) -> None:
    raise RuntimeError("a subgraph is run by the engine")  # never called: the engine runs inst.graph


def exposed_params(inst: Any) -> list[tuple[str, Any]]:
    """(inner node id, ParamSpec) of each inner parameter exposed on macro ``inst`` that still exists."""
    out = []
    inner = inst.graph
    for item in str(inst.params.get("exposed", "") or "").split(","):
        nid, _, name = item.strip().partition(".")
        spec = inner.nodes[nid].spec.param(name) if inner is not None and nid in inner.nodes else None
        if spec is not None:
            out.append((nid, spec))
    return out


def toggle_exposed(text: str, node_id: str, name: str) -> str:
    """The ``exposed`` text with ``node_id.name`` added, or removed when it was there."""
    items = [i.strip() for i in (text or "").split(",") if i.strip()]
    key = f"{node_id}.{name}"
    return ", ".join([i for i in items if i != key] if key in items else items + [key])


# ---------------------------------------------------------------- grouping into a macro
@dataclass(frozen=True)
class Grouping:
    """What grouping some nodes into a macro means, worked out before anything changes: the
    caller removes ``node_ids``, adds ``macro_id`` (a core.subgraph holding ``inner``) at ``pos``
    and makes the ``links`` (src, src_port, dst, dst_port) that replace the crossing edges."""

    node_ids: list[str]
    macro_id: str
    inner: Any  # Pipeline
    pos: tuple[float, float] | None
    links: list[tuple[str, str, str, str]]


def _pos(entry: Any) -> tuple[float, float] | None:
    pos = entry.get("pos") if isinstance(entry, dict) else None
    if isinstance(pos, (list, tuple)) and len(pos) == 2 and all(isinstance(v, (int, float)) for v in pos):
        return float(pos[0]), float(pos[1])
    return None


def plan_grouping(pipe: Any, node_ids) -> Grouping:
    """Group ``node_ids`` of ``pipe`` into one subgraph node. Links that cross the selection become
    the macro's inputs (one per outer source) and outputs (one per inner output). Raises GraphError."""
    from workbench.core.errors import GraphError

    ids = [n for n in pipe.topological_order() if n in set(node_ids)]
    if not ids:
        raise GraphError("select the nodes to group first")
    if any(pipe.nodes[n].type in ("core.graph_input", "core.graph_output") for n in ids):
        raise GraphError("graph inputs and outputs cannot be grouped")
    inside = set(ids)
    inner = pipe.subset(ids)
    names: set[str] = set()

    def port_name(base: str) -> str:
        name, i = base, 2
        while name in names:
            name, i = f"{base}{i}", i + 1
        names.add(name)
        return name

    macro = pipe.new_id("core.macro")
    links: list[tuple[str, str, str, str]] = []
    crossing = ([(e, True) for e in pipe.edges if e.dst in inside and e.src not in inside]
                + [(e, False) for e in pipe.edges if e.src in inside and e.dst not in inside])
    made: dict[tuple[bool, str, str], str] = {}  # one macro port per outer source / inner output
    for e, incoming in crossing:
        key = (incoming, e.src, e.src_port)
        new = key not in made
        if new:
            spec = pipe.nodes[e.dst].input(e.dst_port) if incoming else pipe.nodes[e.src].output(e.src_port)
            made[key] = port_name(e.dst_port if incoming else e.src_port)
            inner.add_node("core.graph_input" if incoming else "core.graph_output",
                           ("in_" if incoming else "out_") + made[key], {"name": made[key], "type": spec.type.name})
        name = made[key]
        if incoming:
            if new:
                links.append((e.src, e.src_port, macro, name))
            inner.connect(f"in_{name}", "value", e.dst, e.dst_port)
        else:
            if new:
                inner.connect(e.src, e.src_port, f"out_{name}", "value")
            links.append((macro, name, e.dst, e.dst_port))
    xs = [pp for pp in (_pos(pipe.ui.get(n)) for n in ids) if pp]
    pos = (sum(x for x, _ in xs) / len(xs), sum(y for _, y in xs) / len(xs)) if xs else None
    return Grouping(ids, macro, inner, pos, links)
