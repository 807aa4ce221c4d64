"""The main window's actions, menus and toolbar as data.

:data:`ACTIONS` is the one table of commands: object name (the attribute is ``a_<name>``), the
text (a function, so that it is translated when shown: retranslation walks the same table), the
shortcut, the slot (a MainWindow method, or ``"canvas.<method>"``) and whether it is checkable.
:data:`MENUS` and :data:`TOOLBAR` list action names ("-" is a separator; "@name" is a submenu the
window fills itself: recent files, examples, docks, theme, language, device).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QToolBar

from workbench.core.i18n import LANGUAGES
from workbench.core.paths import pipelines_dir
from workbench.gui import theme
from workbench.gui.i18n import t

K = QKeySequence.StandardKey


@dataclass(frozen=True)
class Action:
    name: str
    text: Callable[[], str]
    shortcut: Any = None
    slot: str = ""
    checkable: bool = False


ACTIONS = (
    Action("new", lambda: t("&New"), K.New, "new_file"),
    Action("open", lambda: t("&Open…"), K.Open, "open_dialog"),
    Action("save", lambda: t("&Save"), K.Save, "save"),
    Action("save_as", lambda: t("Save &As…"), K.SaveAs, "save_as"),
    Action("quit", lambda: t("&Quit"), K.Quit, "close"),
    Action("copy", lambda: t("&Copy"), K.Copy, "canvas.copy"),
    Action("paste", lambda: t("&Paste"), K.Paste, "canvas.paste"),
    Action("dup", lambda: t("D&uplicate"), "Ctrl+D", "canvas.duplicate"),
    Action("delete", lambda: t("&Delete"), K.Delete, "canvas.delete_selected"),
    Action("group", lambda: t("&Group into Macro"), "Ctrl+G", "group_selected"),
    Action("fit", lambda: t("&Fit Graph"), "Space", "fit_all"),
    Action("auto_layout", lambda: t("&Arrange Nodes"), "Ctrl+L", "auto_layout"),
    Action("run", lambda: t("&Run"), "F5", "run_once"),
    Action("live", lambda: t("&Live Tuning"), None, "set_live", checkable=True),
    Action("live_camera", lambda: t("Live &Camera"), "F6", "camera.toggle", checkable=True),
    Action("grab_frame", lambda: t("&Grab Camera Frame"), "F7", "camera.grab"),
    Action("plc", lambda: t("&PLC I/O…"), None, "edit_plc"),
    Action("folder", lambda: t("Run over &Folder…"), "Ctrl+F5", "run_folder_dialog"),
    Action("cancel", lambda: t("&Cancel Run"), "Esc", "cancel_run"),
    Action("operator", lambda: t("&Operator Mode…"), "Ctrl+Shift+O", "open_operator"),
    Action("replay", lambda: t("Re&play on Past Inspections…"), None, "replay_dialog"),
    Action("model_tools", lambda: t("&Model Tools…"), None, "open_model_tools"),
    Action("teach", lambda: t("&Teach by Example…"), None, "open_teach"),
    Action("search", lambda: t("Find &Node"), K.Find, "_focus_search"),
    Action("reset_layout", lambda: t("Reset &Layout"), None, "reset_layout"),
    Action("node_help", lambda: t("&Node Help"), "F1", "show_node_help"),
    Action("about", lambda: t("&About Vision Workbench"), None, "about"),
)
OBJECT_NAMES = {"dup": "duplicate"}  # the action's object name, where it differs from its attribute

MENUS = (  # attribute, title, items
    ("m_file", lambda: t("&File"), ("new", "open", "@recent", "@examples", "-", "save", "save_as", "-", "quit")),
    ("m_edit", lambda: t("&Edit"), ("undo", "redo", "-", "copy", "paste", "dup", "delete", "-", "group", "search")),
    ("m_view", lambda: t("&View"), ("fit", "auto_layout", "-", "@docks", "-", "@theme", "@lang", "reset_layout")),
    ("m_run", lambda: t("&Run"), ("run", "live", "live_camera", "grab_frame", "folder", "cancel", "-", "@device", "-",
                                "plc", "replay", "operator", "model_tools", "teach")),
    ("m_help", lambda: t("&Help"), ("node_help", "-", "about")),
)
SUBMENUS = {"recent": ("m_recent", lambda: t("Open &Recent")), "examples": ("m_examples", lambda: t("&Examples")),
            "theme": ("m_theme", lambda: t("&Theme")), "lang": ("m_lang", lambda: t("&Language")),
            "device": ("m_device", lambda: t("Inference &Device"))}
TOOLBAR = ("new", "open", "save", "-", "undo", "redo", "-", "run", "live", "live_camera", "folder", "-", "operator")
DEVICES = {"AUTO": lambda: t("Automatic (GPU when it works)"), "CPU": lambda: t("CPU"), "GPU": lambda: t("GPU")}
THEME_NAMES = {"dark": lambda: t("Dark"), "light": lambda: t("Light")}


def _slot(win, path: str) -> Callable:
    target, _, name = path.rpartition(".")
    if target:  # resolved when triggered: the canvas of the moment
        return lambda *_: getattr(getattr(win, target), name)()
    return getattr(win, name)


def build_actions(win) -> None:
    """Create every action of :data:`ACTIONS` (``win.a_<name>``), the menus and the toolbar."""
    for a in ACTIONS:
        act = QAction(win)
        act.setObjectName(OBJECT_NAMES.get(a.name, a.name))
        if a.shortcut is not None:
            act.setShortcut(QKeySequence(a.shortcut))
        act.setCheckable(a.checkable)
        act.triggered.connect(_slot(win, a.slot))
        win.addAction(act)
        setattr(win, f"a_{a.name}", act)
    win.a_undo = win.doc.undo.createUndoAction(win)
    win.a_undo.setShortcut(K.Undo)
    win.a_redo = win.doc.undo.createRedoAction(win)
    win.a_redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence(K.Redo)])
    win.a_fit.setShortcutContext(Qt.WidgetWithChildrenShortcut)
    win.canvas.addAction(win.a_fit)
    win.a_live.setChecked(True)
    mb = win.menuBar()
    for attr, _title, items in MENUS:
        menu = mb.addMenu("")
        setattr(win, attr, menu)
        _fill(win, menu, items)
    tb = QToolBar(win)
    tb.setObjectName("toolbar_main")
    tb.setMovable(False)
    for item in TOOLBAR:
        tb.addSeparator() if item == "-" else tb.addAction(getattr(win, f"a_{item}"))
    win.addToolBar(tb)
    win.toolbar = tb


def _fill(win, menu, items) -> None:
    for item in items:
        if item == "-":
            menu.addSeparator()
        elif item == "@docks":
            for d in win.docks():
                menu.addAction(d.toggleViewAction())
        elif item.startswith("@"):
            attr, _title = SUBMENUS[item[1:]]
            sub = menu.addMenu("")
            setattr(win, attr, sub)
            _SUBMENU_FILL.get(item[1:], lambda w, m: None)(win, sub)
        else:
            menu.addAction(getattr(win, f"a_{item}"))


def _choices(win, menu, prefix: str, keys, slot, labels=None) -> None:
    group = QActionGroup(win)
    acts = {}
    for key in keys:
        act = menu.addAction(labels[key] if labels else "")
        act.setCheckable(True)
        act.triggered.connect(lambda _=False, k=key: slot(k))
        group.addAction(act)
        acts[key] = act
    setattr(win, f"{prefix}_group", group)
    setattr(win, f"{prefix}_actions", acts)


def _examples(win, menu) -> None:
    for path in sorted(pipelines_dir().glob("*.json")):
        act = menu.addAction(path.stem.replace("_", " "))
        act.triggered.connect(lambda _=False, p=path: win.open(p))


_SUBMENU_FILL = {
    "examples": _examples,
    "theme": lambda win, m: _choices(win, m, "theme", theme.THEMES, win.set_theme),
    "lang": lambda win, m: _choices(win, m, "lang", LANGUAGES, win.set_language, LANGUAGES),
    "device": lambda win, m: (_choices(win, m, "device", DEVICES, win.set_device),
                              win.device_actions["AUTO"].setChecked(True)),
}


def retranslate_actions(win) -> None:
    """Every text of the tables above, in the current language."""
    for a in ACTIONS:
        getattr(win, f"a_{a.name}").setText(a.text())
    win.a_undo.setText(t("&Undo"))
    win.a_redo.setText(t("&Redo"))
    win.a_live.setToolTip(t("Re-run the changed part of the pipeline after every edit"))
    for attr, title, _items in MENUS:
        getattr(win, attr).setTitle(title())
    for attr, title in SUBMENUS.values():
        getattr(win, attr).setTitle(title())
    for name, text in THEME_NAMES.items():
        win.theme_actions[name].setText(text())
    for name, text in DEVICES.items():
        win.device_actions[name].setText(text())
    win.toolbar.setWindowTitle(t("Main toolbar"))
