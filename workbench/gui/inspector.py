"""The inspector: the selected node's parameters, generated from its spec.

One editor per :class:`~workbench.core.params.ParamSpec` kind:

* ranged int/float: a slider and a spin box kept in sync (every slider step is a
  ``doc.set_param``; the document merges a drag into one undo step); a very wide range
  (more than :data:`MAX_SLIDER_STEPS` steps, e.g. the 0..1e9 "no limit" ranges) and unbounded
  numbers get a spin box only;
* enum: a combo box of the member names; bool: a check box; str: a line edit (commits on
  editingFinished); path: a line edit and a "…" button (QFileDialog by ``path_mode`` and
  ``path_filter``); color: a swatch button (QColorDialog); roi: x, y, w, h fields for a
  rectangle, the JSON text for other shapes, and "Whole image" for an optional ROI.

Edits go only through ``doc.set_param``. When it refuses a value the reason appears in red under
the form, :attr:`Inspector.message` carries it, and the editor shows the model's value again.
Model changes (undo/redo, other views) update the editors with their signals blocked, so they
never push an undo step of their own.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QColorDialog, QComboBox, QDoubleSpinBox, QFileDialog,
                               QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea,
                               QSizePolicy, QSlider, QSpinBox, QStackedWidget, QToolButton, QVBoxLayout, QWidget)

from workbench.core.graph import NodeRemoved, ParamChanged
from workbench.core.params import Color, ParamSpec, Roi
from workbench.gui import theme
from workbench.gui.document import Document, DocumentReset
from workbench.gui.i18n import node_tr, t

MAX_SLIDER_STEPS = 100_000      # wider ranges (the "no limit" sentinels) get a spin box only
WIDE = 1e12                     # the range of a spin box for an unbounded float
INT_LIMIT = 2**31 - 1           # QSpinBox holds a C int
DEFAULT_RECT = (0.0, 0.0, 100.0, 100.0)  # what "Whole image" unticked starts from
SPIN_WIDTH = 96


# ---------------------------------------------------------------- helpers
def _decimals(step: float) -> int:
    """Decimals that show ``step`` exactly (0.1 -> 1, 0.25 -> 2, 1 -> 0), at most 6."""
    for d in range(7):
        if abs(round(step, d) - step) <= 1e-9 * max(1.0, abs(step)):
            return d
    return 6


def _value_decimals(v: float) -> int:
    return _decimals(abs(v)) if math.isfinite(v) else 0


def _swatch(color: QColor, w: int = 14, h: int = 14, radius: float = 3.0) -> QIcon:
    pm = QPixmap(w, h)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(QColor(0, 0, 0, 110))
    p.setBrush(color)
    p.drawRoundedRect(0.5, 0.5, w - 1, h - 1, radius, radius)
    p.end()
    return QIcon(pm)


def _value_text(spec: ParamSpec, value: Any) -> str:
    """A short text of a value (reset button tooltip)."""
    if value is None:
        return t("Whole image") if spec.kind == "roi" else t("none")
    if spec.kind in ("color", "roi"):
        raw = spec.to_json(value)
        return raw if isinstance(raw, str) else json.dumps(raw)
    if spec.kind == "enum":
        return value.name
    if spec.kind == "float":
        return f"{value:g}"
    if spec.kind in ("str", "path"):
        return repr(value) if value == "" else str(value)
    return str(value)


class _NoWheelUnlessFocused(QObject):
    """Scrolling the form must not change the value under the mouse: wheel events reach a spin
    box, combo box or slider only once it has the focus."""

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Wheel and isinstance(obj, QWidget) and not obj.hasFocus():
            event.ignore()
            return True
        return False


# ---------------------------------------------------------------- editors
class _Editor:
    """One parameter's editor. ``commit(value)`` asks the inspector to set the value;
    ``show(value)`` displays a model value without emitting anything."""

    def __init__(self, spec: ParamSpec, commit: Callable[[Any], None]) -> None:
        self.spec = spec
        self.commit = commit
        self.widget = QWidget()
        self.widget.setObjectName(f"param_{spec.name}")

    def show(self, value: Any) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def controls(self) -> list[QWidget]:
        """The widgets that get the help as tooltip."""
        return [self.widget]

    @staticmethod
    def _blocked(widgets, fn: Callable[[], None]) -> None:
        old = [w.blockSignals(True) for w in widgets]
        try:
            fn()
        finally:
            for w, b in zip(widgets, old):
                w.blockSignals(b)


class _NumberEditor(_Editor):
    def __init__(self, spec: ParamSpec, commit) -> None:
        super().__init__(spec, commit)
        is_int = spec.kind == "int"
        lo, hi = spec.minimum, spec.maximum
        if is_int:
            self.res = float(spec.step or 1)
        else:
            self.res = float(spec.step or ((hi - lo) / 1000 if lo is not None and hi is not None and hi > lo else 0.1))
        self.slider: QSlider | None = None
        self.lo = lo
        n = round((hi - lo) / self.res) if lo is not None and hi is not None and hi > lo else 0
        lay = QHBoxLayout(self.widget)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        if 0 < n <= MAX_SLIDER_STEPS:
            self.slider = QSlider(Qt.Horizontal)
            self.slider.setRange(0, n)
            self.slider.setSingleStep(1)
            self.slider.setPageStep(max(1, n // 20))
            self.slider.setFocusPolicy(Qt.StrongFocus)
            self.slider.valueChanged.connect(self._slider_moved)
            lay.addWidget(self.slider, 1)
        if is_int:
            spin: QAbstractSpinBox = QSpinBox()
            spin.setRange(int(max(lo, -INT_LIMIT)) if lo is not None else -INT_LIMIT,
                          int(min(hi, INT_LIMIT)) if hi is not None else INT_LIMIT)
            spin.setSingleStep(int(self.res))
        else:
            spin = QDoubleSpinBox()
            self.base_decimals = _decimals(self.res) if spec.step or self.slider is not None else 3
            spin.setDecimals(self.base_decimals)
            spin.setRange(lo if lo is not None else -WIDE, hi if hi is not None else WIDE)
            spin.setSingleStep(self.res)
        spin.setKeyboardTracking(False)  # typed numbers commit on Enter / focus out, arrows at once
        spin.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        spin.setFocusPolicy(Qt.StrongFocus)
        spin.setAccelerated(True)
        if self.slider is not None:
            spin.setFixedWidth(SPIN_WIDTH)
        else:
            spin.setMinimumWidth(SPIN_WIDTH)
            spin.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        spin.valueChanged.connect(self._spun)
        self.spin = spin
        lay.addWidget(spin, 0 if self.slider is not None else 1)

    def controls(self) -> list[QWidget]:
        return [w for w in (self.slider, self.spin) if w is not None]

    def _to_slider(self, v: float) -> int:
        return int(round((v - self.lo) / self.res))

    def _from_slider(self, k: int) -> float:
        v = self.lo + k * self.res
        v = min(max(v, self.spec.minimum), self.spec.maximum)
        if self.spec.kind == "int":
            return int(round(v))
        return round(v, self.spin.decimals())

    def _slider_moved(self, k: int) -> None:
        v = self._from_slider(k)
        self._blocked([self.spin], lambda: self.spin.setValue(v))
        self.commit(v)

    def _spun(self, v: float) -> None:
        if self.spec.kind == "int":
            v = int(v)
        if self.slider is not None:
            self._blocked([self.slider], lambda: self.slider.setValue(self._to_slider(v)))
        self.commit(v)

    def show(self, value: Any) -> None:
        if value is None:
            return

        def apply() -> None:
            if isinstance(self.spin, QDoubleSpinBox):
                # a value from a file may be finer than the step: show it, do not round it away
                self.spin.setDecimals(max(self.base_decimals, min(6, _value_decimals(float(value)))))
            self.spin.setValue(value)
            if self.slider is not None:
                self.slider.setValue(self._to_slider(float(value)))

        self._blocked(self.controls(), apply)


class _EnumEditor(_Editor):
    def __init__(self, spec: ParamSpec, commit) -> None:
        super().__init__(spec, commit)
        self.combo = QComboBox()
        self.combo.setFocusPolicy(Qt.StrongFocus)
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)
        for i, m in enumerate(spec.enum):
            self.combo.addItem(m.name, m.name)
            self.combo.setItemData(i, f"{m.name} = {m.value!r}" + (f"\n{spec.help}" if spec.help else ""),
                                   Qt.ToolTipRole)
        self.combo.activated.connect(lambda i: self.commit(self.combo.itemData(i)))
        lay = QHBoxLayout(self.widget)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.combo, 1)

    def controls(self) -> list[QWidget]:
        return [self.combo]

    def show(self, value: Any) -> None:
        name = value.name if value is not None else ""
        self._blocked([self.combo], lambda: self.combo.setCurrentIndex(self.combo.findData(name)))


class _BoolEditor(_Editor):
    def __init__(self, spec: ParamSpec, commit) -> None:
        super().__init__(spec, commit)
        self.check = QCheckBox()
        self.check.toggled.connect(lambda on: self.commit(bool(on)))
        lay = QHBoxLayout(self.widget)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.check)
        lay.addStretch(1)

    def controls(self) -> list[QWidget]:
        return [self.check]

    def show(self, value: Any) -> None:
        self._blocked([self.check], lambda: self.check.setChecked(bool(value)))


class _TextEditor(_Editor):
    def __init__(self, spec: ParamSpec, commit) -> None:
        super().__init__(spec, commit)
        self.edit = QLineEdit()
        self.edit.setClearButtonEnabled(spec.kind == "path")
        self.edit.editingFinished.connect(self._finished)
        self.lay = QHBoxLayout(self.widget)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.setSpacing(4)
        self.lay.addWidget(self.edit, 1)
        self.shown: Any = None

    def controls(self) -> list[QWidget]:
        return [self.edit]

    def _finished(self) -> None:
        if self.edit.text() != self.shown:  # editingFinished also fires on focus out after Enter
            self.commit(self.edit.text())

    def show(self, value: Any) -> None:
        self.shown = "" if value is None else str(value)
        self._blocked([self.edit], lambda: (self.edit.setText(self.shown), self.edit.setCursorPosition(0)))


class _PathEditor(_TextEditor):
    def __init__(self, spec: ParamSpec, commit, browse: Callable[[ParamSpec, str], None]) -> None:
        super().__init__(spec, commit)
        self.edit.setPlaceholderText(t("Choose a folder…") if spec.path_mode in ("dir", "save_dir")
                                     else t("Choose a file…"))
        self.button = QToolButton()
        self.button.setText("…")
        self.button.setObjectName("browse")
        self.button.setToolTip(t("Browse…"))
        self.button.clicked.connect(lambda: browse(spec, self.edit.text()))
        self.lay.addWidget(self.button)


class _ColorEditor(_Editor):
    def __init__(self, spec: ParamSpec, commit, choose: Callable[[ParamSpec, Color], None]) -> None:
        super().__init__(spec, commit)
        self.button = QPushButton()
        self.button.setObjectName("color")
        self.button.setStyleSheet("text-align: left; padding: 3px 8px;")
        self.button.setIconSize(QSize(28, 14))
        self.button.setMinimumWidth(118)
        self.value: Color | None = None
        self.button.clicked.connect(lambda: choose(spec, self.value))
        lay = QHBoxLayout(self.widget)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.button)
        lay.addStretch(1)

    def controls(self) -> list[QWidget]:
        return [self.button]

    def show(self, value: Any) -> None:
        self.value = value
        if value is None:
            self.button.setIcon(QIcon())
            self.button.setText(t("none"))
            return
        self.button.setIcon(_swatch(QColor(value.r, value.g, value.b), 28, 14))
        self.button.setText(value.to_json())


class _RoiEditor(_Editor):
    FIELDS = ("x", "y", "w", "h")

    def __init__(self, spec: ParamSpec, commit) -> None:
        super().__init__(spec, commit)
        outer = QVBoxLayout(self.widget)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.whole: QCheckBox | None = None
        if spec.optional:
            self.whole = QCheckBox(t("Whole image"))
            self.whole.setObjectName("whole_image")
            self.whole.toggled.connect(self._whole_toggled)
            outer.addWidget(self.whole)
        self.stack = QStackedWidget()
        rect_page = QWidget()
        grid = QGridLayout(rect_page)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        self.spins: dict[str, QDoubleSpinBox] = {}
        for i, key in enumerate(self.FIELDS):
            lab = QLabel(key)
            lab.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            spin = QDoubleSpinBox()
            spin.setObjectName(f"roi_{key}")
            spin.setDecimals(0)
            spin.setRange(0.0 if key in "wh" else -1e6, 1e6)
            spin.setKeyboardTracking(False)
            spin.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            spin.setFocusPolicy(Qt.StrongFocus)
            spin.setMinimumWidth(60)
            spin.valueChanged.connect(self._rect_edited)
            self.spins[key] = spin
            row, col = divmod(i, 2)
            grid.addWidget(lab, row, col * 2)
            grid.addWidget(spin, row, col * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.stack.addWidget(rect_page)
        self.text = QLineEdit()
        self.text.setObjectName("roi_text")
        self.text.editingFinished.connect(self._text_edited)
        self.stack.addWidget(self.text)
        outer.addWidget(self.stack)
        self.value: Roi | None = None
        self.shown_text = ""

    def controls(self) -> list[QWidget]:
        return [w for w in (self.whole, *self.spins.values(), self.text) if w is not None]

    def _rect_dict(self) -> dict:
        return {"shape": "rect", **{k: float(self.spins[k].value()) for k in self.FIELDS}}

    def _rect_edited(self, _v: float) -> None:
        self.commit(self._rect_dict())

    def _text_edited(self) -> None:
        text = self.text.text().strip()
        if text == self.shown_text:
            return
        if not text and self.spec.optional:
            self.commit(None)
            return
        try:
            raw = json.loads(text)
        except ValueError:
            self.commit(text)  # refused by the model with its own message ("expected an ROI, got ...")
            return
        self.commit(raw)

    def _whole_toggled(self, on: bool) -> None:
        self.commit(None if on else self._rect_dict())

    def show(self, value: Any) -> None:
        self.value = value

        def apply() -> None:
            if self.whole is not None:
                self.whole.setChecked(value is None)
            rect = value is None or value.shape == "rect"
            self.stack.setCurrentIndex(0 if rect else 1)
            if value is not None and value.shape == "rect":
                for k, v in zip(self.FIELDS, value.values):
                    self.spins[k].setDecimals(min(3, _value_decimals(v)))
                    self.spins[k].setValue(v)
            elif value is None and all(s.value() == 0 for s in self.spins.values()):
                for k, v in zip(self.FIELDS, DEFAULT_RECT):
                    self.spins[k].setValue(v)
            for s in self.spins.values():
                s.setEnabled(value is not None)
            self.shown_text = json.dumps(value.to_json()) if value is not None else ""
            self.text.setText(self.shown_text)

        self._blocked(self.controls(), apply)


# ---------------------------------------------------------------- the inspector
class _Row:
    def __init__(self, spec: ParamSpec, label: QLabel, editor: _Editor, reset: QToolButton) -> None:
        self.spec, self.label, self.editor, self.reset = spec, label, editor, reset


class Inspector(QWidget):
    """The selected node's parameters (see the module docstring)."""

    roiChanged = Signal(str, str, object)   # (node id, param name, Roi | None) when the shown node's ROI changes
    message = Signal(str)                   # one-line messages (refused values)

    def __init__(self, doc: Document, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self._nid: str | None = None
        self._rows: dict[str, _Row] = {}
        self._run_info: tuple | None = None
        self._wheel_guard = _NoWheelUnlessFocused(self)
        self.setMinimumWidth(260)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        self._hint = QLabel()
        self._hint.setObjectName("hint")
        self._hint.setAlignment(Qt.AlignCenter)
        self._hint.setWordWrap(True)
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

        # header
        self._title = QLabel()
        self._title.setObjectName("title")
        f = QFont(self.font())
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        self._title.setFont(f)
        self._title.setWordWrap(True)
        self._title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self._title)
        sub = QHBoxLayout()
        sub.setSpacing(6)
        self._swatch = QLabel()
        self._swatch.setFixedSize(12, 12)
        sub.addWidget(self._swatch)
        self._subtitle = QLabel()
        self._subtitle.setObjectName("subtitle")
        self._subtitle.setTextInteractionFlags(Qt.TextSelectableByMouse)
        sub.addWidget(self._subtitle, 1)
        lay.addLayout(sub)
        self._desc = QLabel()
        self._desc.setObjectName("description")
        self._desc.setWordWrap(True)
        self._desc.setTextInteractionFlags(Qt.TextSelectableByMouse)
        lay.addWidget(self._desc)

        line = QFrame()
        line.setFrameShape(QFrame.NoFrame)
        line.setFixedHeight(1)
        line.setStyleSheet("background: rgba(128, 128, 128, 80);")
        lay.addSpacing(4)
        lay.addWidget(line)
        lay.addSpacing(4)

        # the form
        self._body = lay
        self._form_host = QWidget()
        self._form = QGridLayout(self._form_host)
        lay.addWidget(self._form_host)
        self._no_params = QLabel()
        lay.addWidget(self._no_params)

        self._error = QLabel()
        self._error.setObjectName("error")
        self._error.setWordWrap(True)
        self._error.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self._error.setStyleSheet(f"color: {theme.NG_COLOR};")
        self._error.hide()
        lay.addWidget(self._error)

        # last run
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
        self._run_status = QLabel()
        self._run_status.setObjectName("run_status")
        rl.addWidget(self._run_status)
        self._run_notes = QLabel()
        self._run_notes.setObjectName("run_notes")
        self._run_notes.setWordWrap(True)
        self._run_notes.setStyleSheet(f"color: {theme.WARN_COLOR};")
        rl.addWidget(self._run_notes)
        self._run_error = QLabel()
        self._run_error.setObjectName("run_error")
        self._run_error.setWordWrap(True)
        self._run_error.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self._run_error.setStyleSheet(f"color: {theme.NG_COLOR};")
        rl.addWidget(self._run_error)
        self._run_box.hide()
        lay.addWidget(self._run_box)
        lay.addStretch(1)

        doc.changed.connect(self._on_doc_changed)
        self._show_node()

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
        self._show_node()
        self._emit_rois()

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
        inst = self.doc.pipeline.nodes[self._nid]
        return inst.params.get(name, inst.spec.param(name).default)

    def _commit(self, name: str, value: Any) -> None:
        if self._nid is None:
            return
        why = self.doc.set_param(self._nid, name, value)
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
        elif isinstance(event, ParamChanged) and event.node_id == self._nid and event.name in self._rows:
            self._refresh(event.name)
            if self._rows[event.name].spec.kind == "roi":
                self.roiChanged.emit(self._nid, event.name, self._value(event.name))

    def _clear_form(self) -> None:
        """A new, empty form host (the old one, with its editors, is deleted)."""
        self._rows.clear()
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
        self._desc.setText(spec.description)
        muted = theme.canvas_colors()["subtext"].name()
        self._desc.setStyleSheet(f"color: {muted};")
        self._subtitle.setStyleSheet(f"color: {muted};")
        self._no_params.setStyleSheet(f"color: {muted};")
        self._desc.setVisible(bool(spec.description))
        self._no_params.setText(t("This node has no parameters."))
        self._no_params.setVisible(not spec.params)
        for i, p in enumerate(spec.params):
            self._add_row(i, p)
        for name in self._rows:
            self._refresh(name)
        self._show_run_info()

    def _add_row(self, i: int, p: ParamSpec) -> None:
        commit = (lambda name: lambda v: self._commit(name, v))(p.name)
        if p.kind in ("int", "float"):
            ed: _Editor = _NumberEditor(p, commit)
        elif p.kind == "enum":
            ed = _EnumEditor(p, commit)
        elif p.kind == "bool":
            ed = _BoolEditor(p, commit)
        elif p.kind == "path":
            ed = _PathEditor(p, commit, self._browse)
        elif p.kind == "color":
            ed = _ColorEditor(p, commit, self._choose_color)
        elif p.kind == "roi":
            ed = _RoiEditor(p, commit)
        else:
            ed = _TextEditor(p, commit)
        label = QLabel(node_tr(p.label))
        label.setObjectName(f"label_{p.name}")
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
        reset.setObjectName(f"reset_{p.name}")
        reset.setText("↺")
        reset.setAutoRaise(True)
        reset.setFocusPolicy(Qt.NoFocus)
        reset.setToolTip(t("Reset to default") + f": {_value_text(p, p.default)}")
        reset.clicked.connect(lambda _=False, name=p.name, d=p.default: self._commit(name, d))
        self._form.addWidget(label, i, 0)
        self._form.addWidget(ed.widget, i, 1)
        self._form.addWidget(reset, i, 2, Qt.AlignTop if top else Qt.AlignVCenter)
        self._rows[p.name] = _Row(p, label, ed, reset)

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
