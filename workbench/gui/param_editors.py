"""Parameter editors for the inspector: one per parameter kind, chosen through :data:`EDITORS`.

:data:`workbench.core.params.PARAM_KINDS` is the one table from a kind to its behaviour; this
module extends it with widgets (kind → editor factory), the way magicgui maps types to widgets.
A new kind gets its row in both tables and nothing else changes.

* ranged int/float: a slider and a spin box kept in sync; a very wide range (more than
  :data:`MAX_SLIDER_STEPS` steps) and unbounded numbers get a spin box only;
* enum: a combo box of the member names; bool: a check box; str: a line edit (commits on
  editingFinished); path: a line edit and a "…" button; color: a swatch button; roi: x, y, w, h
  fields for a rectangle, the JSON text for other shapes, and "Whole image" for an optional ROI.
"""

from __future__ import annotations

import json
import math
from typing import Any, Callable

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel,
                               QGridLayout, QLineEdit, QPushButton, QSizePolicy, QSlider, QSpinBox, QStackedWidget,
                               QToolButton, QVBoxLayout, QWidget)

from workbench.core.params import PARAM_KINDS, Color, ParamSpec, Roi
from workbench.gui.i18n import t

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
        return [self._only] if getattr(self, "_only", None) is not None else [self.widget]

    def _single(self, control: QWidget) -> None:
        """An editor made of one control, left-aligned in the row."""
        self._only = control
        lay = QHBoxLayout(self.widget)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(control)
        lay.addStretch(1)

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

    def set_range(self, lo: float, hi: float, step: float) -> None:
        """Narrow the slider and spin box to [lo, hi] (a pixel value follows the input's depth);
        the value itself is not changed here: one outside the range is shown at the end."""
        if self.slider is None or hi <= lo or (lo, hi, step) == getattr(self, "_shown_range", None):
            return
        self._shown_range = (lo, hi, step)
        self.lo, self.res = lo, step
        n = round((hi - lo) / step)
        value = self.spin.value()

        def apply() -> None:
            self.slider.setRange(0, min(n, MAX_SLIDER_STEPS))
            self.slider.setPageStep(max(1, n // 20))
            if isinstance(self.spin, QDoubleSpinBox):
                self.base_decimals = _decimals(step)
                self.spin.setDecimals(max(self.base_decimals, min(6, _value_decimals(float(value)))))
            self.spin.setSingleStep(step)
            self.slider.setValue(self._to_slider(value))
            self.slider.setToolTip(f"{lo:g} – {hi:g}")

        self._blocked(self.controls(), apply)

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
        self._single(self.check)

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
        self._single(self.button)

    def show(self, value: Any) -> None:
        self.value = value
        if value is None:
            self.button.setIcon(QIcon())
            self.button.setText(t("none"))
            return
        self.button.setIcon(_swatch(QColor(value.r, value.g, value.b), 28, 14))
        self.button.setText(value.to_json())


DRAW_BUTTONS = (("rect", "▭", lambda: t("Draw a rectangle in the viewer")),
                ("rotated_rect", "◇", lambda: t("Draw a rotated rectangle in the viewer (turn it by its round handle)")),
                ("circle", "○", lambda: t("Draw a circle in the viewer: from the centre to the rim")),
                ("annulus", "◎", lambda: t("Draw a ring (annulus) in the viewer: from the centre to the outer rim")),
                ("polygon", "⬠", lambda: t("Draw a polygon in the viewer: click the corners, double-click to close")))


class _RoiEditor(_Editor):
    FIELDS = ("x", "y", "w", "h")

    def __init__(self, spec: ParamSpec, commit, draw: Callable[[str, str], None] | None = None) -> None:
        super().__init__(spec, commit)
        outer = QVBoxLayout(self.widget)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self.draw_buttons: dict[str, QToolButton] = {}
        if draw is not None:
            row = QHBoxLayout()
            row.setSpacing(2)
            row.addWidget(QLabel(t("Draw")))
            for shape, glyph, tip in DRAW_BUTTONS:
                b = QToolButton(text=glyph)
                b.setObjectName(f"draw_{shape}")
                b.setToolTip(tip())
                b.clicked.connect(lambda _=False, sh=shape: draw(spec.name, sh))
                self.draw_buttons[shape] = b
                row.addWidget(b)
            row.addStretch(1)
            outer.addLayout(row)
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


# kind -> editor factory(spec, commit, inspector); the inspector gives the dialogs (browse, colour)
EDITORS: dict[str, Callable[..., _Editor]] = {
    "int": lambda p, commit, ins: _NumberEditor(p, commit),
    "float": lambda p, commit, ins: _NumberEditor(p, commit),
    "bool": lambda p, commit, ins: _BoolEditor(p, commit),
    "str": lambda p, commit, ins: _TextEditor(p, commit),
    "enum": lambda p, commit, ins: _EnumEditor(p, commit),
    "path": lambda p, commit, ins: _PathEditor(p, commit, ins._browse),
    "color": lambda p, commit, ins: _ColorEditor(p, commit, ins._choose_color),
    "roi": lambda p, commit, ins: _RoiEditor(p, commit, getattr(ins, "draw_roi", None)),
}
assert set(EDITORS) == set(PARAM_KINDS), "every parameter kind needs an editor"


def make_editor(spec: ParamSpec, commit: Callable[[Any], None], inspector: Any) -> _Editor:
    return EDITORS[spec.kind](spec, commit, inspector)
