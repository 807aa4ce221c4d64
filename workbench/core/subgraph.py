"""Macros: a subgraph node runs an inner pipeline.

The inner pipeline declares its ports with ``core.graph_input`` / ``core.graph_output``
nodes (each with a port name and a data type). The subgraph node's inputs and outputs are
derived from them, so they change when the inner graph changes.
"""

from __future__ import annotations

import enum
from typing import Any

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


@node("core.subgraph", name="Subgraph", category="Flow", ports=_subgraph_ports,
      description="Runs an inner pipeline (a macro); its ports are the inner graph inputs and outputs.")
def subgraph(ctx: NodeContext, title: str = "Macro") -> None:
    raise RuntimeError("a subgraph is run by the engine")  # never called: the engine runs inst.graph
