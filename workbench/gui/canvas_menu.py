"""The canvas's context menu and its drops from the node palette. Mixed into
:class:`~workbench.gui.canvas.Canvas`."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from workbench.core.errors import WorkbenchError
from workbench.gui.i18n import node_tr, t


NODE_MIME = "application/x-workbench-node"


class MenuDropMixin:
    # ================================================================ context menu
    def contextMenuEvent(self, event) -> None:
        menu = self.build_context_menu(event.pos())
        if menu is not None and not menu.isEmpty():
            menu.exec(event.globalPos())
        event.accept()

    def build_context_menu(self, view_pos: QPoint) -> QMenu:
        """The menu for what is under ``view_pos``: a node, a link or empty space."""
        menu = QMenu(self)
        sp = self.mapToScene(view_pos)
        node = self._node_at(view_pos)
        link = None if node is not None else self._link_at(view_pos)
        if node is not None:
            if not node.isSelected():
                self.select([node.node_id])
            inst = self.doc.pipeline.nodes.get(node.node_id)
            if inst is not None and inst.graph is not None:
                act = menu.addAction(t("Open macro"))
                act.triggered.connect(lambda _=False, n=node.node_id: self.nodeActivated.emit(n))
                menu.addSeparator()
            menu.addAction(t("Duplicate"), self.duplicate).setShortcut(QKeySequence("Ctrl+D"))
            menu.addAction(t("Copy"), self.copy).setShortcut(QKeySequence.Copy)
            menu.addAction(t("Group into macro"), self.group_selected).setShortcut(QKeySequence("Ctrl+G"))
            menu.addSeparator()
            menu.addAction(t("Delete"), self.delete_selected).setShortcut(QKeySequence.Delete)
        elif link is not None:
            self._pick(link)
            act = menu.addAction(t("Delete link"))
            act.triggered.connect(lambda _=False, e=link.edge: self.doc.disconnect(e))
        else:
            add = menu.addMenu(t("Add node"))
            reg = self.doc.registry
            for cat in sorted(reg.categories(), key=node_tr):
                sub = add.addMenu(node_tr(cat))
                specs = sorted((s for s in reg if s.category == cat), key=lambda s: node_tr(s.name))
                for spec in specs:
                    act = sub.addAction(node_tr(spec.name))
                    act.setToolTip(node_tr(spec.description))
                    act.setData(spec.id)
                    act.triggered.connect(lambda _=False, tid=spec.id, p=QPointF(sp): self.add_node(tid, p))
            menu.addSeparator()
            paste = menu.addAction(t("Paste"))
            paste.setShortcut(QKeySequence.Paste)
            paste.triggered.connect(lambda _=False, p=QPointF(sp): self._paste_at(p))
            menu.addAction(t("Fit to view"), self.fit).setShortcut(QKeySequence("F"))
        return menu

    def _paste_at(self, sp: QPointF) -> None:
        text = QApplication.clipboard().text()
        corner = _top_left(text)
        self._paste(text, (sp.x() - corner[0], sp.y() - corner[1]) if corner else (30.0, 30.0))

    # ================================================================ drops from the palette
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(NODE_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(NODE_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        md = event.mimeData()
        if not md.hasFormat(NODE_MIME):
            event.ignore()
            return
        type_id = bytes(md.data(NODE_MIME)).decode("utf-8").strip()
        try:
            self.add_node(type_id, self.mapToScene(event.position().toPoint()))
        except WorkbenchError as exc:
            self.message.emit(str(exc))
            event.ignore()
            return
        event.acceptProposedAction()
        self.setFocus()


def _top_left(text: str) -> tuple[float, float] | None:
    """The top-left position of the nodes in clipboard text, if they have positions."""
    try:
        ui = json.loads(text).get("ui", {})
    except (ValueError, AttributeError):
        return None
    pts = [e["pos"] for e in ui.values() if isinstance(e, dict) and isinstance(e.get("pos"), list)
           and len(e["pos"]) == 2]
    if not pts:
        return None
    return min(float(p[0]) for p in pts), min(float(p[1]) for p in pts)
