"""The pipeline graph: node instances, edges by port name, and change events.

The :class:`Pipeline` is the single source of truth. The GUI edits it only through its
methods (add_node, connect, set_param, ...) and subscribes to the plain dataclass events
it emits; the engine reads it.
"""

from __future__ import annotations

import copy as _copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from workbench.core.errors import GraphError, ParamError
from workbench.core.registry import Registry, default_registry
from workbench.core.spec import NodeSpec, PortSpec


@dataclass(frozen=True)
class Edge:
    src: str
    src_port: str
    dst: str
    dst_port: str

    def __str__(self) -> str:
        return f"{self.src}.{self.src_port} -> {self.dst}.{self.dst_port}"


# ---------------------------------------------------------------- events (plain dataclasses)
@dataclass(frozen=True)
class NodeAdded:
    node_id: str


@dataclass(frozen=True)
class NodeRemoved:
    node_id: str


@dataclass(frozen=True)
class EdgeAdded:
    edge: Edge


@dataclass(frozen=True)
class EdgeRemoved:
    edge: Edge


@dataclass(frozen=True)
class ParamChanged:
    node_id: str
    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class SubgraphChanged:
    """The inner pipeline of subgraph node ``node_id`` changed (``event`` is the inner event)."""

    node_id: str
    event: object


@dataclass
class NodeInstance:
    id: str
    spec: NodeSpec
    params: dict[str, Any]
    graph: "Pipeline | None" = None  # the inner pipeline of a subgraph (macro) node
    _digest: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def type(self) -> str:
        return self.spec.id

    def _ports(self) -> tuple[tuple[PortSpec, ...], tuple[PortSpec, ...]]:
        if self.spec.ports is not None:
            return self.spec.ports(self.params, self)
        return self.spec.inputs, self.spec.outputs

    @property
    def inputs(self) -> tuple[PortSpec, ...]:
        return self._ports()[0]

    @property
    def outputs(self) -> tuple[PortSpec, ...]:
        return self._ports()[1]

    def input(self, name: str) -> PortSpec | None:
        return next((p for p in self.inputs if p.name == name), None)

    def output(self, name: str) -> PortSpec | None:
        return next((p for p in self.outputs if p.name == name), None)

    def clone(self) -> "NodeInstance":
        """A copy with its own parameter dict and (for a macro) its own copy of the inner graph."""
        if self.graph is not None:
            return NodeInstance(self.id, self.spec, dict(self.params), self.graph.copy())
        return NodeInstance(self.id, self.spec, dict(self.params), None, self._digest)

    def params_json(self) -> dict[str, Any]:
        return {p.name: p.to_json(self.params.get(p.name, p.default)) for p in self.spec.params}

    def digest(self) -> bytes:
        """Hash of type, version and parameters (and the inner graph of a subgraph)."""
        if self._digest is None or self.graph is not None:
            payload = {"t": self.spec.id, "v": self.spec.version, "p": self.params_json()}
            if self.graph is not None:
                payload["g"] = self.graph.digest().hex()
            self._digest = hashlib.blake2b(
                json.dumps(payload, sort_keys=True, default=str).encode(), digest_size=16).digest()
        return self._digest


Listener = Callable[[object], None]


class Pipeline:
    def __init__(self, registry: Registry | None = None, base_dir: Path | None = None) -> None:
        self.registry = registry or default_registry()
        self.nodes: dict[str, NodeInstance] = {}
        self.edges: list[Edge] = []
        self.ui: dict[str, Any] = {}
        self.meta: dict[str, Any] = {}
        self.base_dir = base_dir or Path.cwd()
        self.revision = 0  # bumped by every edit (the GUI's "modified" marker reads it)
        self._structure = 0  # bumped by node/edge changes only: keys the order and edge caches
        self._listeners: list[Listener] = []
        self._order_cache: tuple[int, list[str]] | None = None
        self._incoming_cache: tuple[int, dict[str, dict[str, Edge]]] | None = None
        self._inner_unsub: dict[str, Callable[[], None]] = {}

    # -- events ----------------------------------------------------------------------
    def subscribe(self, fn: Listener) -> Callable[[], None]:
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def structure_changed(self) -> None:
        """Call after changing ``nodes``/``edges`` directly (the file loader does): drops caches."""
        self._structure += 1

    def _changed(self, event: object) -> None:
        self.revision += 1
        if not isinstance(event, (ParamChanged, SubgraphChanged)):
            self._structure += 1
        for fn in list(self._listeners):
            fn(event)

    def mark_edited(self) -> None:
        """Count an edit the graph does not model itself (the layout in ``ui``): bumps ``revision``."""
        self.revision += 1

    def _adopt(self, inst: NodeInstance) -> None:
        """Put ``inst`` into the graph; a macro's inner edits are re-emitted as SubgraphChanged."""
        self.nodes[inst.id] = inst
        if inst.graph is not None:
            nid = inst.id

            def forward(event: object, nid=nid, inner=inst.graph) -> None:
                cur = self.nodes.get(nid)
                if cur is not None and cur.graph is inner:
                    self._changed(SubgraphChanged(nid, event))

            self._inner_unsub[nid] = inst.graph.subscribe(forward)

    # -- copies ----------------------------------------------------------------------
    def copy(self) -> "Pipeline":
        """An independent copy (parameters, inner graphs, edges, meta, layout) that shares no
        mutable state: the engine runs it in a worker while the GUI goes on editing this one."""
        return self.subset(self.nodes, keep_order=True)

    def subset(self, ids, keep_order: bool = False) -> "Pipeline":
        """A new pipeline holding copies of the nodes ``ids`` (in topological order, or in this
        graph's order with ``keep_order``), the edges between them and their layout."""
        wanted = set(ids)
        order = list(self.nodes) if keep_order else self.topological_order()
        q = Pipeline(self.registry, self.base_dir)
        for nid in order:
            if nid in wanted:
                q._adopt(self.nodes[nid].clone())
                if nid in self.ui and not keep_order:
                    q.ui[nid] = _copy.deepcopy(self.ui[nid])
        q.edges = [e for e in self.edges if e.src in q.nodes and e.dst in q.nodes]
        if keep_order:
            q.meta = _copy.deepcopy(self.meta)
            q.ui = _copy.deepcopy(self.ui)
        q._structure += 1
        return q

    def reorder(self, node_order: list[str], edge_order: list[Edge]) -> None:
        """Put nodes and edges back in a former order (an undone delete keeps the file unchanged)."""
        rank = {n: i for i, n in enumerate(node_order)}
        self.nodes = dict(sorted(self.nodes.items(), key=lambda kv: rank.get(kv[0], len(rank))))
        erank = {e: i for i, e in enumerate(edge_order)}
        self.edges.sort(key=lambda e: erank.get(e, len(erank)))
        self._structure += 1

    # -- nodes -----------------------------------------------------------------------
    def new_id(self, type_id: str, taken: set[str] | None = None) -> str:
        """A free id for a new node: the type's last name part and a number (``threshold2``);
        ``taken`` adds ids that are about to be used (a paste of several nodes)."""
        stem = type_id.split(".")[-1]
        i = 1
        while f"{stem}{i}" in self.nodes or (taken is not None and f"{stem}{i}" in taken):
            i += 1
        return f"{stem}{i}"

    def add_node(self, type_id: str, node_id: str | None = None, params: dict[str, Any] | None = None,
                 graph: "Pipeline | None" = None) -> NodeInstance:
        spec = self.registry[type_id]
        node_id = node_id or self.new_id(type_id)
        if node_id in self.nodes:
            raise GraphError(f"a node with id {node_id!r} already exists")
        values = spec.default_params()
        for name, value in (params or {}).items():
            p = spec.param(name)
            if p is None:
                raise ParamError(f"{type_id} has no parameter {name!r}")
            values[name] = p.coerce(value)
        inst = NodeInstance(node_id, spec, values, graph)
        self._adopt(inst)
        self._changed(NodeAdded(node_id))
        return inst

    def remove_node(self, node_id: str) -> None:
        self.node(node_id)
        for e in [e for e in self.edges if node_id in (e.src, e.dst)]:
            self.disconnect(e)
        del self.nodes[node_id]
        unsub = self._inner_unsub.pop(node_id, None)
        if unsub is not None:
            unsub()
        self.ui.pop(node_id, None)
        self._changed(NodeRemoved(node_id))

    def node(self, node_id: str) -> NodeInstance:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(f"no node {node_id!r}") from None

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        inst = self.node(node_id)
        p = inst.spec.param(name)
        if p is None:
            raise ParamError(f"{node_id}: {inst.type} has no parameter {name!r}")
        value = p.coerce(value)
        old = inst.params.get(name)
        if old == value and type(old) is type(value):
            return
        inst.params[name] = value
        inst._digest = None
        self._changed(ParamChanged(node_id, name, old, value))

    # -- edges -----------------------------------------------------------------------
    def check_link(self, src: str, src_port: str, dst: str, dst_port: str) -> str | None:
        """Why this link is refused, or None when it is allowed (ignores an edge it would replace)."""
        found = self.link_problem(src, src_port, dst, dst_port)
        return found[1] if found else None

    def link_problem(self, src: str, src_port: str, dst: str, dst_port: str, *,
                     cycles: bool = True, twice: bool = False) -> tuple[str, str] | None:
        """The one link checker: ``(kind, reason)`` when the link is refused, else None. Kinds:
        "node" (no such node), "port", "type", "cycle" (unless ``cycles`` is False), "twice" (the
        input is already linked; only checked with ``twice``, for files, where nothing is replaced)."""
        for nid in (src, dst):
            if nid not in self.nodes:
                return "node", f"no node {nid!r}"
        out = self.nodes[src].output(src_port)
        if out is None:
            return "port", f"{src} ({self.nodes[src].type}) has no output {src_port!r}"
        inp = self.nodes[dst].input(dst_port)
        if inp is None:
            return "port", f"{dst} ({self.nodes[dst].type}) has no input {dst_port!r}"
        if not inp.type.can_accept(out.type):
            return "type", f"{src}.{src_port} gives {out.type.name} but {dst}.{dst_port} needs {inp.type.name}"
        if twice and dst_port in self.incoming(dst):
            return "twice", f"{dst}.{dst_port} is linked more than once"
        if cycles and (src == dst or src in self.downstream(dst)):
            return "cycle", f"linking {src}.{src_port} to {dst}.{dst_port} would make a cycle"
        return None

    def connect(self, src: str, src_port: str, dst: str, dst_port: str, replace: bool = True,
                *, allow_cycle: bool = False) -> Edge:
        """Link an output to an input (raises GraphError with the reason when refused).
        ``allow_cycle`` is for the file loader, which reports a cycle once for the whole graph."""
        found = self.link_problem(src, src_port, dst, dst_port, cycles=not allow_cycle)
        if found:
            raise GraphError(found[1])
        existing = self.incoming(dst).get(dst_port)
        if existing is not None:
            if not replace:
                raise GraphError(f"{dst}.{dst_port} is already linked from {existing.src}.{existing.src_port}")
            self.disconnect(existing)
        edge = Edge(src, src_port, dst, dst_port)
        self.edges.append(edge)
        self._changed(EdgeAdded(edge))
        return edge

    def disconnect(self, edge: Edge) -> None:
        self.edges.remove(edge)
        self._changed(EdgeRemoved(edge))

    def incoming(self, node_id: str) -> dict[str, Edge]:
        if self._incoming_cache is None or self._incoming_cache[0] != self._structure:
            table: dict[str, dict[str, Edge]] = {n: {} for n in self.nodes}
            for e in self.edges:
                table.setdefault(e.dst, {})[e.dst_port] = e
            self._incoming_cache = (self._structure, table)
        return self._incoming_cache[1].get(node_id, {})

    def downstream(self, node_id: str) -> set[str]:
        out: set[str] = set()
        stack = [node_id]
        while stack:
            cur = stack.pop()
            for e in self.edges:
                if e.src == cur and e.dst not in out:
                    out.add(e.dst)
                    stack.append(e.dst)
        return out

    def topological_order(self) -> list[str]:
        if self._order_cache is not None and self._order_cache[0] == self._structure:
            return self._order_cache[1]
        indeg = {n: 0 for n in self.nodes}
        succ: dict[str, list[str]] = {n: [] for n in self.nodes}
        for e in self.edges:
            if e.src in indeg and e.dst in indeg:
                indeg[e.dst] += 1
                succ[e.src].append(e.dst)
        ready = [n for n in self.nodes if indeg[n] == 0]
        order: list[str] = []
        while ready:
            n = ready.pop(0)
            order.append(n)
            for m in succ[n]:
                indeg[m] -= 1
                if indeg[m] == 0:
                    ready.append(m)
        if len(order) != len(self.nodes):
            stuck = sorted(n for n in self.nodes if n not in order)
            raise GraphError(f"the graph has a cycle through {', '.join(stuck)}")
        self._order_cache = (self._structure, order)
        return order

    def digest(self) -> bytes:
        h = hashlib.blake2b(digest_size=16)
        for nid, inst in self.nodes.items():
            h.update(nid.encode() + inst.digest())
        for e in self.edges:
            h.update(str(e).encode())
        return h.digest()

    def source_nodes(self) -> list[NodeInstance]:
        return [n for n in self.nodes.values() if n.spec.source]
