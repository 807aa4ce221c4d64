"""The inspector: the selected node's parameters, generated from its spec.

One editor per parameter kind, from the kind → editor table in ``gui/param_editors.py`` (which
extends :data:`workbench.core.params.PARAM_KINDS`).

Edits go only through ``doc.set_param``. When it refuses a value the reason appears in red under
the form, :attr:`Inspector.message` carries it, and the editor shows the model's value again.
Model changes (undo/redo, other views) update the editors with their signals blocked, so they
never push an undo step of their own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (QAbstractSpinBox, QColorDialog, QComboBox, QFileDialog, QFrame, QGridLayout,
                               QHBoxLayout, QLabel, QMenu, QScrollArea, QSlider, QToolButton, QVBoxLayout,
                               QWidget)

from workbench.core.graph import NodeRemoved, ParamChanged, SubgraphChanged
from workbench.core.subgraph import exposed_params, toggle_exposed
from workbench.core.params import Color, ParamSpec, depth_range
from workbench.gui import theme
from workbench.gui.document import Document, DocumentReset
from workbench.gui.i18n import node_tr, t
from workbench.gui.widgets import label
from workbench.gui.param_editors import _Editor, _NoWheelUnlessFocused, _swatch, _value_text, make_editor

# ---------------------------------------------------------------- the inspector
class _Row:
    def __init__(self, spec: ParamSpec, label: QLabel, editor: _Editor, reset: QToolButton) -> None:
        self.spec, self.label, self.editor, self.reset = spec, label, editor, reset


class Inspector(QWidget):
    """The selected node's parameters (see the module docstring)."""

    roiChanged = Signal(str, str, object)   # (node id, param name, Roi | None) when the shown node's ROI changes
    drawRoi = Signal(str, str)              # (param name, shape): the user asks to draw the ROI in the viewer
    message = Signal(str)                   # one-line messages (refused values)

    def __init__(self, doc: Document, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self._nid: str | None = None
        self._rows: dict[str, _Row] = {}
        self._run_info: tuple | None = None
        self._input_dtype: str | None = None
        self._targets: dict[str, tuple[Document, str, str]] = {}  # exposed row key -> (inner doc, node, param)
        self._macro: tuple[Document, str] | None = None  # (outer doc, macro id) while editing inside a macro
        self._inner_docs: dict[int, Document] = {}  # per macro graph: a document over it (exposed rows)
        self.expose_menu: QMenu | None = None
        self._wheel_guard = _NoWheelUnlessFocused(self)
        self.setMinimumWidth(260)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        self._hint = label("hint", wrap=True)
        self._hint.setAlignment(Qt.AlignCenter)
        self._hint.setMargin(16)
        outer.addWidget(self._hint, 1)

        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        outer.addWidget(self._scroll, 1)

        body = QWidget()
        self._scroll.setWidget(body)
        lay = QVBoxLayout(body)
        lay.setContentsMargins(12, 10, 12, 12)
        lay.setSpacing(6)
        self._build_header(lay)
        self._build_form(lay)
        self._build_run_box(lay)
        lay.addStretch(1)
        doc.changed.connect(self._on_doc_changed)
        self._show_node()

    def _build_header(self, lay: QVBoxLayout) -> None:
        """Title, category swatch + id, description and a rule under them."""
        self._title = label("title", wrap=True, selectable=True)
        f = QFont(self.font())
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self._title.setFont(f)
        lay.addWidget(self._title)
        sub = QHBoxLayout()
        sub.setSpacing(6)
        self._swatch = QLabel()
        self._swatch.setFixedSize(12, 12)
        sub.addWidget(self._swatch)
        self._subtitle = label("subtitle", selectable=True)
        sub.addWidget(self._subtitle, 1)
        lay.addLayout(sub)
        self._desc = label("description", wrap=True, selectable=True)
        lay.addWidget(self._desc)

        line = QFrame()
        line.setFrameShape(QFrame.NoFrame)
        line.setFixedHeight(1)
        line.setStyleSheet("background: rgba(128, 128, 128, 80);")
        lay.addSpacing(4)
        lay.addWidget(line)
        lay.addSpacing(4)

    def _build_form(self, lay: QVBoxLayout) -> None:
        self._body = lay
        self._form_host = QWidget()
        self._form = QGridLayout(self._form_host)
        lay.addWidget(self._form_host)
        self._no_params = QLabel()
        lay.addWidget(self._no_params)

        self._error = label("error", wrap=True, selectable=True, color=theme.NG_COLOR)
        self._error.hide()
        lay.addWidget(self._error)

    def _build_run_box(self, lay: QVBoxLayout) -> None:
        """The last run of the shown node: status and time, notes (where a model ran), error."""
        self._run_box = QFrame()
        self._run_box.setObjectName("run_info")
        rl = QVBoxLayout(self._run_box)
        rl.setContentsMargins(0, 8, 0, 0)
        rl.setSpacing(3)
        self._run_title = QLabel()
        bf = QFont(self.font())
        bf.setBold(True)
        self._run_title.setFont(bf)
        rl.addWidget(self._run_title)
        self._run_status = label("run_status")
        self._run_notes = label("run_notes", wrap=True, color=theme.WARN_COLOR)
        self._run_error = label("run_error", wrap=True, selectable=True, color=theme.NG_COLOR)
        for w in (self._run_status, self._run_notes, self._run_error):
            rl.addWidget(w)
        self._run_box.hide()
        lay.addWidget(self._run_box)

    # -- public API ------------------------------------------------------------------
    def node_id(self) -> str | None:
        return self._nid

    def set_node(self, node_id: str | None) -> None:
        """Show that node's parameters (None, or an id not in the pipeline: the "select a node" hint).
        Emits roiChanged(old node, name, None) for the ROIs of the node shown before (node_id()
        still returns the old id then), then roiChanged(node, name, value) for each ROI of the new
        one. A new node clears the run info; the node shown already keeps its form and run info."""
        if node_id is not None and node_id not in self.doc.pipeline.nodes:
            node_id = None
        if node_id is not None and node_id == self._nid:  # shown already: keep the form and run info
            for name in self._rows:
                self._refresh(name)
            self._emit_rois()
            return
        # stop drawing the ROIs of the node shown so far (while node_id() still names it)
        for name, row in self._rows.items():
            if row.spec.kind == "roi" and self._nid is not None:
                self.roiChanged.emit(self._nid, name, None)
        self._nid = node_id
        self._run_info = None
        self._input_dtype = None
        self._show_node()
        self._emit_rois()

    def set_document(self, doc: Document, macro: tuple[Document, str] | None = None) -> None:
        """Edit another document's nodes (a macro's inner graph: ``macro`` = (outer document, macro
        id), whose parameters can then be exposed on the macro); call set_node(None) first."""
        self._macro = macro
        if doc is self.doc:
            return
        self.doc.changed.disconnect(self._on_doc_changed)
        self.doc = doc
        doc.changed.connect(self._on_doc_changed)
        self._nid = None
        self._show_node()

    def _emit_rois(self) -> None:
        for name, row in self._rows.items():
            if row.spec.kind == "roi":
                self.roiChanged.emit(self._nid, name, self._value(name))

    def set_roi_from_viewer(self, name: str, rect: tuple[int, int, int, int]) -> None:
        """The viewer dragged the ROI rectangle of parameter ``name`` of the shown node."""
        row = self._rows.get(name)
        if self._nid is None or row is None or row.spec.kind != "roi":
            return
        x, y, w, h = (float(v) for v in rect)
        self._commit(name, {"shape": "rect", "x": x, "y": y, "w": w, "h": h})

    def draw_roi(self, name: str, shape: str) -> None:
        self.drawRoi.emit(name, shape)

    def set_roi_value(self, name: str, roi) -> None:
        """The viewer drew or edited ROI ``name`` of the shown node (any shape)."""
        row = self._rows.get(name)
        if self._nid is not None and row is not None and row.spec.kind == "roi" and roi is not None:
            self._commit(name, roi.to_json())

    def set_run_info(self, status: str, ms: float | None, notes: list[str], error: str) -> None:
        """Show the shown node's last run (read-only): status and time, notes such as
        "ran on CPU: ...", and the error in red. set_node clears it."""
        self._run_info = (status, ms, list(notes or []), error or "")
        self._show_run_info()

    def clear_run_info(self) -> None:
        self._run_info = None
        self._show_run_info()

    def retranslate(self) -> None:
        """Rebuild every string in the current language (call after i18n.set_language)."""
        info = self._run_info
        self._show_node()
        self._run_info = info
        self._show_run_info()

    def editor_widgets(self, name: str) -> list[QWidget]:
        """The widgets that edit parameter ``name`` (for tests and for focusing a parameter)."""
        row = self._rows.get(name)
        return row.editor.controls() if row else []

    # -- dialogs (tests replace these) ----------------------------------------------------
    def choose_path(self, spec: ParamSpec, current: str) -> str | None:
        """Ask for a path with QFileDialog by the parameter's path_mode; None when cancelled."""
        start_s = str(self._resolve(current)) if current else str(self._base_dir())
        filt = ";;".join(f for f in (spec.path_filter, t("All files (*)")) if f)
        title = node_tr(spec.label)
        if spec.path_mode in ("dir", "save_dir"):
            got = QFileDialog.getExistingDirectory(self, title, start_s)
        elif spec.path_mode == "save":
            got, _ = QFileDialog.getSaveFileName(self, title, start_s, filt)
        else:
            got, _ = QFileDialog.getOpenFileName(self, title, start_s, filt)
        return got or None

    def choose_color(self, spec: ParamSpec, current: Color | None) -> Color | None:
        """Ask for a colour with QColorDialog; None when cancelled."""
        init = QColor(current.r, current.g, current.b) if current is not None else QColor("white")
        c = QColorDialog.getColor(init, self, node_tr(spec.label))
        return Color(c.red(), c.green(), c.blue()) if c.isValid() else None

    # -- internals ------------------------------------------------------------------
    def _base_dir(self) -> Path:
        return Path(self.doc.path).parent if self.doc.path else Path(self.doc.pipeline.base_dir or Path.cwd())

    def _resolve(self, text: str) -> Path:
        p = Path(text).expanduser()
        return p if p.is_absolute() else self._base_dir() / p

    def _browse(self, spec: ParamSpec, current: str) -> None:
        got = self.choose_path(spec, current)
        if not got:
            return
        got = str(got)
        # a file read from the saved pipeline's folder (or below) is kept relative to it, so the
        # pipeline folder can move; written paths and everything else stay as chosen
        if self.doc.path and spec.path_mode in ("open", "dir"):
            try:
                got = Path(got).resolve().relative_to(Path(self.doc.path).resolve().parent).as_posix()
            except ValueError:
                pass
        if spec.path_mode in ("save", "save_dir"):  # chosen in the dialog by the user: they may write there
            from workbench.gui.security import remember_allowed

            remember_allowed(got if spec.path_mode == "save_dir" else Path(got).parent)
        self._commit(spec.name, got)

    def _choose_color(self, spec: ParamSpec, current: Color | None) -> None:
        c = self.choose_color(spec, current)
        if c is not None:
            self._commit(spec.name, c)

    def _value(self, name: str) -> Any:
        doc, nid, pname = self._targets.get(name, (self.doc, self._nid, name))
        inst = doc.pipeline.nodes[nid]
        return inst.params.get(pname, inst.spec.param(pname).default)

    def _commit(self, name: str, value: Any) -> None:
        if self._nid is None:
            return
        doc, nid, pname = self._targets.get(name, (self.doc, self._nid, name))
        why = doc.set_param(nid, pname, value)
        if why:
            self._error.setText(why)
            self._error.show()
            self.message.emit(why)
            if self._nid in self.doc.pipeline.nodes and name in self._rows:
                self._refresh(name)  # back to the model's value
                if self._rows[name].spec.kind == "roi":  # and the viewer's rectangle too
                    self.roiChanged.emit(self._nid, name, self._value(name))
        else:
            self._error.clear()
            self._error.hide()

    def set_input_dtype(self, dtype_name: str | None) -> None:
        """The depth of the image flowing into the shown node: pixel-value ranges follow it."""
        self._input_dtype = dtype_name
        if dtype_name is None:
            return
        for row in self._rows.values():
            if row.spec.follows_depth and hasattr(row.editor, "set_range"):
                row.editor.set_range(*depth_range(dtype_name))

    def _update_active(self) -> None:
        """Grey out parameters that have no effect in the current mode."""
        if self._nid is None or self._nid not in self.doc.pipeline.nodes:
            return
        inst = self.doc.pipeline.nodes[self._nid]
        params = {p.name: inst.params.get(p.name, p.default) for p in inst.spec.params}
        for key, row in self._rows.items():
            if key in self._targets:  # exposed from inside a macro: the inner node's mode decides
                doc, nid, _ = self._targets[key]
                inner = doc.pipeline.nodes[nid]
                on = row.spec.is_active({p.name: inner.params.get(p.name, p.default) for p in inner.spec.params})
            else:
                on = row.spec.is_active(params)
            for w in (row.label, row.editor.widget):
                w.setEnabled(on)
            if not on:
                row.label.setToolTip(t("Not used in this mode") + f" ({row.spec.name})")

    def _refresh(self, name: str) -> None:
        row = self._rows[name]
        value = self._value(name)
        row.editor.show(value)
        default = row.spec.default
        at_default = value == default and type(value) is type(default)
        row.reset.setEnabled(not at_default)
        f = row.label.font()
        f.setBold(not at_default)  # changed parameters stand out
        row.label.setFont(f)

    def _on_doc_changed(self, event: object) -> None:
        if isinstance(event, DocumentReset):
            self.set_node(None)
        elif isinstance(event, NodeRemoved) and event.node_id == self._nid:
            self.set_node(None)
        elif isinstance(event, ParamChanged) and event.node_id == self._nid and event.name == "exposed" \
                and self.doc.pipeline.nodes[self._nid].graph is not None:
            self._show_node()  # the macro's exposed inner parameters changed: rebuild the form
        elif isinstance(event, ParamChanged) and event.node_id == self._nid and event.name in self._rows:
            self._refresh(event.name)
            self._update_active()
            if self._rows[event.name].spec.kind == "roi":
                self.roiChanged.emit(self._nid, event.name, self._value(event.name))
        elif isinstance(event, SubgraphChanged) and event.node_id == self._nid:
            for key in self._targets:
                if key in self._rows:
                    self._refresh(key)
            self._update_active()

    def _clear_form(self) -> None:
        """A new, empty form host (the old one, with its editors, is deleted)."""
        self._rows.clear()
        self._targets.clear()
        old = self._form_host
        host = QWidget()
        form = QGridLayout(host)
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(8)
        form.setColumnStretch(1, 1)
        form.setColumnMinimumWidth(0, 84)
        self._body.replaceWidget(old, host)
        old.hide()
        old.setParent(None)
        old.deleteLater()
        self._form_host, self._form = host, form

    def _show_node(self) -> None:
        self._clear_form()
        self._error.clear()
        self._error.hide()
        self._hint.setText(t("Select a node to see its parameters."))
        self._hint.setStyleSheet(f"color: {theme.canvas_colors()['subtext'].name()};")
        self._run_title.setText(t("Last run"))
        nid = self._nid
        if nid is None or nid not in self.doc.pipeline.nodes:
            self._nid = None
            self._hint.show()
            self._scroll.hide()
            self._show_run_info()
            return
        self._hint.hide()
        self._scroll.show()
        inst = self.doc.pipeline.nodes[nid]
        spec = inst.spec
        self._title.setText(node_tr(spec.name))
        self._title.setToolTip(spec.id)
        self._swatch.setPixmap(_swatch(theme.category_color(spec.category), 12, 12).pixmap(12, 12))
        self._subtitle.setText(f"{nid}  ·  {spec.id}  ·  {node_tr(spec.category)}")
        self._desc.setText(node_tr(spec.description))
        muted = theme.canvas_colors()["subtext"].name()
        self._desc.setStyleSheet(f"color: {muted};")
        self._subtitle.setStyleSheet(f"color: {muted};")
        self._no_params.setStyleSheet(f"color: {muted};")
        self._desc.setVisible(bool(spec.description))
        self._no_params.setText(t("This node has no parameters."))
        self._no_params.setVisible(not spec.params)
        for i, p in enumerate(spec.params):
            self._add_row(i, p)
        if inst.graph is not None:
            self._add_exposed_rows(inst, len(spec.params))
        for name in self._rows:
            self._refresh(name)
        self._update_active()
        self.set_input_dtype(getattr(self, "_input_dtype", None))
        self._show_run_info()

    def _add_exposed_rows(self, inst, first_row: int) -> None:
        """The inner parameters exposed on this macro, edited in its inner graph."""
        doc = self._inner_docs.get(id(inst.graph))
        if doc is None:
            doc = self._inner_docs[id(inst.graph)] = Document(inst.graph, registry=self.doc.registry,
                                                              undo=self.doc.undo)
        for k, (nid, p) in enumerate(x for x in exposed_params(inst) if x[1].kind != "roi"):
            key = f"{nid}.{p.name}"
            self._targets[key] = (doc, nid, p.name)
            self._add_row(first_row + k, p, key=key, text=f"{nid} · {node_tr(p.label)}")

    def _expose_menu(self, name: str, pos) -> None:
        """Right-click on a parameter of a node inside a macro: show it on the macro, or stop."""
        outer, macro_id = self._macro
        inst = outer.pipeline.nodes.get(macro_id)
        if inst is None or self._nid is None:
            return
        text = str(inst.params.get("exposed", ""))
        menu = QMenu(self)
        act = menu.addAction(t("Show on the macro"))
        act.setCheckable(True)
        act.setChecked(f"{self._nid}.{name}" in [i.strip() for i in text.split(",")])
        nid = self._nid
        act.triggered.connect(lambda _on: outer.set_param(macro_id, "exposed", toggle_exposed(text, nid, name)))
        self.expose_menu = menu
        menu.popup(self._rows[name].label.mapToGlobal(pos))

    def _add_row(self, i: int, p: ParamSpec, key: str | None = None, text: str | None = None) -> None:
        key = key or p.name
        commit = (lambda name: lambda v: self._commit(name, v))(key)
        ed = make_editor(p, commit, self)
        label = QLabel(text or node_tr(p.label))
        label.setObjectName(f"label_{key}")
        if self._macro is not None and key == p.name:
            label.setContextMenuPolicy(Qt.CustomContextMenu)
            label.customContextMenuRequested.connect(lambda pos, name=p.name: self._expose_menu(name, pos))
        label.setToolTip(f"{p.help}\n({p.name})" if p.help else p.name)
        label.setBuddy(ed.controls()[0])
        top = p.kind == "roi"
        label.setAlignment(Qt.AlignLeft | (Qt.AlignTop if top else Qt.AlignVCenter))
        if top:
            label.setContentsMargins(0, 3, 0, 0)
        for w in ed.controls():
            w.setToolTip(p.help)
            if isinstance(w, (QAbstractSpinBox, QComboBox, QSlider)):
                w.installEventFilter(self._wheel_guard)
        reset = QToolButton()
        reset.setObjectName(f"reset_{key}")
        reset.setText("↺")
        reset.setAutoRaise(True)
        reset.setFocusPolicy(Qt.NoFocus)
        reset.setToolTip(t("Reset to default") + f": {_value_text(p, p.default)}")
        reset.clicked.connect(lambda _=False, name=key, d=p.default: self._commit(name, d))
        self._form.addWidget(label, i, 0)
        self._form.addWidget(ed.widget, i, 1)
        self._form.addWidget(reset, i, 2, Qt.AlignTop if top else Qt.AlignVCenter)
        self._rows[key] = _Row(p, label, ed, reset)

    def _show_run_info(self) -> None:
        info = self._run_info
        if info is None or self._nid is None:
            self._run_box.hide()
            return
        status, ms, notes, error = info
        words = {"ok": t("OK"), "cached": t("cached"), "failed": t("failed"), "skipped": t("skipped"),
                 "cancelled": t("cancelled"), "running": t("running")}
        color = theme.STATUS_COLORS.get(status, theme.canvas_colors()["subtext"].name())
        text = f"<span style='color:{color}'>●</span> {words.get(status, status)}"
        if ms is not None:
            text += f"  ·  {ms:.1f} ms"
        self._run_status.setText(text)
        self._run_notes.setText("\n".join(notes))
        self._run_notes.setVisible(bool(notes))
        self._run_error.setText(error)
        self._run_error.setVisible(bool(error))
        self._run_box.show()
