"""The graphics items of the node canvas: nodes, links, the link being dragged, and the layout.

Each :class:`NodeItem` draws a whole node (header, id, status pills, ports and their labels) in
one ``paint`` call and is cached as a device pixmap, so panning and dragging blit pixmaps
instead of running Python paint code. Ports are not items of their own: a node knows where
its ports are (:meth:`NodeItem.port_at`, :meth:`NodeItem.port_scene_pos`). A
:class:`LinkItem` is a cubic Bézier in scene coordinates, recomputed only when one of its two
nodes moves or changes its ports. See docs/CANVAS.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsRectItem, QStyle, QStyleOptionGraphicsItem

from workbench.core.graph import Edge, NodeInstance, Pipeline
from workbench.gui import theme
from workbench.gui.i18n import node_tr, t

# -- geometry (scene units; 1 unit = 1 pixel at zoom 1) -------------------------------------------
HEADER_H = 26.0  # the coloured title band
INFO_H = 20.0  # node id on the left, status pills on the right
ROW_H = 22.0  # one port row (an input on the left, an output on the right)
BODY_PAD = 4.0  # space above the first port row
BOTTOM_PAD = 8.0
RADIUS = 6.0  # corner radius
PORT_R = 5.0  # port circle radius
PORT_HIT = 11.0  # how far from a port's centre a press still grabs it
PAD = 10.0  # text inset
MIN_W, MAX_W = 150.0, 280.0
GRID = 20.0  # minor grid step; node positions snap to half of it
SHADOW = 4.0

INPUT, OUTPUT = "in", "out"

STATUS_TEXT = {  # the pill's word when there is no time to show (translated at paint time)
    "ok": "OK", "cached": "cached", "failed": "error", "skipped": "skipped", "cancelled": "cancelled",
    "running": "running",
}


def _tr_status(status: str) -> str:
    # literal calls so that the strings are extracted for translation
    return {"OK": t("OK"), "cached": t("cached"), "error": t("error"), "skipped": t("skipped"),
            "cancelled": t("cancelled"), "running": t("running")}.get(STATUS_TEXT.get(status, status), status)


def format_ms(ms: float) -> str:
    if ms < 1.0:
        return f"{ms:.2f} ms"
    if ms < 100.0:
        return f"{ms:.1f} ms"
    return f"{ms:.0f} ms"


def is_cpu_fallback(note: str) -> bool:
    """A model node ran on the CPU although a GPU was wanted ("ran on CPU: no NVIDIA driver")."""
    low = note.lower()
    return "ran on cpu:" in low or "cpu fallback" in low or "fell back to cpu" in low


class Style:
    """Colours and fonts shared by every item of one canvas (re-read on a theme change)."""

    def __init__(self) -> None:
        self.title_font = QFont()
        self.title_font.setPixelSize(12)
        self.title_font.setBold(True)
        self.small_font = QFont()
        self.small_font.setPixelSize(10)
        self.port_font = QFont()
        self.port_font.setPixelSize(11)
        self.pill_font = QFont()
        self.pill_font.setPixelSize(10)
        self.pill_font.setBold(True)
        self.fm_title = QFontMetricsF(self.title_font)
        self.fm_small = QFontMetricsF(self.small_font)
        self.fm_port = QFontMetricsF(self.port_font)
        self.fm_pill = QFontMetricsF(self.pill_font)
        self.reload()

    def type_color(self, hex_color: str) -> QColor:
        """A data type's colour for ports and links; in the light theme, near-white types (Mask,
        Verdict) are darkened so that they stay visible on the light background."""
        c = QColor(hex_color)
        if not self.dark and _luma(c) > 0.7:
            c = c.darker(170)
        return c

    def reload(self) -> None:
        c = theme.canvas_colors()
        self.dark = theme.is_dark()
        self.background = c["background"]
        self.grid = c["grid"]
        self.grid_major = c["grid_major"]
        self.node = c["node"]
        self.node_border = c["node_border"]
        self.text = c["text"]
        self.subtext = c["subtext"]
        self.selected = c["selected"]
        self.info_band = self.node.darker(112) if self.dark else self.node.darker(104)
        self.shadow = QColor(0, 0, 0, 90 if self.dark else 40)
        self.status = {k: QColor(v) for k, v in theme.STATUS_COLORS.items()}
        self.pen_selected = QPen(self.selected, 2.2)
        self.pen_border = QPen(self.node_border, 1.0)
        self.pen_status = {k: QPen(self.status[k], 1.8) for k in ("failed", "running")}
        self.pen_port = QPen(self.node_border, 1.2)
        self.pen_port_hover = QPen(self.text, 2.0)
        self.pen_port_ok = QPen(self.status["ok"], 2.0)
        self.dark_text = QColor("#15181c")
        self.subtext_dim = QColor(self.subtext)
        self.subtext_dim.setAlpha(70)
        self.light_text = QColor("#ffffff")


def _luma(c: QColor) -> float:
    return 0.299 * c.redF() + 0.587 * c.greenF() + 0.114 * c.blueF()


@dataclass
class Port:
    kind: str  # INPUT or OUTPUT
    name: str
    type_name: str
    color: QColor  # the data type's colour (adapted to the theme)
    optional: bool
    pos: QPointF  # centre, in item coordinates
    label: str
    fill: QColor = None  # what the dot is filled with: the colour, paler for an optional input
    dim: QColor = None  # while a link is dragged and this port cannot take it
    rect: QRectF = None  # the label's box
    align: Qt.AlignmentFlag = Qt.AlignLeft


# ================================================================ nodes
class NodeItem(QGraphicsRectItem):
    """One node. Its position (top-left corner) is the document's ``ui[node_id]["pos"]``.

    A QGraphicsRectItem whose (invisible) rect is the node's bounding box with its ports and
    shadow: Qt answers boundingRect() and shape() in C++ (they are asked for on every repaint),
    and only ``paint`` runs Python, when the item's cached pixmap must be redrawn."""

    def __init__(self, canvas, inst: NodeInstance) -> None:
        super().__init__()
        self.canvas = canvas
        self.look: Style = canvas.look
        self.node_id = inst.id
        self.type_id = inst.type
        self.links: set[LinkItem] = set()
        self.status = ""
        self.ms: float | None = None
        self.note = ""
        self.cpu = False
        self.auto_pos: QPointF | None = None  # set when the layout placed it (the file has no position)
        self.marks: dict[tuple[str, str], bool] | None = None  # during a link drag: port -> can link
        self.hover_port: tuple[str, str] | None = None
        self.width = MIN_W
        self.height = HEADER_H + INFO_H + ROW_H + BOTTOM_PAD
        self.ports: dict[tuple[str, str], Port] = {}
        self.setPen(Qt.NoPen)
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemIsMovable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setAcceptHoverEvents(True)
        self.rebuild(inst)

    # -- content -----------------------------------------------------------------------
    def rebuild(self, inst: NodeInstance | None = None) -> None:
        """Re-read title, ports and sizes from the pipeline (ports of macros and graph inputs
        depend on parameters; titles on the language)."""
        inst = inst or self.canvas.doc.pipeline.nodes.get(self.node_id)
        if inst is None:
            return
        st = self.look
        spec = inst.spec
        self.category = spec.category
        self.description = node_tr(spec.description) if spec.description else ""
        name = node_tr(spec.name)
        if inst.type == "core.subgraph":
            self.title = str(inst.params.get("title") or name)
        elif inst.type in ("core.graph_input", "core.graph_output"):
            self.title = f"{name}: {inst.params.get('name', '')}"
        else:
            self.title = name
        self.type_name_tr = name
        try:
            ins, outs = inst.inputs, inst.outputs
        except Exception:  # a broken dynamic port function must not break the canvas
            ins, outs = (), ()
        in_w = max((st.fm_port.horizontalAdvance(node_tr(p.name)) for p in ins), default=0.0)
        out_w = max((st.fm_port.horizontalAdvance(node_tr(p.name)) for p in outs), default=0.0)
        ports_w = in_w + out_w + 2 * (PAD + 4) + (18 if ins and outs else 0)
        title_w = st.fm_title.horizontalAdvance(self.title) + 2 * PAD + 4
        info_w = st.fm_small.horizontalAdvance(self.node_id) + 2 * PAD + 70  # room for the time pill
        w = max(MIN_W, ports_w, title_w, info_w)
        w = min(MAX_W, math.ceil(w / 10.0) * 10.0)
        rows = max(len(ins), len(outs), 1)
        h = HEADER_H + INFO_H + BODY_PAD + rows * ROW_H + BOTTOM_PAD
        if (w, h) != (self.width, self.height) or self.rect().isNull():
            self.width, self.height = w, h
            m = PORT_R + 3.0
            self.setRect(QRectF(-m, -3.0, w + 2 * m, h + SHADOW + 5.0))
        self.ports = {}
        top = HEADER_H + INFO_H + BODY_PAD
        for kind, plist in ((INPUT, ins), (OUTPUT, outs)):
            for i, p in enumerate(plist):
                y = top + i * ROW_H
                color = st.type_color(p.type.color)
                port = Port(kind, p.name, p.type.name, color, p.optional,
                            QPointF(0.0 if kind == INPUT else w, y + ROW_H / 2), node_tr(p.name))
                port.fill = QColor(color)
                if p.optional:
                    port.fill.setAlpha(150)
                port.dim = QColor(color)
                port.dim.setAlpha(55)
                if kind == INPUT:
                    port.rect, port.align = QRectF(PAD + 3, y, w - 2 * PAD, ROW_H), Qt.AlignVCenter | Qt.AlignLeft
                else:
                    port.rect, port.align = QRectF(PAD, y, w - 2 * PAD - 3, ROW_H), Qt.AlignVCenter | Qt.AlignRight
                self.ports[(kind, p.name)] = port
        self._paths()
        self.update()
        for link in list(self.links):
            link.update_path()

    def _paths(self) -> None:
        """Shapes, brushes and elided texts for paint (they change with size, title, theme)."""
        st = self.look
        w, h = self.width, self.height
        self._body_rect = QRectF(0, 0, w, h)
        self._shadow_rect = QRectF(1, SHADOW, w, h)
        inner = QPainterPath()  # the header sits inside the outline (which is drawn first)
        inner.addRoundedRect(QRectF(0.5, 0.5, w - 1.0, h - 1.0), RADIUS - 0.5, RADIUS - 0.5)
        band = QPainterPath()
        band.addRect(QRectF(0, 0, w, HEADER_H))
        self._header = inner.intersected(band)
        self._info_rect = QRectF(0.5, HEADER_H, w - 1.0, INFO_H)
        head = theme.category_color(self.category)
        grad = QLinearGradient(0, 0, 0, HEADER_H)
        grad.setColorAt(0.0, head.lighter(112))
        grad.setColorAt(1.0, head.darker(118))
        self._head_brush = QBrush(grad)
        self._title_color = st.dark_text if _luma(head) > 0.62 else st.light_text
        self._title_rect = QRectF(PAD, 0, w - 2 * PAD, HEADER_H)
        self._title_elided = st.fm_title.elidedText(self.title, Qt.ElideRight, w - 2 * PAD)
        self._id_rect = QRectF(PAD, HEADER_H, w - 2 * PAD, INFO_H)
        self._id_elided = st.fm_small.elidedText(self.node_id, Qt.ElideRight, w - 2 * PAD)

    def set_status(self, status: str, ms: float | None, note: str) -> None:
        cpu = is_cpu_fallback(note)
        if (status, ms, note, cpu) == (self.status, self.ms, self.note, self.cpu):
            return
        self.status, self.ms, self.note, self.cpu = status, ms, note, cpu
        self.update()

    def set_marks(self, marks: dict[tuple[str, str], bool] | None) -> None:
        if marks != self.marks:
            self.marks = marks
            self.update()

    # -- ports -------------------------------------------------------------------------
    def port_at(self, local: QPointF, radius: float = PORT_HIT) -> Port | None:
        best, best_d = None, radius * radius
        for port in self.ports.values():
            d = (port.pos.x() - local.x()) ** 2 + (port.pos.y() - local.y()) ** 2
            if d <= best_d:
                best, best_d = port, d
        return best

    def port_scene_pos(self, kind: str, name: str) -> QPointF:
        port = self.ports.get((kind, name))
        local = port.pos if port else QPointF(0.0 if kind == INPUT else self.width, HEADER_H / 2)
        return self.pos() + local

    # -- pills (status, CPU) -----------------------------------------------------------
    def _pills(self) -> list[tuple[QRectF, str, QColor]]:
        st = self.look
        out: list[tuple[QRectF, str, QColor]] = []
        right = self.width - 8.0
        y, h = HEADER_H + 3.0, INFO_H - 6.0
        items: list[tuple[str, QColor]] = []
        if self.status:
            text = format_ms(self.ms) if (self.ms is not None and self.status == "ok") else _tr_status(self.status)
            items.append((text, st.status.get(self.status, st.subtext)))
        if self.cpu:
            items.append(("CPU", st.status["cpu"]))
        for text, color in items:
            w = st.fm_pill.horizontalAdvance(text) + 10.0
            rect = QRectF(right - w, y, w, h)
            out.append((rect, text, color))
            right -= w + 4.0
        return out

    def status_tooltip(self) -> str:
        if not self.status and not self.note:
            return ""
        parts = []
        if self.status:
            word = _tr_status(self.status)
            parts.append(word + (f" — {format_ms(self.ms)}" if self.ms is not None else ""))
        if self.note:
            parts.append(self.note)
        return "\n".join(parts)

    # -- QGraphicsItem -----------------------------------------------------------------
    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionChange and self.canvas.snapping:
            step = GRID / 2
            return QPointF(round(value.x() / step) * step, round(value.y() / step) * step)
        if change == QGraphicsItem.ItemPositionHasChanged:
            for link in self.links:
                link.update_path()
        return super().itemChange(change, value)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        # runs only when the cached pixmap is redrawn (zoom settled, a change of state): the
        # brushes, pens, paths and elided texts are prepared in rebuild()
        st = self.look
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if lod > 0.3:
            painter.setPen(Qt.NoPen)
            painter.setBrush(st.shadow)
            painter.drawRoundedRect(self._shadow_rect, RADIUS + 1, RADIUS + 1)
        # outline: selection, then a failed / running status, else the thin border
        if option.state & QStyle.State_Selected:
            painter.setPen(st.pen_selected)
        elif self.status in ("failed", "running"):
            painter.setPen(st.pen_status[self.status])
        else:
            painter.setPen(st.pen_border)
        painter.setBrush(st.node)
        painter.drawRoundedRect(self._body_rect, RADIUS, RADIUS)
        painter.setPen(Qt.NoPen)
        painter.setBrush(self._head_brush)
        painter.drawPath(self._header)
        painter.fillRect(self._info_rect, st.info_band)
        if lod < 0.35:  # far away: blocks and port dots only
            self._paint_ports(painter, labels=False)
            return
        painter.setFont(st.title_font)
        painter.setPen(self._title_color)
        painter.drawText(self._title_rect, Qt.AlignVCenter | Qt.AlignLeft, self._title_elided)
        # id and pills
        pills = self._pills()
        painter.setFont(st.small_font)
        painter.setPen(st.subtext)
        if pills:
            left_of_pills = min(r.left() for r, _, _ in pills) - 6.0
            ident = st.fm_small.elidedText(self.node_id, Qt.ElideRight, max(10.0, left_of_pills - PAD))
            painter.drawText(QRectF(PAD, HEADER_H, left_of_pills - PAD, INFO_H), Qt.AlignVCenter | Qt.AlignLeft,
                             ident)
            painter.setFont(st.pill_font)
            for rect, text, color in pills:
                painter.setPen(Qt.NoPen)
                painter.setBrush(color)
                painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
                painter.setPen(st.dark_text if _luma(color) > 0.5 else st.light_text)
                painter.drawText(rect, Qt.AlignCenter, text)
        else:
            painter.drawText(self._id_rect, Qt.AlignVCenter | Qt.AlignLeft, self._id_elided)
        self._paint_ports(painter, labels=True)

    def _paint_ports(self, painter: QPainter, labels: bool) -> None:
        st = self.look
        marks = self.marks
        hover = self.hover_port
        for key, port in self.ports.items():
            ok = None if marks is None else marks.get(key, False)
            if ok or key == hover:
                painter.setPen(st.pen_port_hover if ok is None else st.pen_port_ok)
                painter.setBrush(port.color)
                painter.drawEllipse(port.pos, PORT_R + 1.5, PORT_R + 1.5)
            else:
                painter.setPen(st.pen_port)
                painter.setBrush(port.dim if ok is False else port.fill)
                painter.drawEllipse(port.pos, PORT_R, PORT_R)
        if not labels:
            return
        painter.setFont(st.port_font)
        for key, port in self.ports.items():
            ok = None if marks is None else marks.get(key, False)
            painter.setPen(st.text if ok else (st.subtext_dim if ok is False else st.subtext))
            painter.drawText(port.rect, port.align, port.label)

    # -- hover: port highlight and a tooltip for the part under the mouse ---------------------
    def hoverMoveEvent(self, event) -> None:
        pos = event.pos()
        port = self.port_at(pos)
        key = (port.kind, port.name) if port else None
        if key != self.hover_port:
            self.hover_port = key
            self.update()
        if port is not None:
            opt = f" ({t('optional')})" if port.optional else ""
            tip = f"{port.label}: {port.type_name}{opt}"
        elif any(r.adjusted(-2, -2, 2, 2).contains(pos) for r, _, _ in self._pills()):
            tip = self.status_tooltip()
        else:
            tip = f"{self.title}  [{self.type_id}]"
            if self.type_name_tr != self.title:
                tip += f"\n{self.type_name_tr}"
            if self.description:
                tip += f"\n{self.description}"
            if self.status and pos.y() < HEADER_H + INFO_H:
                tip += "\n\n" + self.status_tooltip()
        if tip != self.toolTip():
            self.setToolTip(tip)
        super().hoverMoveEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        if self.hover_port is not None:
            self.hover_port = None
            self.update()
        super().hoverLeaveEvent(event)


# ================================================================ links
def bezier(p1: QPointF, p2: QPointF) -> QPainterPath:
    """The link curve from an output (p1) to an input (p2): horizontal tangents at both ends."""
    dx = p2.x() - p1.x()
    bend = max(40.0, abs(dx) * 0.5) if dx >= 0 else max(80.0, min(240.0, abs(dx) * 0.5 + abs(p2.y() - p1.y()) * 0.3))
    path = QPainterPath(p1)
    path.cubicTo(QPointF(p1.x() + bend, p1.y()), QPointF(p2.x() - bend, p2.y()), p2)
    return path


class LinkItem(QGraphicsPathItem):
    """A link between an output and an input port: a QGraphicsPathItem in scene coordinates (its
    own position stays 0, 0), so Qt paints it in C++ with no Python call. Not selectable by the
    rubber band: the canvas picks links on click (:meth:`set_picked`)."""

    WIDTH = 2.2
    HIT_WIDTH = 10.0

    def __init__(self, edge: Edge, src: NodeItem, dst: NodeItem, color: QColor) -> None:
        super().__init__()
        self.edge, self.src, self.dst = edge, src, dst
        self.color = QColor(color)
        self.picked = False
        self.setZValue(-1.0)
        self._hit: QPainterPath | None = None
        self._apply_pen()
        src.links.add(self)
        dst.links.add(self)
        self.update_path()

    def _apply_pen(self) -> None:
        if self.picked:
            self.setPen(QPen(self.src.look.selected, self.WIDTH + 1.6, Qt.SolidLine, Qt.RoundCap))
        else:
            self.setPen(QPen(self.color, self.WIDTH, Qt.SolidLine, Qt.RoundCap))

    def detach(self) -> None:
        self.src.links.discard(self)
        self.dst.links.discard(self)

    def endpoints(self) -> tuple[QPointF, QPointF]:
        return (self.src.port_scene_pos(OUTPUT, self.edge.src_port),
                self.dst.port_scene_pos(INPUT, self.edge.dst_port))

    def update_path(self) -> None:
        p1, p2 = self.endpoints()
        self.setPath(bezier(p1, p2))
        self._hit = None

    def set_picked(self, on: bool) -> None:
        if on != self.picked:
            self.picked = on
            self._apply_pen()

    def restyle(self) -> None:
        self._apply_pen()


class TempLink(QGraphicsPathItem):
    """The curve that follows the mouse while a link is dragged."""

    def __init__(self, color: QColor) -> None:
        super().__init__()
        pen = QPen(color, 2.2, Qt.DashLine, Qt.RoundCap)
        pen.setDashPattern([4.0, 3.0])
        self.setPen(pen)
        self.setZValue(10.0)

    def set_ends(self, out_pos: QPointF, in_pos: QPointF) -> None:
        self.setPath(bezier(out_pos, in_pos))


# ================================================================ automatic layout
COL_GAP, ROW_GAP = 60.0, 30.0


def _layers(p: Pipeline) -> tuple[list[str], dict[str, int]]:
    try:
        order = list(p.topological_order())
    except Exception:  # a cycle (only in a broken file): keep the file's order
        order = list(p.nodes)
    layer: dict[str, int] = {}
    for nid in order:
        layer[nid] = max((layer.get(e.src, 0) + 1 for e in p.incoming(nid).values() if e.src in layer), default=0)
    return order, layer


def layered_layout(p: Pipeline, sizes: dict[str, tuple[float, float]], ids: list[str] | None = None,
                   origin: tuple[float, float] = (0.0, 0.0)) -> dict[str, tuple[float, float]]:
    """Top-left positions for ``ids`` (default: all nodes) in topological columns: a node's column
    is its longest path from a source; within a column, nodes are ordered by the mean row of
    their inputs (fewer crossings)."""
    order, layer = _layers(p)
    wanted = set(ids if ids is not None else p.nodes)
    cols: dict[int, list[str]] = {}
    for nid in order:
        if nid in wanted:
            cols.setdefault(layer[nid], []).append(nid)
    pos: dict[str, tuple[float, float]] = {}
    row_of: dict[str, float] = {}
    x = origin[0]
    for li in sorted(cols):
        col = cols[li]
        idx = {n: i for i, n in enumerate(col)}

        def key(n: str) -> tuple[float, int]:
            ups = [row_of[e.src] for e in p.incoming(n).values() if e.src in row_of]
            return (sum(ups) / len(ups) if ups else float(idx[n]), idx[n])

        col.sort(key=key)
        y = origin[1]
        for r, nid in enumerate(col):
            pos[nid] = (x, y)
            row_of[nid] = float(r)
            y += sizes[nid][1] + ROW_GAP
        x += max(sizes[n][0] for n in col) + COL_GAP
    return pos


def place_unpositioned(p: Pipeline, sizes: dict[str, tuple[float, float]], fixed: dict[str, tuple[float, float]],
                       todo: list[str]) -> dict[str, tuple[float, float]]:
    """Positions for nodes that have none, next to nodes that have one: right of their inputs,
    else left of their outputs, else in columns below everything; moved down until they
    overlap nothing."""
    placed = dict(fixed)
    out: dict[str, tuple[float, float]] = {}
    rects = [QRectF(x, y, *sizes[n]) for n, (x, y) in placed.items() if n in sizes]

    def free(x: float, y: float, n: str) -> tuple[float, float]:
        w, h = sizes[n]
        for _ in range(400):
            r = QRectF(x, y, w, h).adjusted(-10, -10, 10, 10)
            hit = next((o for o in rects if o.intersects(r)), None)
            if hit is None:
                break
            y = hit.bottom() + ROW_GAP
        rects.append(QRectF(x, y, w, h))
        return x, y

    order, _ = _layers(p)
    rest = [n for n in order if n in set(todo)]
    for direction in ("down", "up"):
        seq = rest if direction == "down" else list(reversed(rest))
        left = []
        for n in seq:
            if direction == "down":
                near = [e.src for e in p.incoming(n).values() if e.src in placed]
            else:
                near = [e.dst for e in p.edges if e.src == n and e.dst in placed]
            if not near:
                left.append(n)
                continue
            ys = [placed[m][1] for m in near]
            if direction == "down":
                x = max(placed[m][0] + sizes[m][0] for m in near) + COL_GAP
            else:
                x = min(placed[m][0] for m in near) - COL_GAP - sizes[n][0]
            placed[n] = out[n] = free(x, sum(ys) / len(ys), n)
        rest = left if direction == "down" else list(reversed(left))
    if rest:
        if rects:
            origin = (min(r.left() for r in rects), max(r.bottom() for r in rects) + 2 * ROW_GAP)
        else:
            origin = (0.0, 0.0)
        for n, (x, y) in layered_layout(p, sizes, rest, origin).items():
            placed[n] = out[n] = free(x, y, n)
    return out
