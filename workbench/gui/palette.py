"""The node palette: every registered node by category, a search box, drag or double-click to add.

Dragging a node starts a QDrag whose mime data holds :data:`NODE_MIME` = the type id (UTF-8);
the canvas accepts that. Double-click or Enter on a node emits :attr:`NodePalette.nodeRequested`.
The search matches English and translated names, ids, descriptions and categories,
case-insensitively; every word of the query must match. Enter in the search box adds the best
match (a name that starts with the query first), which is also the highlighted item.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QFont, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)

from workbench.core.registry import Registry, default_registry
from workbench.core.spec import NodeSpec
from workbench.gui import theme
from workbench.gui.i18n import node_tr, t

NODE_MIME = "application/x-workbench-node"
TYPE_ROLE = Qt.UserRole + 1
CATEGORY_ROLE = Qt.UserRole + 2
SEARCH_ROLE = Qt.UserRole + 3

# the order of a vision pipeline, top to bottom; categories from packs follow in name order
CATEGORY_ORDER = ("Sources", "Color", "Filter", "Morphology", "Segmentation", "Edges", "Geometry", "Regions",
                  "Measurement", "Matching", "Codes", "Calibration", "Arithmetic", "Deep Learning", "Judgment",
                  "Annotation", "Sinks", "Flow")


def _category_icon(category: str) -> QIcon:
    pm = QPixmap(12, 12)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(Qt.NoPen)
    p.setBrush(theme.category_color(category))
    p.drawRoundedRect(1, 1, 10, 10, 3, 3)
    p.end()
    return QIcon(pm)


def _category_rank(category: str) -> tuple[int, str]:
    if category in CATEGORY_ORDER:
        return CATEGORY_ORDER.index(category), ""
    return CATEGORY_ORDER.index("Sinks"), category  # packs' categories go before Sinks and Flow


class NodeTree(QTreeWidget):
    """The palette's tree; node items carry their type id and drag as :data:`NODE_MIME`."""

    upFromTop = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setIndentation(14)
        self.setUniformRowHeights(True)
        self.setAnimated(False)
        self.setRootIsDecorated(True)
        self.setExpandsOnDoubleClick(True)
        self.setStyleSheet("QTreeView::item { padding: 2px 0px; }")

    def mimeTypes(self) -> list[str]:
        return [NODE_MIME]

    def mimeData(self, items) -> QMimeData | None:
        ids = [it.data(0, TYPE_ROLE) for it in items if it.data(0, TYPE_ROLE)]
        if not ids:
            return None
        data = QMimeData()
        data.setData(NODE_MIME, ids[0].encode("utf-8"))
        data.setText(ids[0])
        return data

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key_Up and self._first_visible() is self.currentItem():
            self.upFromTop.emit()
            return
        super().keyPressEvent(event)

    def _first_visible(self) -> QTreeWidgetItem | None:
        for i in range(self.topLevelItemCount()):
            it = self.topLevelItem(i)
            if not it.isHidden():
                return it
        return None


class NodePalette(QWidget):
    """Every registered node, grouped by category, with a search box (see the module docstring)."""

    nodeRequested = Signal(str)  # double-click / Enter on a node -> type id

    def __init__(self, registry: Registry | None = None, parent=None) -> None:
        super().__init__(parent)
        self.registry = registry or default_registry()
        self._expanded: dict[str, bool] = {}  # the user's choice, restored when the search is cleared
        self._filter = ""

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.set_filter)
        self.search.returnPressed.connect(self._add_best)
        self.search.installEventFilter(self)
        lay.addWidget(self.search)
        self.tree = NodeTree()
        self.tree.itemDoubleClicked.connect(self._item_activated)
        self.tree.itemExpanded.connect(lambda it: self._remember(it, True))
        self.tree.itemCollapsed.connect(lambda it: self._remember(it, False))
        self.tree.upFromTop.connect(self.search.setFocus)
        self.tree.installEventFilter(self)
        lay.addWidget(self.tree, 1)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.empty.setWordWrap(True)
        self.empty.setMargin(12)
        self.empty.hide()
        lay.addWidget(self.empty)
        self._build()
        self.retranslate_strings()

    # -- public API ----------------------------------------------------------------------
    def set_filter(self, text: str) -> None:
        """Show only the nodes that match ``text`` (what the search box does)."""
        if self.search.text() != text:
            self.search.blockSignals(True)
            self.search.setText(text)
            self.search.blockSignals(False)
        self._filter = text
        words = text.casefold().split()
        best: tuple | None = None
        shown = 0
        for cat in self._categories():
            visible = 0
            for j in range(cat.childCount()):
                it = cat.child(j)
                hit = all(w in it.data(0, SEARCH_ROLE) for w in words)
                it.setHidden(not hit)
                if hit:
                    visible += 1
                    if words:
                        score = self._score(it, words)
                        if best is None or score < best[0]:
                            best = (score, it)
            cat.setHidden(visible == 0)
            cat.setText(0, f"{node_tr(cat.data(0, CATEGORY_ROLE))}  ({visible})")
            shown += visible
            self.tree.blockSignals(True)
            cat.setExpanded(bool(words) or self._expanded.get(cat.data(0, CATEGORY_ROLE), False))
            self.tree.blockSignals(False)
        self.empty.setVisible(shown == 0)
        if best is not None:
            self.tree.setCurrentItem(best[1])
            self.tree.scrollToItem(best[1])
        elif not words:
            self.tree.clearSelection()

    def retranslate(self) -> None:
        """Rebuild the names in the current language (call after i18n.set_language)."""
        self._build()
        self.retranslate_strings()

    def retranslate_strings(self) -> None:
        self.search.setPlaceholderText(t("Search nodes…"))
        self.search.setToolTip(t("Name, id or description; Enter adds the best match, Down moves to the list"))
        self.empty.setText(t("No node matches."))
        self.set_filter(self._filter)

    def visible_type_ids(self) -> list[str]:
        """The type ids shown now, in tree order (what a search leaves)."""
        out = []
        for cat in self._categories():
            if cat.isHidden():
                continue
            for j in range(cat.childCount()):
                if not cat.child(j).isHidden():
                    out.append(cat.child(j).data(0, TYPE_ROLE))
        return out

    def item_for(self, type_id: str) -> QTreeWidgetItem | None:
        for cat in self._categories():
            for j in range(cat.childCount()):
                if cat.child(j).data(0, TYPE_ROLE) == type_id:
                    return cat.child(j)
        return None

    # -- internals -----------------------------------------------------------------------
    def _categories(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def _remember(self, item: QTreeWidgetItem, expanded: bool) -> None:
        if not self._filter.split() and item.data(0, CATEGORY_ROLE):
            self._expanded[item.data(0, CATEGORY_ROLE)] = expanded

    def _build(self) -> None:
        self.tree.clear()
        self._names: dict[str, tuple[tuple[str, str], str]] = {}
        by_cat: dict[str, list[NodeSpec]] = {}
        for spec in self.registry:
            by_cat.setdefault(spec.category, []).append(spec)
        bold = QFont(self.font())
        bold.setBold(True)
        for category in sorted(by_cat, key=_category_rank):
            cat = QTreeWidgetItem([node_tr(category)])
            cat.setData(0, CATEGORY_ROLE, category)
            cat.setIcon(0, _category_icon(category))
            cat.setFont(0, bold)
            cat.setFlags(Qt.ItemIsEnabled)
            cat.setToolTip(0, category if node_tr(category) == category else f"{node_tr(category)} ({category})")
            self.tree.addTopLevelItem(cat)
            for spec in sorted(by_cat[category], key=lambda s: node_tr(s.name).casefold()):
                name = node_tr(spec.name)
                it = QTreeWidgetItem([name])
                it.setData(0, TYPE_ROLE, spec.id)
                it.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
                tip = f"<b>{name}</b>" + (f" ({spec.name})" if name != spec.name else "")
                if spec.description:
                    tip += f"<br>{node_tr(spec.description)}"
                tip += f"<br><span style='color:#8a8f98'>{spec.id}</span>"
                it.setToolTip(0, tip)
                haystack = " ".join((spec.name, name, spec.id, spec.description, node_tr(spec.description),
                                     category, node_tr(category)))
                it.setData(0, SEARCH_ROLE, haystack.casefold())
                self._names[spec.id] = ((spec.name.casefold(), name.casefold()), spec.id.casefold())
                cat.addChild(it)

    def _score(self, item: QTreeWidgetItem, words: list[str]) -> tuple:
        """Lower is better: a name starting with the query, then a name containing it, then an id."""
        names, tid = self._names[item.data(0, TYPE_ROLE)]
        q = " ".join(words)
        if any(n.startswith(q) for n in names):
            rank = 0
        elif any(q in n for n in names):
            rank = 1
        elif q in tid:
            rank = 2
        else:
            rank = 3
        return rank, len(names[-1]), names[-1]

    def _first_match(self) -> QTreeWidgetItem | None:
        cur = self.tree.currentItem()
        if cur is not None and not cur.isHidden() and cur.data(0, TYPE_ROLE) and not cur.parent().isHidden():
            return cur
        for cat in self._categories():
            if cat.isHidden():
                continue
            for j in range(cat.childCount()):
                if not cat.child(j).isHidden():
                    return cat.child(j)
        return None

    def _add_best(self) -> None:
        if not self._filter.split():
            return
        it = self._first_match()
        if it is not None:
            self.nodeRequested.emit(it.data(0, TYPE_ROLE))

    def _item_activated(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        tid = item.data(0, TYPE_ROLE)
        if tid:
            self.nodeRequested.emit(tid)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == event.Type.KeyPress:
            key = event.key()
            if obj is self.search and key == Qt.Key_Down:
                it = self._first_match() if self._filter.split() else self.tree.currentItem()
                self.tree.setFocus()
                self.tree.setCurrentItem(it or self.tree.topLevelItem(0))
                return True
            if obj is self.tree and key in (Qt.Key_Return, Qt.Key_Enter):
                it = self.tree.currentItem()
                if it is not None and it.data(0, TYPE_ROLE):
                    self.nodeRequested.emit(it.data(0, TYPE_ROLE))
                    return True
            if obj is self.tree and key == Qt.Key_Escape and self._filter:
                self.search.clear()
                self.search.setFocus()
                return True
        return super().eventFilter(obj, event)
