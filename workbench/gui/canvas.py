"""The node canvas: our own QGraphicsView over the :class:`~workbench.gui.document.Document`.

The view never edits the pipeline itself: every edit is a Document call (an undoable command),
and the view redraws only from ``doc.changed`` events, so undo and redo redraw exactly like the
edit did. Items are in canvas_items.py, link dragging in canvas_links.py, the context menu and
palette drops in canvas_menu.py; the design is described in docs/CANVAS.md.

API used by the main window (keep it stable)::

    c = Canvas(doc)
    c.selectionChangedIds -> Signal(list)    # selected node ids, on every selection change
    c.nodeActivated       -> Signal(str)     # double-click / "Open macro" on a node
    c.message             -> Signal(str)     # one-line messages (why a link was refused, ...)
    c.set_status(node_id, status, ms=None, note="");  c.clear_status()
    c.select(ids); c.selected_ids(); c.fit(); c.center_on(node_id)
    c.copy(); c.paste(); c.duplicate(); c.delete_selected(); c.group_selected() -> macro id | None
    c.add_node(type_id, scene_pos=None) -> node id
    c.retranslate(); c.apply_theme()
    c.refresh_node(node_id)                  # re-read a node's ports (a macro edited in another tab)
"""

from __future__ import annotations

import json
import math

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QCursor, QPainter, QPen, QPixmapCache
from PySide6.QtWidgets import QApplication, QFrame, QGraphicsItem, QGraphicsScene, QGraphicsView

from workbench.core.errors import WorkbenchError
from workbench.core.graph import (Edge, EdgeAdded, EdgeRemoved, NodeAdded, NodeRemoved, ParamChanged,
                                 SubgraphChanged)
from workbench.gui.canvas_items import (GRID, HEADER_H, INPUT, OUTPUT, LinkItem, NodeItem, Style,
                                        layered_layout, place_unpositioned)
from workbench.gui.document import Document, DocumentReset, NodesMoved, node_pos
from workbench.gui.canvas_layout import beside, free_spot, layered
from workbench.gui.canvas_links import LinkDragMixin
from workbench.gui.canvas_menu import NODE_MIME, MenuDropMixin, _top_left  # noqa: F401 (NODE_MIME: the drag type)


from workbench.gui.qtfix import PYSIDE_GUARDS  # noqa: E402,F401  (PySide6 6.12.0 leaks; applied on import)

MIN_ZOOM, MAX_ZOOM = 0.1, 3.0
SCENE_HALF = 100_000.0  # a fixed, huge scene rect: no recomputation, free panning
ZOOM_SETTLE_MS = 160  # crisp node pixmaps again this long after the last wheel step


class Canvas(LinkDragMixin, MenuDropMixin, QGraphicsView):
    selectionChangedIds = Signal(list)
    nodeActivated = Signal(str)
    message = Signal(str)

    def __init__(self, doc: Document, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.look = Style()
        self.snapping = False  # node positions snap to the grid while the user drags them
        self._nodes: dict[str, NodeItem] = {}
        self._links: dict[Edge, LinkItem] = {}
        self._picked: LinkItem | None = None
        self._status: dict[str, tuple[str, float | None, str]] = {}
        self._press_pos: dict[str, QPointF] = {}
        self._pan: QPoint | None = None
        self._space = False
        self._space_used = False
        self._drag: dict | None = None  # a link being dragged
        self._quiet = 0  # > 0 while rebuilding: selection signals are held back
        self._zooming = False
        self._zoom_timer = QTimer(self)
        self._zoom_timer.setSingleShot(True)
        self._zoom_timer.setInterval(ZOOM_SETTLE_MS)
        self._zoom_timer.timeout.connect(self._zoom_settled)
        if QPixmapCache.cacheLimit() < 65536:  # node pixmaps of a big graph on a big screen
            QPixmapCache.setCacheLimit(65536)

        scene = QGraphicsScene(self)
        scene.setItemIndexMethod(QGraphicsScene.BspTreeIndex)
        scene.setSceneRect(QRectF(-SCENE_HALF, -SCENE_HALF, 2 * SCENE_HALF, 2 * SCENE_HALF))
        scene.selectionChanged.connect(self._selection_changed)
        self.setScene(scene)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.DontSavePainterState)
        self.setCacheMode(QGraphicsView.CacheBackground)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.IntersectsItemShape)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.NoFrame)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMouseTracking(True)
        self.apply_theme()
        doc.changed.connect(self._on_changed)
        self._rebuild()

    # ================================================================ public API
    def set_status(self, node_id: str, status: str, ms: float | None = None, note: str = "") -> None:
        """Show a node's last run: status in ok/cached/failed/skipped/cancelled/running/"" ;
        ``note`` is the tooltip (an error message, or "ran on CPU: ..." which adds a CPU badge)."""
        self._status[node_id] = (status, ms, note)
        item = self._nodes.get(node_id)
        if item is not None:
            item.set_status(status, ms, note)

    def clear_status(self) -> None:
        self._status.clear()
        for item in self._nodes.values():
            item.set_status("", None, "")

    def select(self, node_ids: list[str]) -> None:
        self._quiet += 1
        try:
            self.scene().clearSelection()
            self._pick(None)
            for nid in node_ids:
                item = self._nodes.get(nid)
                if item is not None:
                    item.setSelected(True)
        finally:
            self._quiet -= 1
        self._selection_changed()

    def selected_ids(self) -> list[str]:
        order = {nid: i for i, nid in enumerate(self.doc.pipeline.nodes)}
        ids = [it.node_id for it in self.scene().selectedItems() if isinstance(it, NodeItem)]
        return sorted(ids, key=lambda n: order.get(n, 0))

    def fit(self) -> None:
        """Show every node (never zooming in beyond 1:1)."""
        rect = self._nodes_rect()
        if rect.isNull():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        m = 40.0
        self.fitInView(rect.adjusted(-m, -m, m, m), Qt.KeepAspectRatio)
        s = self.transform().m11()
        if s > 1.0 or s < MIN_ZOOM:
            self.resetTransform()
            self.scale(min(1.0, max(MIN_ZOOM, s)), min(1.0, max(MIN_ZOOM, s)))
            self.centerOn(rect.center())

    def center_on(self, node_id: str) -> None:
        item = self._nodes.get(node_id)
        if item is not None:
            self.centerOn(item.sceneBoundingRect().center())

    def copy(self) -> None:
        ids = self.selected_ids()
        if ids:
            QApplication.clipboard().setText(self._copy_text(ids))

    def paste(self) -> None:
        text = QApplication.clipboard().text()
        offset = (30.0, 30.0)
        at = self._mouse_scene_pos()
        if at is not None:
            corner = _top_left(text)
            if corner is not None:
                offset = (at.x() - corner[0], at.y() - corner[1])
        self._paste(text, offset)

    def duplicate(self) -> None:
        ids = self.selected_ids()
        if ids:
            self._paste(self._copy_text(ids), (30.0, 30.0))

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        link = self._picked.edge if self._picked is not None else None
        if ids:
            self.doc.remove_nodes(ids)
        elif link is not None:
            self.doc.disconnect(link)

    def group_selected(self) -> str | None:
        ids = self.selected_ids()
        try:
            macro = self.doc.group(ids)
        except WorkbenchError as exc:
            self.message.emit(str(exc))
            return None
        self.select([macro])
        return macro

    def add_node(self, type_id: str, scene_pos: QPointF | None = None) -> str:
        """Add a node with its title bar under ``scene_pos``; its id. None (Enter or double-click in
        the palette): beside the selection, else at the view's centre, moved clear of other nodes."""
        step = GRID / 2
        if scene_pos is None:
            rects = {nid: self._rect_of(nid) for nid in self._nodes}
            spot = beside([rects[n] for n in self.selected_ids() if n in rects])
            if spot is None:
                c = self.mapToScene(self.viewport().rect().center())
                spot = (c.x() - 75.0, c.y() - HEADER_H / 2)
            x, y = free_spot(list(rects.values()), round(spot[0] / step) * step, round(spot[1] / step) * step,
                             150.0, 90.0, step)
        else:
            x = round((scene_pos.x() - 75.0) / step) * step
            y = round((scene_pos.y() - HEADER_H / 2) / step) * step
        nid = self.doc.add_node(type_id, (x, y))
        self.select([nid])
        return nid

    def _rect_of(self, node_id: str) -> tuple[float, float, float, float]:
        r = self._nodes[node_id].sceneBoundingRect()
        return (r.x(), r.y(), r.width(), r.height())

    def auto_layout(self) -> None:
        """Arrange the nodes left to right by their links (one undo step)."""
        if not self._nodes:
            return
        rects = {nid: self._rect_of(nid) for nid in self._nodes}
        origin = (min(r[0] for r in rects.values()), min(r[1] for r in rects.values()))
        sizes = {nid: (r[2], r[3]) for nid, r in rects.items()}
        self.doc.move_nodes(layered(self.doc.pipeline, sizes, origin))

    def retranslate(self) -> None:
        for item in self._nodes.values():
            item.rebuild()

    def apply_theme(self) -> None:
        self.look.reload()
        self.setBackgroundBrush(self.look.background)
        self.resetCachedContent()
        for item in self._nodes.values():
            item.rebuild()
        for e, link in self._links.items():
            link.color = self._link_color(e)
            link.restyle()
        self.viewport().update()

    def refresh_node(self, node_id: str) -> None:
        """Re-read one node's title and ports (e.g. its macro was edited in another tab)."""
        item = self._nodes.get(node_id)
        if item is not None:
            item.rebuild()

    # ================================================================ document events
    def _on_changed(self, ev: object) -> None:
        if isinstance(ev, NodeAdded):
            self._add_item(ev.node_id)
        elif isinstance(ev, NodeRemoved):
            self._remove_item(ev.node_id)
        elif isinstance(ev, EdgeAdded):
            self._add_link(ev.edge)
        elif isinstance(ev, EdgeRemoved):
            self._remove_link(ev.edge)
        elif isinstance(ev, (ParamChanged, SubgraphChanged)):
            self.refresh_node(ev.node_id)  # a macro's ports follow its inner graph inputs/outputs
        elif isinstance(ev, NodesMoved):
            for nid in ev.node_ids:
                item = self._nodes.get(nid)
                if item is None:
                    continue
                pos = node_pos(self.doc.pipeline, nid)
                if pos is not None:
                    item.setPos(QPointF(*pos))
                elif item.auto_pos is not None:
                    item.setPos(item.auto_pos)
        elif isinstance(ev, DocumentReset):
            self._rebuild()
            self.fit()

    def _rebuild(self) -> None:
        self._quiet += 1
        try:
            self._cancel_link_drag()
            self._picked = None
            self.scene().clear()
            self._nodes.clear()
            self._links.clear()
            p = self.doc.pipeline
            for nid, inst in p.nodes.items():
                item = NodeItem(self, inst)
                self._nodes[nid] = item
                self.scene().addItem(item)
            fixed = {nid: pos for nid in p.nodes if (pos := node_pos(p, nid)) is not None}
            todo = [nid for nid in p.nodes if nid not in fixed]
            for nid, pos in fixed.items():
                self._nodes[nid].setPos(QPointF(*pos))
            if todo:
                sizes = {n: (it.width, it.height) for n, it in self._nodes.items()}
                auto = layered_layout(p, sizes) if not fixed else place_unpositioned(p, sizes, fixed, todo)
                for nid, pos in auto.items():
                    self._nodes[nid].auto_pos = QPointF(*pos)
                    self._nodes[nid].setPos(QPointF(*pos))
            for e in p.edges:
                self._add_link(e)
            for nid, st in self._status.items():
                if nid in self._nodes:
                    self._nodes[nid].set_status(*st)
        finally:
            self._quiet -= 1
        self._selection_changed()

    def _add_item(self, nid: str) -> None:
        p = self.doc.pipeline
        inst = p.nodes.get(nid)
        if inst is None:
            return
        if nid in self._nodes:
            self._remove_item(nid)
        item = NodeItem(self, inst)
        self._nodes[nid] = item
        pos = node_pos(p, nid)
        if pos is None:
            sizes = {n: (it.width, it.height) for n, it in self._nodes.items()}
            fixed = {n: (it.pos().x(), it.pos().y()) for n, it in self._nodes.items() if n != nid}
            auto = place_unpositioned(p, sizes, fixed, [nid])
            item.auto_pos = QPointF(*auto.get(nid, (0.0, 0.0)))
            item.setPos(item.auto_pos)
        else:
            item.setPos(QPointF(*pos))
        self.scene().addItem(item)
        if nid in self._status:
            item.set_status(*self._status[nid])

    def _remove_item(self, nid: str) -> None:
        item = self._nodes.pop(nid, None)
        if item is None:
            return
        for link in list(item.links):
            self._remove_link(link.edge)
        self.scene().removeItem(item)

    def _add_link(self, e: Edge) -> None:
        src, dst = self._nodes.get(e.src), self._nodes.get(e.dst)
        if src is None or dst is None or e in self._links:
            return
        link = LinkItem(e, src, dst, self._link_color(e))
        self._links[e] = link
        self.scene().addItem(link)

    def _link_color(self, e: Edge) -> QColor:
        """The type colour of the output (of the input when the output is Any)."""
        out_port = self._nodes[e.src].ports.get((OUTPUT, e.src_port))
        in_port = self._nodes[e.dst].ports.get((INPUT, e.dst_port))
        if (out_port is None or out_port.type_name == "Any") and in_port is not None:
            return in_port.color
        return out_port.color if out_port is not None else QColor("#909090")

    def _remove_link(self, e: Edge) -> None:
        link = self._links.pop(e, None)
        if link is None:
            return
        if link is self._picked:
            self._picked = None
        link.detach()
        self.scene().removeItem(link)

    # ================================================================ helpers
    def _nodes_rect(self) -> QRectF:
        rect = QRectF()
        for item in self._nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    def _selection_changed(self) -> None:
        if not self._quiet:
            self.selectionChangedIds.emit(self.selected_ids())

    def _pick(self, link: LinkItem | None) -> None:
        if self._picked is not None and self._picked is not link:
            self._picked.set_picked(False)
        self._picked = link
        if link is not None:
            link.set_picked(True)

    def _mouse_scene_pos(self) -> QPointF | None:
        local = self.viewport().mapFromGlobal(QCursor.pos())
        if not self.viewport().rect().contains(local):
            return None
        return self.mapToScene(local)

    def _copy_text(self, ids: list[str]) -> str:
        """doc.copy_text plus the on-screen positions of nodes the layout placed (they have no
        position in the file), so that pasted copies keep the arrangement."""
        data = json.loads(self.doc.copy_text(ids))
        ui = data.setdefault("ui", {})
        for nid in ids:
            item = self._nodes.get(nid)
            entry = ui.get(nid)
            if item is not None and not (isinstance(entry, dict) and "pos" in entry):
                entry = dict(entry) if isinstance(entry, dict) else {}
                entry["pos"] = [round(item.pos().x(), 1), round(item.pos().y(), 1)]
                ui[nid] = entry
        return json.dumps(data, sort_keys=True)

    def _paste(self, text: str, offset: tuple[float, float]) -> None:
        out = self.doc.paste_text(text, offset)
        if isinstance(out, str):
            self.message.emit(out)
        else:
            self.select(out)

    def _node_at(self, view_pos: QPoint) -> NodeItem | None:
        for it in self.items(view_pos):
            if isinstance(it, NodeItem):
                return it
        return None

    def _link_at(self, view_pos: QPoint) -> LinkItem | None:
        """The link within a few pixels of ``view_pos`` (not one hidden under a node)."""
        if self._node_at(view_pos) is not None:
            return None
        r = 5
        for it in self.items(QRect(view_pos.x() - r, view_pos.y() - r, 2 * r + 1, 2 * r + 1)):
            if isinstance(it, LinkItem) and it.isVisible():
                return it
        return None

    def _port_at(self, scene_pos: QPointF):
        """(node item, port) under a scene point, or None (the nearest port within reach)."""
        r = 12.0
        best = None
        for it in self.scene().items(QRectF(scene_pos.x() - r, scene_pos.y() - r, 2 * r, 2 * r)):
            if isinstance(it, NodeItem):
                port = it.port_at(it.mapFromScene(scene_pos))
                if port is not None:
                    d = QLineF(it.pos() + port.pos, scene_pos).length()
                    if best is None or d < best[0]:
                        best = (d, it, port)
        return (best[1], best[2]) if best else None

    # ================================================================ mouse
    def mousePressEvent(self, event) -> None:
        pos = event.position().toPoint()
        btn = event.button()
        if btn == Qt.MiddleButton or (btn == Qt.LeftButton and (self._space or event.modifiers() & Qt.AltModifier)):
            self._pan = pos
            self._space_used = self._space
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        if btn == Qt.LeftButton:
            sp = self.mapToScene(pos)
            hit = self._port_at(sp)
            if hit is not None:
                self._begin_link_drag(hit[0], hit[1], sp)
                event.accept()
                return
            link = self._link_at(pos)
            if link is not None:
                self.scene().clearSelection()
                self._pick(link)
                event.accept()
                return
            self._pick(None)
        elif btn == Qt.RightButton:
            node = self._node_at(pos)
            if node is not None and not node.isSelected():
                self.select([node.node_id])
        super().mousePressEvent(event)
        if btn == Qt.LeftButton:
            self.snapping = True
            self._press_pos = {it.node_id: it.pos() for it in self.scene().selectedItems()
                               if isinstance(it, NodeItem)}

    def mouseMoveEvent(self, event) -> None:
        if self._pan is not None:
            pos = event.position().toPoint()
            d = pos - self._pan
            self._pan = pos
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - d.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - d.y())
            event.accept()
            return
        if self._drag is not None:
            self._move_link_drag(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._pan is not None and event.button() in (Qt.MiddleButton, Qt.LeftButton):
            self._pan = None
            self.viewport().unsetCursor()
            event.accept()
            return
        if self._drag is not None and event.button() == Qt.LeftButton:
            self._end_link_drag(event.position().toPoint())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.LeftButton:
            self.snapping = False
            self._commit_moves()

    def _commit_moves(self) -> None:
        """One doc.move_nodes call for the whole drag (one undo step)."""
        moved = {}
        for nid, start in self._press_pos.items():
            item = self._nodes.get(nid)
            if item is not None and item.pos() != start:
                moved[nid] = (item.pos().x(), item.pos().y())
        self._press_pos = {}
        if moved:
            self.doc.move_nodes(moved)

    def mouseDoubleClickEvent(self, event) -> None:
        node = self._node_at(event.position().toPoint())
        if node is not None and event.button() == Qt.LeftButton:
            self.nodeActivated.emit(node.node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y() or event.angleDelta().x()
        if delta:
            self.zoom_by(math.pow(1.0015, delta))
        event.accept()

    def zoom_by(self, factor: float) -> None:
        """Zoom around the mouse (clamped to MIN_ZOOM..MAX_ZOOM). During a zoom gesture nodes
        are drawn from pixmaps made at the gesture's first scale (at most 1:1), scaled by the
        painter: a wheel step after the first costs no Python painting.
        When the wheel rests for ZOOM_SETTLE_MS they go back to crisp device-resolution caches."""
        s = self.transform().m11()
        target = min(MAX_ZOOM, max(MIN_ZOOM, s * factor))
        if abs(target - s) <= 1e-9:
            return
        if not self._zooming:
            self._zooming = True
            for item in self._nodes.values():  # pixmaps at the gesture's starting resolution
                size = item.rect().size() * min(1.0, s)
                item.setCacheMode(QGraphicsItem.ItemCoordinateCache,
                                  QSize(max(1, math.ceil(size.width())), max(1, math.ceil(size.height()))))
        self._zoom_timer.start()
        f = target / s
        self.scale(f, f)

    def _zoom_settled(self) -> None:
        self._zooming = False
        for item in self._nodes.values():
            item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)


    # ================================================================ keyboard
    _KEYS = {Qt.Key_Delete, Qt.Key_Backspace, Qt.Key_Space, Qt.Key_F, Qt.Key_Escape}
    _CTRL_KEYS = {Qt.Key_C, Qt.Key_V, Qt.Key_D, Qt.Key_A, Qt.Key_G}

    def event(self, ev) -> bool:
        # take our keys before window-wide shortcuts while the canvas has focus (same actions)
        if ev.type() == QEvent.ShortcutOverride:
            mods = ev.modifiers() & ~Qt.KeypadModifier
            if (mods == Qt.NoModifier and ev.key() in self._KEYS) or \
                    (mods == Qt.ControlModifier and ev.key() in self._CTRL_KEYS):
                ev.accept()
                return True
        elif ev.type() == QEvent.LanguageChange:
            self.retranslate()
        return super().event(ev)

    def keyPressEvent(self, event) -> None:
        key, mods = event.key(), event.modifiers() & ~Qt.KeypadModifier
        if mods == Qt.ControlModifier:
            action = {Qt.Key_C: self.copy, Qt.Key_V: self.paste, Qt.Key_D: self.duplicate,
                      Qt.Key_G: self.group_selected, Qt.Key_A: self._select_all}.get(key)
            if action is not None:
                action()
                event.accept()
                return
        if mods == Qt.NoModifier:
            if key in (Qt.Key_Delete, Qt.Key_Backspace):
                self.delete_selected()
                event.accept()
                return
            if key == Qt.Key_Space:
                if not event.isAutoRepeat():
                    self._space, self._space_used = True, False
                event.accept()
                return
            if key == Qt.Key_F:
                self.fit()
                event.accept()
                return
            if key == Qt.Key_Escape and self._drag is not None:
                self._cancel_link_drag()
                event.accept()
                return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            was_used = self._space_used or self._pan is not None
            self._space = False
            if not was_used:
                self.fit()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def _select_all(self) -> None:
        self.select(list(self._nodes))


    # ================================================================ background
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        st = self.look
        painter.fillRect(rect, st.background)
        scale = self.transform().m11()
        painter.setRenderHint(QPainter.Antialiasing, False)
        major = GRID * 5
        for step, color in ((GRID, st.grid), (major, st.grid_major)):
            if step * scale < 7.0:
                continue
            left = math.floor(rect.left() / step) * step
            top = math.floor(rect.top() / step) * step
            lines = []
            x = left
            while x <= rect.right():
                if step == major or abs(x / major - round(x / major)) > 1e-6:
                    lines.append(QLineF(x, rect.top(), x, rect.bottom()))
                x += step
            y = top
            while y <= rect.bottom():
                if step == major or abs(y / major - round(y / major)) > 1e-6:
                    lines.append(QLineF(rect.left(), y, rect.right(), y))
                y += step
            pen = QPen(color, 0)  # cosmetic: one device pixel at any zoom
            painter.setPen(pen)
            painter.drawLines(lines)
        painter.setRenderHint(QPainter.Antialiasing, True)
