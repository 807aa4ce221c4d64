"""Small widget builders shared by the panels (one place for the repeated set-up lines)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLayout, QStackedWidget, QVBoxLayout, QWidget


def label(name: str = "", *, wrap: bool = False, selectable: bool = False, color: str | None = None) -> QLabel:
    """A QLabel with an object name (tests and style sheets find it), word wrap, selectable text
    and a text colour, as asked."""
    w = QLabel()
    if name:
        w.setObjectName(name)
    w.setWordWrap(wrap)
    if selectable:
        w.setTextInteractionFlags(Qt.TextSelectableByMouse)
    if color:
        w.setStyleSheet(f"color: {color};")
    return w


def bar_over_stack(owner: QWidget, bar: QLayout, *pages: QWidget) -> QStackedWidget:
    """Lay out ``owner`` as a title bar over a stack of ``pages`` (no margins); the stack."""
    stack = QStackedWidget()
    for page in pages:
        stack.addWidget(page)
    lay = QVBoxLayout(owner)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(0)
    lay.addLayout(bar)
    lay.addWidget(stack, 1)
    return stack
