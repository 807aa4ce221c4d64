"""The open pipeline as an undoable document: every GUI edit goes through here.

The engine's :class:`~workbench.core.graph.Pipeline` stays the single source of truth. The
canvas, the inspector and the main window never change it directly: they call the methods
below, which push a ``QUndoCommand`` onto :attr:`Document.undo`; the command calls the
pipeline's own methods, the pipeline emits its plain-Python events, and the document re-emits
them as the Qt signal :attr:`Document.changed` (plus :class:`NodesMoved` for layout changes,
which the pipeline does not track). Views redraw from those events, so an undo redraws exactly
like the original edit.

Methods that the user can get wrong return the reason as one line (or None when it worked);
nothing changes when they refuse.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from workbench.core.errors import WorkbenchError
from workbench.core.graph import Edge, Pipeline
from workbench.core.params import Roi
from workbench.core.pipeline_file import (dumps_pipeline, graph_from_dict, graph_to_dict, load_pipeline,
                                          save_pipeline)
from workbench.core.registry import Registry, default_registry
from workbench.core.subgraph import plan_grouping
from workbench.gui.i18n import t
from workbench.runtime.samples import ensure_for_pipeline

CLIPBOARD_FORMAT = "workbench.nodes"


@dataclass(frozen=True)
class NodesMoved:
    node_ids: tuple[str, ...]


@dataclass(frozen=True)
class DocumentReset:
    """The whole pipeline was replaced (new/open): views rebuild from scratch."""


def snapshot(p: Pipeline) -> Pipeline:
    """A copy the engine can run in a worker thread while the GUI goes on editing ``p``."""
    return p.copy()


def _pos_of(entry: Any) -> tuple[float, float] | None:
    pos = entry.get("pos") if isinstance(entry, dict) else None
    if isinstance(pos, (list, tuple)) and len(pos) == 2 and all(isinstance(v, (int, float)) for v in pos):
        return float(pos[0]), float(pos[1])
    return None


def node_pos(p: Pipeline, node_id: str) -> tuple[float, float] | None:
    return _pos_of(p.ui.get(node_id))


def _set_pos(p: Pipeline, node_id: str, pos: tuple[float, float] | None) -> None:
    if pos is None:
        entry = p.ui.get(node_id)
        if isinstance(entry, dict):
            entry.pop("pos", None)
        return
    entry = p.ui.setdefault(node_id, {})
    if not isinstance(entry, dict):
        entry = p.ui[node_id] = {}
    entry["pos"] = [round(float(pos[0]), 1), round(float(pos[1]), 1)]


# ---------------------------------------------------------------- commands
class _Cmd(QUndoCommand):
    def __init__(self, doc: "Document", text: str) -> None:
        super().__init__(text)
        self.doc = doc

    @property
    def p(self) -> Pipeline:
        return self.doc.pipeline


class AddNodeCmd(_Cmd):
    def __init__(self, doc, type_id: str, node_id: str, params: dict | None, pos, graph: Pipeline | None = None,
                 ui: dict | None = None) -> None:
        super().__init__(doc, t("Add node"))
        self.type_id, self.node_id, self.params, self.pos, self.graph = type_id, node_id, params, pos, graph
        self.ui = ui

    def redo(self) -> None:
        if self.ui is not None:
            self.p.ui[self.node_id] = json.loads(json.dumps(self.ui))
        if self.pos is not None:
            _set_pos(self.p, self.node_id, self.pos)
        self.p.add_node(self.type_id, self.node_id, self.params, graph=self.graph)

    def undo(self) -> None:
        self.p.remove_node(self.node_id)


class RemoveNodesCmd(_Cmd):
    def __init__(self, doc, node_ids: list[str]) -> None:
        super().__init__(doc, t("Delete"))
        p = doc.pipeline
        self.saved = [(nid, p.nodes[nid].type, dict(p.nodes[nid].params), p.nodes[nid].graph,
                       json.loads(json.dumps(p.ui.get(nid, {})))) for nid in p.topological_order()
                      if nid in node_ids]
        ids = set(node_ids)
        self.edges = [e for e in p.edges if e.src in ids or e.dst in ids]
        self.node_order = list(p.nodes)
        self.edge_order = list(p.edges)

    def redo(self) -> None:
        for nid, *_ in reversed(self.saved):
            self.p.remove_node(nid)

    def undo(self) -> None:
        for nid, type_id, params, graph, ui in self.saved:
            self.p.ui[nid] = json.loads(json.dumps(ui))
            self.p.add_node(type_id, nid, params, graph=graph)
        for e in self.edges:
            self.p.connect(e.src, e.src_port, e.dst, e.dst_port)
        self.p.reorder(self.node_order, self.edge_order)  # so that the saved file is unchanged


class ConnectCmd(_Cmd):
    def __init__(self, doc, edge: Edge) -> None:
        super().__init__(doc, t("Link"))
        self.edge = edge
        self.replaced = doc.pipeline.incoming(edge.dst).get(edge.dst_port)

    def redo(self) -> None:
        e = self.edge
        self.p.connect(e.src, e.src_port, e.dst, e.dst_port)

    def undo(self) -> None:
        self.p.disconnect(self.edge)
        if self.replaced is not None:
            r = self.replaced
            self.p.connect(r.src, r.src_port, r.dst, r.dst_port)


class DisconnectCmd(_Cmd):
    def __init__(self, doc, edge: Edge) -> None:
        super().__init__(doc, t("Unlink"))
        self.edge = edge

    def redo(self) -> None:
        self.p.disconnect(self.edge)

    def undo(self) -> None:
        e = self.edge
        self.p.connect(e.src, e.src_port, e.dst, e.dst_port)


class SetParamCmd(_Cmd):
    MERGE_ID = 1001
    MERGE_WINDOW_S = 1.0  # a slider drag is one undo step

    def __init__(self, doc, node_id: str, name: str, old: Any, new: Any) -> None:
        super().__init__(doc, t("Change parameter"))
        self.node_id, self.name, self.old, self.new = node_id, name, old, new
        self.stamp = time.monotonic()

    def id(self) -> int:
        return self.MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetParamCmd) or (other.node_id, other.name) != (self.node_id, self.name):
            return False
        if other.stamp - self.stamp > self.MERGE_WINDOW_S:
            return False
        if isinstance(other.new, Roi) or isinstance(self.new, Roi):
            return False  # an ROI changes once per drawing or handle drag: each is its own step
        self.new, self.stamp = other.new, other.stamp
        return True

    def redo(self) -> None:
        self.p.set_param(self.node_id, self.name, self.new)

    def undo(self) -> None:
        self.p.set_param(self.node_id, self.name, self.old)


class MoveCmd(_Cmd):
    def __init__(self, doc, moves: dict[str, tuple[tuple[float, float] | None, tuple[float, float]]]) -> None:
        super().__init__(doc, t("Move"))
        self.moves = moves

    def _apply(self, which: int) -> None:
        for nid, pair in self.moves.items():
            _set_pos(self.p, nid, pair[which])
        self.p.mark_edited()
        self.doc._emit(NodesMoved(tuple(self.moves)))

    def redo(self) -> None:
        self._apply(1)

    def undo(self) -> None:
        self._apply(0)


# ---------------------------------------------------------------- the document
def _with_relative_paths(pipe: Pipeline, folder: Path, registry: Registry) -> Pipeline:
    """A copy of ``pipe`` to write into ``folder``: files it reads from that folder (or below), chosen
    as absolute paths (picked before the first save, dropped), are written relative to it, so the
    folder can move. The open pipeline keeps its values (no undo step, no re-run)."""
    from workbench.core.pipeline_file import loads_pipeline

    copy = loads_pipeline(dumps_pipeline(pipe), registry, base_dir=folder, allow_incomplete=True)

    def walk(graph: Pipeline) -> None:
        for inst in graph.nodes.values():
            for p in inst.spec.params:
                value = inst.params.get(p.name)
                if p.kind == "path" and p.path_mode in ("open", "dir") and value and Path(value).is_absolute():
                    try:
                        inst.params[p.name] = Path(value).resolve().relative_to(folder).as_posix()
                    except ValueError:
                        pass  # outside the pipeline's folder: kept as chosen
            if inst.graph is not None:
                walk(inst.graph)

    walk(copy)
    return copy


class Document(QObject):
    changed = Signal(object)  # pipeline events (NodeAdded, EdgeAdded, ParamChanged, ...), NodesMoved, DocumentReset
    modifiedChanged = Signal(bool)
    pathChanged = Signal(object)

    def __init__(self, pipeline: Pipeline | None = None, path: Path | None = None,
                 registry: Registry | None = None, undo: QUndoStack | None = None) -> None:
        """``undo``: share another document's stack (a macro's inner graph edited in its own tab
        is undone with the main pipeline's edits, in one history)."""
        super().__init__()
        self.registry = registry or (pipeline.registry if pipeline is not None else default_registry())
        self.undo = undo if undo is not None else QUndoStack(self)
        self.undo.cleanChanged.connect(self._on_clean)
        self.pipeline = pipeline or Pipeline(self.registry)
        self.path: Path | None = Path(path) if path else None
        self._unsub = self.pipeline.subscribe(self._emit)

    # -- plumbing ------------------------------------------------------------------
    def _on_clean(self, clean: bool) -> None:
        self.modifiedChanged.emit(not clean)

    def _emit(self, event: object) -> None:
        self.changed.emit(event)

    def _push(self, cmd: QUndoCommand) -> str | None:
        """Push a command; a WorkbenchError while doing it is returned as the reason."""
        try:
            self.undo.push(cmd)
        except WorkbenchError as exc:
            return str(exc)
        return None

    def set_pipeline(self, pipeline: Pipeline, path: Path | None = None) -> None:
        self._unsub()
        self.pipeline = pipeline
        self.path = Path(path) if path else None
        self._unsub = pipeline.subscribe(self._emit)
        self.undo.clear()
        self.undo.setClean()
        self.changed.emit(DocumentReset())
        self.pathChanged.emit(self.path)
        self.modifiedChanged.emit(False)

    @property
    def modified(self) -> bool:
        return not self.undo.isClean()

    @property
    def title(self) -> str:
        return self.path.name if self.path else t("Untitled")

    # -- files ---------------------------------------------------------------------
    def open(self, path: str | Path) -> None:
        """Load a pipeline file (raises PipelineError/WorkbenchError with every problem listed)."""
        p = load_pipeline(path, self.registry, allow_incomplete=True)
        ensure_for_pipeline(p)  # an example reading a sample image that is not there yet
        self.set_pipeline(p, Path(path).resolve())

    def new(self) -> None:
        self.set_pipeline(Pipeline(self.registry))

    def save(self, path: str | Path | None = None) -> None:
        target = Path(path) if path else self.path
        if target is None:
            raise WorkbenchError("choose a file name first (Save As)")
        save_pipeline(_with_relative_paths(self.pipeline, target.resolve().parent, self.registry), target)
        target = target.resolve()
        if target != self.path:
            self.path = target
            self.pipeline.base_dir = target.parent
            self.pathChanged.emit(self.path)
        self.undo.setClean()

    def dumps(self) -> str:
        return dumps_pipeline(self.pipeline)

    # -- edits ---------------------------------------------------------------------
    def add_node(self, type_id: str, pos: tuple[float, float] | None = None,
                 params: dict | None = None, node_id: str | None = None) -> str:
        """Add a node; returns its id. Raises WorkbenchError for an unknown type."""
        if type_id not in self.registry:
            raise WorkbenchError(f"unknown node type {type_id!r}")
        nid = node_id or self.pipeline.new_id(type_id)
        graph = Pipeline(self.registry, self.pipeline.base_dir) if self.registry[type_id].inner_graph else None
        err = self._push(AddNodeCmd(self, type_id, nid, params, pos, graph))
        if err:
            raise WorkbenchError(err)
        return nid

    def remove_nodes(self, node_ids) -> None:
        ids = [n for n in node_ids if n in self.pipeline.nodes]
        if ids:
            cmd = RemoveNodesCmd(self, ids)
            cmd.setText(t("Delete") + (f" {ids[0]}" if len(ids) == 1 else f" ({len(ids)})"))
            self._push(cmd)

    def check_link(self, src: str, src_port: str, dst: str, dst_port: str) -> str | None:
        return self.pipeline.check_link(src, src_port, dst, dst_port)

    def connect(self, src: str, src_port: str, dst: str, dst_port: str) -> str | None:
        """Link two ports (replacing what fed the input); the reason when refused."""
        why = self.pipeline.check_link(src, src_port, dst, dst_port)
        if why:
            return why
        if self.pipeline.incoming(dst).get(dst_port) == Edge(src, src_port, dst, dst_port):
            return None
        return self._push(ConnectCmd(self, Edge(src, src_port, dst, dst_port)))

    def disconnect(self, edge: Edge) -> None:
        if edge in self.pipeline.edges:
            self._push(DisconnectCmd(self, edge))

    def set_param(self, node_id: str, name: str, value: Any) -> str | None:
        """Change a parameter (undoable; quick successive edits of one parameter merge).
        Returns the reason when the value is refused; the pipeline is then unchanged."""
        inst = self.pipeline.nodes.get(node_id)
        if inst is None:
            return f"no node {node_id!r}"
        p = inst.spec.param(name)
        if p is None:
            return f"{inst.type} has no parameter {name!r}"
        try:
            value = p.coerce(value)
        except (WorkbenchError, ValueError, TypeError) as exc:
            return str(exc)
        old = inst.params.get(name, p.default)
        if old == value and type(old) is type(value):
            return None
        return self._push(SetParamCmd(self, node_id, name, old, value))

    def move_nodes(self, positions: dict[str, tuple[float, float]]) -> None:
        """Record new positions (call once when a drag ends, not on every mouse move)."""
        moves = {nid: (node_pos(self.pipeline, nid), (float(x), float(y)))
                 for nid, (x, y) in positions.items() if nid in self.pipeline.nodes}
        moves = {k: v for k, v in moves.items() if v[0] != v[1]}
        if moves:
            self._push(MoveCmd(self, moves))

    # -- clipboard -----------------------------------------------------------------
    def copy_text(self, node_ids) -> str:
        """The selection as JSON (nodes, the edges between them, their positions)."""
        sub = self.pipeline.subset(node_ids)
        data = graph_to_dict(sub)
        data["format"] = CLIPBOARD_FORMAT
        data["ui"] = sub.ui
        return json.dumps(data, sort_keys=True)

    def paste_text(self, text: str, offset: tuple[float, float] = (30.0, 30.0)) -> list[str] | str:
        """Paste nodes copied with :meth:`copy_text` (new ids); the new ids, or the reason."""
        try:
            data = json.loads(text)
        except ValueError:
            return t("the clipboard does not hold workbench nodes")
        if not isinstance(data, dict) or data.get("format") != CLIPBOARD_FORMAT:
            return t("the clipboard does not hold workbench nodes")
        sub, problems = graph_from_dict(data, self.registry, self.pipeline.base_dir)
        if problems:
            return "; ".join(str(p) for p in problems[:3])
        mapping: dict[str, str] = {}
        self.undo.beginMacro(t("Paste"))
        try:
            taken = set(self.pipeline.nodes)
            for nid, inst in sub.nodes.items():
                new = nid if nid not in taken else self.pipeline.new_id(inst.type, taken)
                taken.add(new)
                mapping[nid] = new
                pos = _pos_of(data.get("ui", {}).get(nid))
                pos = (pos[0] + offset[0], pos[1] + offset[1]) if pos else None
                self.undo.push(AddNodeCmd(self, inst.type, new, inst.params, pos, inst.graph))
            for e in sub.edges:
                self.undo.push(ConnectCmd(self, Edge(mapping[e.src], e.src_port, mapping[e.dst], e.dst_port)))
        finally:
            self.undo.endMacro()
        return list(mapping.values())

    def duplicate(self, node_ids) -> list[str] | str:
        return self.paste_text(self.copy_text(node_ids))

    # -- macros --------------------------------------------------------------------
    def group(self, node_ids, title: str = "Macro") -> str:
        """Replace the selected nodes with one subgraph node holding them (one undo step);
        returns its id. The grouping itself is :func:`workbench.core.subgraph.plan_grouping`."""
        plan = plan_grouping(self.pipeline, node_ids)
        self.undo.beginMacro(t("Group into macro"))
        try:
            self.undo.push(RemoveNodesCmd(self, plan.node_ids))
            self.undo.push(AddNodeCmd(self, "core.subgraph", plan.macro_id, {"title": title}, plan.pos,
                                      plan.inner))
            for link in plan.links:
                self.undo.push(ConnectCmd(self, Edge(*link)))
        finally:
            self.undo.endMacro()
        return plan.macro_id
