"""Dragging a link on the canvas: from an output (or an input) to a compatible port, with the
compatible ports marked while dragging and the reason shown when a link is refused. Mixed into
:class:`~workbench.gui.canvas.Canvas`."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtWidgets import QToolTip

from workbench.core.graph import Edge
from workbench.gui.canvas_items import INPUT, OUTPUT, NodeItem, TempLink
from workbench.gui.i18n import t


class LinkDragMixin:
    # -- link dragging -------------------------------------------------------------------
    def _begin_link_drag(self, item: NodeItem, port, sp: QPointF) -> None:
        """Start from an output (forward), from an unlinked input (backward), or pick up the
        input end of an existing link (drop elsewhere: re-link; drop on empty space: unlink)."""
        detached = None
        if port.kind == INPUT:
            detached = self.doc.pipeline.incoming(item.node_id).get(port.name)
        if detached is not None and detached in self._links and detached.src in self._nodes:
            link = self._links[detached]
            anchor = (OUTPUT, detached.src, detached.src_port)
            color = link.color
            link.hide()
        else:
            detached = None
            anchor = (port.kind, item.node_id, port.name)
            color = port.color
        temp = TempLink(color)
        self.scene().addItem(temp)
        self._drag = {"anchor": anchor, "detached": detached, "temp": temp}
        self._mark_targets()
        self._move_link_drag(sp)

    def _anchor_pos(self) -> QPointF:
        kind, nid, name = self._drag["anchor"]
        return self._nodes[nid].port_scene_pos(kind, name)

    def _mark_targets(self) -> None:
        kind, nid, name = self._drag["anchor"]
        check = self.doc.check_link
        for other in self._nodes.values():
            marks = {}
            for key in other.ports:
                pk, pname = key
                if kind == OUTPUT and pk == INPUT:
                    marks[key] = check(nid, name, other.node_id, pname) is None
                elif kind == INPUT and pk == OUTPUT:
                    marks[key] = check(other.node_id, pname, nid, name) is None
                else:
                    marks[key] = False
            other.set_marks(marks)

    def _move_link_drag(self, sp: QPointF) -> None:
        d = self._drag
        kind = d["anchor"][0]
        end = sp
        hit = self._port_at(sp)
        if hit is not None and hit[1].kind != kind:
            end = hit[0].pos() + hit[1].pos  # snap the free end onto the port under the mouse
        a = self._anchor_pos()
        if kind == OUTPUT:
            d["temp"].set_ends(a, end)
        else:
            d["temp"].set_ends(end, a)

    def _drop_target(self, sp: QPointF, view_pos: QPoint):
        """The port a drop goes to: the one under the mouse, else (dropped on a node's body) its
        nearest port of the right kind that accepts the link, else its nearest of that kind."""
        want = INPUT if self._drag["anchor"][0] == OUTPUT else OUTPUT
        hit = self._port_at(sp)
        if hit is not None:
            return hit
        node = self._node_at(view_pos)
        if node is None:
            return None
        local = node.mapFromScene(sp)
        cands = [p for p in node.ports.values() if p.kind == want]
        if not cands:
            return None
        good = [p for p in cands if node.marks and node.marks.get((p.kind, p.name))]
        pool = good or cands
        best = min(pool, key=lambda p: abs(p.pos.y() - local.y()))
        return node, best

    def _end_link_drag(self, view_pos: QPoint) -> None:
        d = self._drag
        sp = self.mapToScene(view_pos)
        target = self._drop_target(sp, view_pos)
        kind, nid, name = d["anchor"]
        detached: Edge | None = d["detached"]
        self._cancel_link_drag()
        why = None
        if target is None:
            if detached is not None:
                self.doc.disconnect(detached)
            return
        titem, tport = target
        if tport.kind == kind:
            why = t("Link an output to an input")
        elif kind == OUTPUT:
            if detached is not None and (titem.node_id, tport.name) == (detached.dst, detached.dst_port):
                return  # dropped back where it was
            why = self.doc.check_link(nid, name, titem.node_id, tport.name)
            if why is None:
                if detached is not None:
                    self.doc.undo.beginMacro(t("Re-link"))
                    try:
                        self.doc.disconnect(detached)
                        why = self.doc.connect(nid, name, titem.node_id, tport.name)
                    finally:
                        self.doc.undo.endMacro()
                else:
                    why = self.doc.connect(nid, name, titem.node_id, tport.name)
        else:
            why = self.doc.connect(titem.node_id, tport.name, nid, name)
        if why:
            self._refuse(why, view_pos)

    def _refuse(self, why: str, view_pos: QPoint) -> None:
        QToolTip.showText(self.viewport().mapToGlobal(view_pos), why, self.viewport())
        self.message.emit(why)

    def _cancel_link_drag(self) -> None:
        d, self._drag = self._drag, None
        if d is None:
            return
        if d["temp"].scene() is not None:
            self.scene().removeItem(d["temp"])
        det = d["detached"]
        if det is not None and det in self._links:
            self._links[det].show()
        for item in self._nodes.values():
            item.set_marks(None)
