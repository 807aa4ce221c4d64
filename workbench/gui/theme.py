"""Colours and the dark/light themes (Fusion style + palette, remembered in QSettings)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

CATEGORY_COLORS = {
    "Sources": "#2e8b57", "Sinks": "#6b6b6b", "Color": "#c06c84", "Filter": "#4a90d9",
    "Segmentation": "#d98c2b", "Morphology": "#8e6cc0", "Edges": "#3aa6a6", "Geometry": "#5c7cfa",
    "Regions": "#e0a800", "Matching": "#b5523b", "Measurement": "#2f9e44", "Calibration": "#868e96",
    "Codes": "#1c7ed6", "Arithmetic": "#5f3dc4", "Deep Learning": "#d6336c", "Judgment": "#e8590c",
    "Annotation": "#0ca678", "Flow": "#495057",
}

OK_COLOR = "#2fbf71"
NG_COLOR = "#e5484d"
WARN_COLOR = "#f5a524"
STATUS_COLORS = {"ok": OK_COLOR, "cached": "#4a90d9", "failed": NG_COLOR, "skipped": "#8a8f98",
                 "cancelled": "#8a8f98", "running": WARN_COLOR, "cpu": WARN_COLOR}


def category_color(category: str) -> QColor:
    return QColor(CATEGORY_COLORS.get(category, "#607080"))


def _dark() -> QPalette:
    p = QPalette()
    base, window, text = QColor("#1e2126"), QColor("#2a2e35"), QColor("#dfe3e8")
    p.setColor(QPalette.Window, window)
    p.setColor(QPalette.WindowText, text)
    p.setColor(QPalette.Base, base)
    p.setColor(QPalette.AlternateBase, QColor("#262a30"))
    p.setColor(QPalette.ToolTipBase, QColor("#33373e"))
    p.setColor(QPalette.ToolTipText, text)
    p.setColor(QPalette.Text, text)
    p.setColor(QPalette.Button, window)
    p.setColor(QPalette.ButtonText, text)
    p.setColor(QPalette.BrightText, QColor("#ff6b6b"))
    p.setColor(QPalette.Link, QColor("#5aa9ff"))
    p.setColor(QPalette.Highlight, QColor("#3d7bd9"))
    p.setColor(QPalette.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.PlaceholderText, QColor("#8a8f98"))
    for role in (QPalette.Text, QPalette.ButtonText, QPalette.WindowText):
        p.setColor(QPalette.Disabled, role, QColor("#6c717a"))
    return p


THEMES = ("dark", "light")


def apply_theme(name: str) -> str:
    """Apply "dark" or "light" to the running QApplication; returns the theme applied."""
    app = QApplication.instance()
    name = name if name in THEMES else "dark"
    app.setStyle("Fusion")
    app.setPalette(_dark() if name == "dark" else app.style().standardPalette())
    app.setProperty("workbench_theme", name)
    return name


def is_dark() -> bool:
    app = QApplication.instance()
    return app is not None and app.property("workbench_theme") != "light"


def canvas_colors() -> dict[str, QColor]:
    """Colours the node canvas draws with, for the current theme."""
    if is_dark():
        return {"background": QColor("#1b1d21"), "grid": QColor("#25282d"), "grid_major": QColor("#2f333a"),
                "node": QColor("#2d3138"), "node_border": QColor("#0f1113"), "text": QColor("#e6e9ee"),
                "subtext": QColor("#9aa0a8"), "selected": QColor("#ffb020")}
    return {"background": QColor("#f3f4f6"), "grid": QColor("#e6e8eb"), "grid_major": QColor("#d5d8dd"),
            "node": QColor("#ffffff"), "node_border": QColor("#9aa0a8"), "text": QColor("#1d2126"),
            "subtext": QColor("#5c6370"), "selected": QColor("#e07b00")}
