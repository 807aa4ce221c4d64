"""Small panels of the main window: the viewer dock's title bar, the problems list, the device line."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QToolButton, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from workbench.gui import theme
from workbench.gui.i18n import t
from workbench.gui.widgets import bar_over_stack
from workbench.gui.viewer import CompareViewer, ImageViewer


def device_summary() -> str:
    """What inference will run on, before any model has run: "GPU (CUDA) available" or "CPU — why"."""
    try:
        import onnxruntime as ort

        from workbench.inference.gpu import diagnose_cuda, force_cpu
    except Exception as exc:  # noqa: BLE001 - a broken onnxruntime install is shown, not raised
        return f"CPU — onnxruntime unavailable ({exc})"
    if force_cpu():
        return t("CPU") + " — " + t("forced by WORKBENCH_FORCE_CPU")
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        return t("CPU") + " — " + t("this build has no GPU support")
    why = diagnose_cuda()
    return t("CPU") + f" — {why}" if why else t("GPU (CUDA) available")


_PY_ERRORS = {"ValueError", "TypeError", "RuntimeError", "AssertionError", "AttributeError", "IndexError",
              "OverflowError", "ArithmeticError", "Exception", "OSError", "NotImplementedError"}


def readable_error(message: str) -> str:
    """A node failure as a person reads it: no Python exception names ("ValueError: x" -> "x";
    "KeyError: 'a'" -> "missing entry 'a'"; "ZeroDivisionError: ..." -> "division by zero")."""
    name, sep, rest = message.partition(": ")
    if not sep or not name.isidentifier():
        return message
    if name in _PY_ERRORS:
        return rest[:1].upper() + rest[1:]
    if name == "KeyError":
        return t("missing entry") + f" {rest}"
    if name == "ZeroDivisionError":
        return t("division by zero")
    if name in ("FileNotFoundError", "PermissionError", "IsADirectoryError"):
        return rest
    return message


class ViewerPanel(QWidget):
    """The viewer dock's content: a title bar with pin/compare/fit/1:1 and the viewer itself."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.viewer = ImageViewer(self)
        self.compare = CompareViewer(self)
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.pin = QToolButton(checkable=True)
        self.compare_btn = QToolButton(checkable=True)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 4, 2)
        bar.addWidget(self.title, 1)
        for b in (self.pin, self.compare_btn):
            b.setAutoRaise(True)
            bar.addWidget(b)
        self.stack = bar_over_stack(self, bar, self.viewer, self.compare)
        self.retranslate()

    def retranslate(self) -> None:
        self.pin.setText(t("Pin"))
        self.pin.setToolTip(t("Keep showing this node while another one is selected"))
        self.compare_btn.setText(t("Compare"))
        self.compare_btn.setToolTip(t("Compare the pinned node with the selected one"))


class ProblemsPanel(QWidget):
    """Validation problems and node failures (click one to select its node) above a run log."""

    nodeClicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.itemClicked.connect(self._clicked)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tree)
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([t("Kind"), t("Node"), t("Message")])
        self.tree.setColumnWidth(0, 90)
        self.tree.setColumnWidth(1, 110)
        if getattr(self, "_shown", None) is not None:
            self.set_problems(*self._shown)  # the kinds ("Error", "Problem") in the new language

    def set_problems(self, validation: list[tuple[str, str]], failures: list[tuple[str, str]],
                     notes: list[tuple[str, str]]) -> None:
        self._shown = (validation, failures, notes)
        self.tree.clear()
        for kind, rows, color in ((t("Problem"), validation, theme.WARN_COLOR), (t("Error"), failures, theme.NG_COLOR),
                                  (t("Note"), notes, "#4a90d9")):
            for node_id, msg in rows:
                item = QTreeWidgetItem([kind, node_id, readable_error(msg) if rows is failures else msg])
                item.setData(0, Qt.UserRole, node_id)
                item.setToolTip(2, msg)
                item.setForeground(0, QColor(color))
                self.tree.addTopLevelItem(item)

    def count(self) -> int:
        return self.tree.topLevelItemCount()

    def _clicked(self, item: QTreeWidgetItem) -> None:
        nid = item.data(0, Qt.UserRole)
        if nid:
            self.nodeClicked.emit(nid)
