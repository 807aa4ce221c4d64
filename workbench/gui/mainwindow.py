"""The engineering window: palette, canvas, inspector, viewer, plots, problems — all docks.

Every edit goes through the :class:`Document` (undoable); every change that can alter a result
asks the :class:`RunController` for a run (live tuning), which runs a snapshot of the pipeline in
its worker thread and hands back the result; the views are refreshed from that result.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QHBoxLayout, QLabel, QMainWindow,
                               QMessageBox, QPlainTextEdit, QProgressBar, QPushButton, QStackedWidget,
                               QTabWidget, QToolBar, QToolButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)

from workbench.core.engine import (CACHED, FAILED, OK, NodeFailed, NodeFinished, NodeStarted, RunResult)
from workbench.core.errors import PipelineError, WorkbenchError
from workbench.core.graph import ParamChanged, Pipeline
from workbench.core.i18n import LANGUAGES
from workbench.core.paths import pipelines_dir, user_data_dir
from workbench.core.pipeline_file import dumps_pipeline, loads_pipeline, validate
from workbench.core.types import VerdictResult
from workbench.gui import theme
from workbench.gui.canvas import Canvas
from workbench.gui.display import node_for_file, view_content
from workbench.gui.document import Document, DocumentReset, NodesMoved
from workbench.gui.i18n import current_language, set_language, t
from workbench.gui.inspector import Inspector
from workbench.gui.palette import NodePalette
from workbench.gui.plots import HistogramPlot, TimingPlot, TrendPlot
from workbench.gui.runner import FolderRun, RunController
from workbench.gui.viewer import CompareViewer, ImageViewer

MAX_RECENT = 10
AUTOSAVE_MS = 30_000


def autosave_dir() -> Path:
    return user_data_dir() / "autosave"


def autosave_path(doc_path: Path | None) -> Path:
    key = hashlib.blake2b(str(doc_path or "untitled").encode(), digest_size=6).hexdigest()
    stem = doc_path.stem if doc_path else "untitled"
    return autosave_dir() / f"{stem}-{key}.json"


def pending_recoveries() -> list[Path]:
    folder = autosave_dir()
    return sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.is_dir() else []


def device_summary() -> str:
    """What inference will run on, before any model has run: "GPU (CUDA) available" or "CPU — why"."""
    try:
        import onnxruntime as ort

        from workbench.inference.gpu import diagnose_cuda, force_cpu
    except Exception as exc:  # noqa: BLE001 - a broken onnxruntime install is shown, not raised
        return f"CPU — onnxruntime unavailable ({exc})"
    if force_cpu():
        return "CPU — forced by WORKBENCH_FORCE_CPU"
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        return "CPU — this build has no GPU support"
    why = diagnose_cuda()
    return f"CPU — {why}" if why else "GPU (CUDA) available"


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
        self.stack = QStackedWidget()
        self.stack.addWidget(self.viewer)
        self.stack.addWidget(self.compare)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(bar)
        lay.addWidget(self.stack, 1)
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

    def set_problems(self, validation: list[tuple[str, str]], failures: list[tuple[str, str]],
                     notes: list[tuple[str, str]]) -> None:
        self.tree.clear()
        for kind, rows, color in ((t("Problem"), validation, theme.WARN_COLOR), (t("Error"), failures, theme.NG_COLOR),
                                  (t("Note"), notes, "#4a90d9")):
            for node_id, msg in rows:
                item = QTreeWidgetItem([kind, node_id, msg])
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


class MainWindow(QMainWindow):
    ran = Signal()  # a run's result has been shown

    def __init__(self, *, recover: bool = True) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.doc = Document()
        self.runner = RunController(self)
        self.live = True
        self.result: RunResult | None = None
        self.result_pipeline: Pipeline | None = None
        self.folder_run: FolderRun | None = None
        self._dirty_extra = False  # edits inside an opened macro (their own undo stack)
        self._run_queued = False
        self._macro_docs: dict[int, Document] = {}
        self._edit_time: float | None = None
        self._running: str | None = None  # the node the engine is running now (for the delayed badge)
        self._pinned: str | None = None  # the node the viewer keeps showing
        self._plots_stale = False
        self._trend_chosen = False
        self._folder_counts: dict[str, int] = {}
        self._operator = None
        self.last_edit_latency_ms: float | None = None

        # -- central: canvas tabs -------------------------------------------------------
        self.canvas = Canvas(self.doc)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.addTab(self.canvas, "")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.setCentralWidget(self.tabs)

        # -- docks ----------------------------------------------------------------------
        self.palette = NodePalette(self.doc.registry)
        self.inspector = Inspector(self.doc)
        self.viewer_panel = ViewerPanel()
        self.viewer = self.viewer_panel.viewer
        self.histogram = HistogramPlot()
        self.timing = TimingPlot()
        self.trend = TrendPlot()
        self.plots = QTabWidget()
        self.plots.addTab(self.histogram, "")
        self.plots.addTab(self.timing, "")
        self.plots.addTab(self.trend, "")
        self.problems = ProblemsPanel()
        self.log = QPlainTextEdit(readOnly=True)
        self.log.setMaximumBlockCount(2000)
        self.dock_palette = self._dock("palette", self.palette, Qt.LeftDockWidgetArea)
        self.dock_viewer = self._dock("viewer", self.viewer_panel, Qt.RightDockWidgetArea)
        self.dock_inspector = self._dock("inspector", self.inspector, Qt.RightDockWidgetArea)
        self.dock_plots = self._dock("plots", self.plots, Qt.BottomDockWidgetArea)
        self.dock_problems = self._dock("problems", self.problems, Qt.BottomDockWidgetArea)
        self.dock_log = self._dock("log", self.log, Qt.BottomDockWidgetArea)
        self.splitDockWidget(self.dock_viewer, self.dock_inspector, Qt.Vertical)
        self.tabifyDockWidget(self.dock_problems, self.dock_log)
        self.dock_problems.raise_()
        self.resizeDocks([self.dock_palette, self.dock_viewer], [230, 620], Qt.Horizontal)
        self.resizeDocks([self.dock_viewer, self.dock_inspector], [520, 300], Qt.Vertical)
        self.resizeDocks([self.dock_plots], [270], Qt.Vertical)

        # -- status bar -------------------------------------------------------------------
        self.device_label = QLabel(device_summary())
        self.time_label = QLabel()
        self.verdict_label = QLabel()
        self.verdict_label.setMinimumWidth(44)
        self.verdict_label.setAlignment(Qt.AlignCenter)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setVisible(False)
        self.cancel_btn = QPushButton()
        self.cancel_btn.setVisible(False)
        self.cancel_btn.clicked.connect(self.cancel_run)
        sb = self.statusBar()
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_btn)
        sb.addPermanentWidget(self.time_label)
        sb.addPermanentWidget(self.device_label)
        sb.addPermanentWidget(self.verdict_label)

        self._build_actions()
        self._connect()
        self._plots_timer = QTimer(self, interval=200, singleShot=True, timeout=self._refresh_plots)
        self.autosave_timer = QTimer(self, interval=AUTOSAVE_MS, timeout=self.autosave)
        self.autosave_timer.start()
        self.retranslate()
        self._restore_settings()
        self._recover_offered = not recover

    # ================================================================== construction
    def _dock(self, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _act(self, name: str, slot, shortcut=None, checkable: bool = False) -> QAction:
        act = QAction(self)
        act.setObjectName(name)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.a_new = self._act("new", self.new_file, K.New)
        self.a_open = self._act("open", self.open_dialog, K.Open)
        self.a_save = self._act("save", self.save, K.Save)
        self.a_save_as = self._act("save_as", self.save_as, K.SaveAs)
        self.a_quit = self._act("quit", self.close, K.Quit)
        self.a_undo = self.doc.undo.createUndoAction(self)
        self.a_undo.setShortcut(K.Undo)
        self.a_redo = self.doc.undo.createRedoAction(self)
        self.a_redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence(K.Redo)])
        self.a_copy = self._act("copy", lambda: self.canvas.copy(), K.Copy)
        self.a_paste = self._act("paste", lambda: self.canvas.paste(), K.Paste)
        self.a_dup = self._act("duplicate", lambda: self.canvas.duplicate(), "Ctrl+D")
        self.a_delete = self._act("delete", lambda: self.canvas.delete_selected(), K.Delete)
        self.a_group = self._act("group", self.group_selected, "Ctrl+G")
        self.a_fit = self._act("fit", self.fit_all, "Space")
        self.a_fit.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.canvas.addAction(self.a_fit)
        self.a_run = self._act("run", self.run_once, "F5")
        self.a_live = self._act("live", self.set_live, None, checkable=True)
        self.a_live.setChecked(True)
        self.a_folder = self._act("folder", self.run_folder_dialog, "Ctrl+F5")
        self.a_cancel = self._act("cancel", self.cancel_run, "Esc")
        self.a_operator = self._act("operator", self.open_operator, "Ctrl+Shift+O")
        self.a_replay = self._act("replay", self.replay_dialog)
        self.a_teach = self._act("teach", self.open_teach)
        self.a_search = self._act("search", self._focus_search, K.Find)
        self.a_reset_layout = self._act("reset_layout", self.reset_layout)
        self.a_about = self._act("about", self.about)

        mb = self.menuBar()
        self.m_file = mb.addMenu("")
        self.m_recent = self.m_file.addMenu("")
        self.m_examples = self.m_file.addMenu("")
        for a in (self.a_new, self.a_open):
            self.m_file.insertAction(self.m_recent.menuAction(), a)
        self.m_file.addSeparator()
        self.m_file.addActions([self.a_save, self.a_save_as])
        self.m_file.addSeparator()
        self.m_file.addAction(self.a_quit)
        for path in sorted(pipelines_dir().glob("*.json")):
            act = self.m_examples.addAction(path.stem.replace("_", " "))
            act.triggered.connect(lambda _=False, p=path: self.open(p))
        self.m_edit = mb.addMenu("")
        self.m_edit.addActions([self.a_undo, self.a_redo])
        self.m_edit.addSeparator()
        self.m_edit.addActions([self.a_copy, self.a_paste, self.a_dup, self.a_delete])
        self.m_edit.addSeparator()
        self.m_edit.addActions([self.a_group, self.a_search])
        self.m_view = mb.addMenu("")
        self.m_view.addAction(self.a_fit)
        self.m_view.addSeparator()
        for d in (self.dock_palette, self.dock_viewer, self.dock_inspector, self.dock_plots, self.dock_problems,
                  self.dock_log):
            self.m_view.addAction(d.toggleViewAction())
        self.m_view.addSeparator()
        self.m_theme = self.m_view.addMenu("")
        self.theme_group = QActionGroup(self)
        self.theme_actions = {}
        for name in theme.THEMES:
            act = self.m_theme.addAction("")
            act.setCheckable(True)
            act.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            self.theme_group.addAction(act)
            self.theme_actions[name] = act
        self.m_lang = self.m_view.addMenu("")
        self.lang_group = QActionGroup(self)
        self.lang_actions = {}
        for code, label in LANGUAGES.items():
            act = self.m_lang.addAction(label)
            act.setCheckable(True)
            act.triggered.connect(lambda _=False, c=code: self.set_language(c))
            self.lang_group.addAction(act)
            self.lang_actions[code] = act
        self.m_view.addAction(self.a_reset_layout)
        self.m_run = mb.addMenu("")
        self.m_run.addActions([self.a_run, self.a_live, self.a_folder, self.a_cancel])
        self.m_run.addSeparator()
        self.m_device = self.m_run.addMenu("")
        self.device_group = QActionGroup(self)
        self.device_actions = {}
        for name in ("AUTO", "CPU", "GPU"):
            act = self.m_device.addAction("")
            act.setCheckable(True)
            act.triggered.connect(lambda _=False, n=name: self.set_device(n))
            self.device_group.addAction(act)
            self.device_actions[name] = act
        self.device_actions["AUTO"].setChecked(True)
        self.m_run.addSeparator()
        self.m_run.addActions([self.a_replay, self.a_operator, self.a_teach])
        self.m_help = mb.addMenu("")
        self.m_help.addAction(self.a_about)

        tb = QToolBar(self)
        tb.setObjectName("toolbar_main")
        tb.setMovable(False)
        tb.addActions([self.a_new, self.a_open, self.a_save])
        tb.addSeparator()
        tb.addActions([self.a_undo, self.a_redo])
        tb.addSeparator()
        tb.addActions([self.a_run, self.a_live, self.a_folder])
        tb.addSeparator()
        tb.addAction(self.a_operator)
        self.addToolBar(tb)
        self.toolbar = tb

    def _connect(self) -> None:
        self.doc.changed.connect(self._doc_changed)
        self.doc.modifiedChanged.connect(lambda _m: self._update_title())
        self.doc.pathChanged.connect(lambda _p: self._update_title())
        self.canvas.selectionChangedIds.connect(self._selection_changed)
        self.canvas.nodeActivated.connect(self._node_activated)
        self.canvas.message.connect(self.show_message)
        self.inspector.message.connect(self.show_message)
        self.inspector.roiChanged.connect(self._roi_changed)
        self.viewer.roiEdited.connect(self.inspector.set_roi_from_viewer)
        self.palette.nodeRequested.connect(self._add_from_palette)
        self.problems.nodeClicked.connect(self._focus_node)
        self.runner.event.connect(self._engine_event)
        self.runner.finished.connect(self._run_finished)
        self.runner.failed.connect(self._run_failed)
        self.viewer_panel.compare_btn.toggled.connect(lambda _on: self._show_selected())
        self.viewer_panel.pin.toggled.connect(self._pin_toggled)
        self.plots.currentChanged.connect(lambda _i: (setattr(self, "_plots_stale", True), self._refresh_plots()))
        self.dock_plots.visibilityChanged.connect(lambda _v: (setattr(self, "_plots_stale", True),
                                                              self._refresh_plots()))

    # ================================================================== texts
    def retranslate(self) -> None:
        names = {"new": t("&New"), "open": t("&Open…"), "save": t("&Save"), "save_as": t("Save &As…"), "quit": t("&Quit"),
                 "copy": t("&Copy"), "paste": t("&Paste"), "duplicate": t("D&uplicate"), "delete": t("&Delete"),
                 "group": t("&Group into Macro"), "fit": t("&Fit Graph"), "run": t("&Run"), "live": t("&Live Tuning"),
                 "folder": t("Run over &Folder…"), "cancel": t("&Cancel Run"), "operator": t("&Operator Mode…"),
                 "replay": t("Re&play on Past Inspections…"), "teach": t("&Teach by Example…"),
                 "search": t("Find &Node"), "reset_layout": t("Reset &Layout"), "about": t("&About Vision Workbench")}
        for act in self.actions():
            if act.objectName() in names:
                act.setText(names[act.objectName()])
        self.a_undo.setText(t("&Undo"))
        self.a_redo.setText(t("&Redo"))
        self.a_live.setToolTip(t("Re-run the changed part of the pipeline after every edit"))
        self.m_file.setTitle(t("&File"))
        self.m_recent.setTitle(t("Open &Recent"))
        self.m_examples.setTitle(t("&Examples"))
        self.m_edit.setTitle(t("&Edit"))
        self.m_view.setTitle(t("&View"))
        self.m_theme.setTitle(t("&Theme"))
        self.theme_actions["dark"].setText(t("Dark"))
        self.theme_actions["light"].setText(t("Light"))
        self.m_lang.setTitle(t("&Language"))
        self.m_run.setTitle(t("&Run"))
        self.m_device.setTitle(t("Inference &Device"))
        self.device_actions["AUTO"].setText(t("Automatic (GPU when it works)"))
        self.device_actions["CPU"].setText(t("CPU"))
        self.device_actions["GPU"].setText(t("GPU"))
        self.m_help.setTitle(t("&Help"))
        for dock, title in ((self.dock_palette, t("Nodes")), (self.dock_viewer, t("Viewer")),
                            (self.dock_inspector, t("Inspector")), (self.dock_plots, t("Plots")),
                            (self.dock_problems, t("Problems")), (self.dock_log, t("Log"))):
            dock.setWindowTitle(title)
        self.plots.setTabText(0, t("Histogram"))
        self.plots.setTabText(1, t("Node Times"))
        self.plots.setTabText(2, t("Trends"))
        self.tabs.setTabText(0, t("Pipeline"))
        self.cancel_btn.setText(t("Cancel"))
        self.toolbar.setWindowTitle(t("Main toolbar"))
        for w in (self.canvas, self.inspector, self.palette, self.viewer_panel, self.problems, self.viewer,
                  self.viewer_panel.compare, self.histogram, self.timing, self.trend):
            w.retranslate()
        if self.result is not None:
            self._show_run_time(self.result)
        self._update_title()
        self._update_recent_menu()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == QEvent.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def set_language(self, lang: str) -> None:
        if set_language(lang, save=True):
            self.lang_actions[lang].setChecked(True)
            self.retranslate()  # LanguageChange also arrives, but node strings need it now

    def set_theme(self, name: str) -> None:
        name = theme.apply_theme(name)
        QSettings().setValue("ui/theme", name)
        self.theme_actions[name].setChecked(True)
        self.canvas.apply_theme()
        from workbench.gui.plots import _style

        for plot in (self.histogram, self.timing, self.trend):
            _style(plot)
        for w in (self.palette.tree, self.inspector):  # widgets with a style sheet keep their old palette
            w.setStyleSheet(w.styleSheet())
        self.inspector.retranslate()

    def set_device(self, name: str) -> None:
        from workbench.inference.sessions import SESSIONS, Device, set_default_device

        set_default_device(None if name == "AUTO" else Device[name])
        QSettings().setValue("run/device", name)
        self.device_actions[name].setChecked(True)
        SESSIONS.clear()
        self.runner.engine.clear_cache()
        self.request_run()

    # ================================================================== settings
    def _restore_settings(self) -> None:
        s = QSettings()
        geo = s.value("ui/geometry")
        if isinstance(geo, QByteArray) and not geo.isEmpty():
            self.restoreGeometry(geo)
        else:
            self.resize(1600, 960)
        state = s.value("ui/state")
        self._default_state = self.saveState()
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        name = str(s.value("ui/theme", "dark"))
        self.theme_actions.get(name, self.theme_actions["dark"]).setChecked(True)
        self.lang_actions.get(current_language(), self.lang_actions["en"]).setChecked(True)
        dev = str(s.value("run/device", "AUTO"))
        if dev in self.device_actions and dev != "AUTO":
            self.set_device(dev)

    def _save_settings(self) -> None:
        s = QSettings()
        s.setValue("ui/geometry", self.saveGeometry())
        s.setValue("ui/state", self.saveState())

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for d in (self.dock_palette, self.dock_viewer, self.dock_inspector, self.dock_plots, self.dock_problems,
                  self.dock_log):
            d.show()

    # ================================================================== files
    def _update_title(self) -> None:
        mark = "*" if self.modified else ""
        name = self.doc.pipeline.meta.get("name")
        label = f"{name} ({self.doc.title})" if name else self.doc.title
        self.setWindowTitle(f"{mark}{label} — Vision Workbench")

    @property
    def modified(self) -> bool:
        return self.doc.modified or self._dirty_extra

    def recent_files(self) -> list[str]:
        raw = QSettings().value("files/recent", [])
        items = [raw] if isinstance(raw, str) else list(raw or [])
        return [p for p in items if isinstance(p, str)]

    def _add_recent(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        QSettings().setValue("files/recent", items[:MAX_RECENT])
        self._update_recent_menu()

    def _update_recent_menu(self) -> None:
        self.m_recent.clear()
        items = self.recent_files()
        for p in items:
            act = self.m_recent.addAction(p)
            act.triggered.connect(lambda _=False, path=p: self.open(Path(path)))
        self.m_recent.setEnabled(bool(items))

    def ask_save_changes(self) -> str:
        """"save" | "discard" | "cancel" (tests replace this)."""
        box = QMessageBox(QMessageBox.Warning, t("Unsaved changes"),
                          t("The pipeline has unsaved changes. Save them?"),
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        answer = box.exec()
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current pipeline."""
        if not self.modified:
            return True
        answer = self.ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_file(self) -> None:
        if not self.maybe_save():
            return
        self._discard_autosave()
        self._close_macro_tabs()
        self.doc.new()
        self._dirty_extra = False
        self.runner.reset()
        self._clear_results()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.doc.path.parent) if self.doc.path else str(pipelines_dir())
        name, _ = QFileDialog.getOpenFileName(self, t("Open pipeline"), start, t("Pipelines (*.json)"))
        if name:
            self.open(Path(name), ask=False)

    def open(self, path: Path, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        try:
            self.doc.open(path)
        except (WorkbenchError, OSError) as exc:
            msg = str(exc).splitlines()[0] if not isinstance(exc, PipelineError) else \
                "; ".join(str(p) for p in exc.problems[:3])
            self.show_message(t("Cannot open") + f" {Path(path).name}: {msg}", error=True)
            return False
        self._discard_autosave()
        self._close_macro_tabs()
        self._dirty_extra = False
        self._add_recent(self.doc.path)
        self.runner.reset()
        self._clear_results()
        self.canvas.fit()
        QTimer.singleShot(0, self.canvas.fit)  # again once the window has its final layout
        self.request_run()
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._save_to(self.doc.path)

    def save_as(self) -> bool:
        start = str(self.doc.path or Path.home() / "pipeline.json")
        name, _ = QFileDialog.getSaveFileName(self, t("Save pipeline"), start, t("Pipelines (*.json)"))
        if not name:
            return False
        if not name.endswith(".json"):
            name += ".json"
        return self._save_to(Path(name))

    def _save_to(self, path: Path) -> bool:
        old_auto = autosave_path(self.doc.path)
        try:
            self.doc.save(path)
        except (WorkbenchError, OSError) as exc:
            self.show_message(t("Cannot save") + f" {path.name}: {exc}", error=True)
            return False
        self._dirty_extra = False
        old_auto.unlink(missing_ok=True)
        self._discard_autosave()
        self._add_recent(self.doc.path)
        self._update_title()
        self.show_message(t("Saved") + f" {self.doc.path}")
        return True

    # -- autosave and crash recovery ---------------------------------------------------
    def autosave(self) -> Path | None:
        """Write the unsaved pipeline beside the user data (never over the real file)."""
        if not self.modified:
            return None
        target = autosave_path(self.doc.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(dumps_pipeline(self.doc.pipeline))
        data.setdefault("meta", {})["autosave_of"] = str(self.doc.path or "")
        data["meta"]["autosave_base_dir"] = str(self.doc.pipeline.base_dir)
        from workbench.core.fileio import atomic_write_text

        atomic_write_text(target, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        return target

    def _discard_autosave(self) -> None:
        autosave_path(self.doc.path).unlink(missing_ok=True)

    def ask_recover(self, files: list[Path]) -> bool:
        """Ask whether to restore the newest autosave (tests replace this)."""
        names = "\n".join(p.name for p in files[:5])
        return QMessageBox.question(
            self, t("Recover unsaved work"),
            t("Vision Workbench did not close normally. Restore the unsaved pipeline?") + "\n\n" + names,
            QMessageBox.Yes | QMessageBox.No) == QMessageBox.Yes

    def offer_recovery(self) -> bool:
        """At start: when autosave files exist, offer the newest; True when one was restored."""
        self._recover_offered = True
        files = pending_recoveries()
        if not files:
            return False
        if not self.ask_recover(files):
            for f in files:
                f.unlink(missing_ok=True)
            return False
        newest = files[0]
        try:
            data = json.loads(newest.read_text(encoding="utf-8"))
            meta = data.get("meta", {})
            orig = meta.pop("autosave_of", "") or None
            base = meta.pop("autosave_base_dir", "") or None
            pipe = loads_pipeline(json.dumps(data), self.doc.registry,
                                  base_dir=Path(base) if base else None, allow_incomplete=True)
        except (WorkbenchError, OSError, ValueError) as exc:
            self.show_message(t("Cannot recover") + f" {newest.name}: {exc}", error=True)
            return False
        self._close_macro_tabs()
        self.doc.set_pipeline(pipe, Path(orig) if orig else None)
        for f in files:
            f.unlink(missing_ok=True)
        self._dirty_extra = True  # recovered work is unsaved until the user saves it
        self._update_title()
        self.runner.reset()
        self._clear_results()
        self.request_run()
        self.show_message(t("Recovered unsaved work from") + f" {newest.name}")
        return True

    def closeEvent(self, event) -> None:  # noqa: N802
        if not self.maybe_save():
            event.ignore()
            return
        self._discard_autosave()
        self._save_settings()
        if self.folder_run is not None:
            self.folder_run.cancel()
        self.runner.shutdown()
        event.accept()

    # -- drops ---------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        self.drop_files(paths)
        event.acceptProposedAction()

    def drop_files(self, paths: list[Path]) -> list[str]:
        """Add the node each file means (image, folder, video, ONNX model) or open a pipeline."""
        added = []
        for p in paths:
            try:
                type_id, params = node_for_file(p)
            except WorkbenchError as exc:
                self.show_message(str(exc), error=True)
                continue
            if not type_id:
                self.open(Path(params["open"]))
                return []
            added.append(self.canvas.add_node(type_id))
            for name, value in params.items():
                self.doc.set_param(added[-1], name, value)
        if added:
            self.canvas.select(added)
        return added

    # ================================================================== editing
    def _add_from_palette(self, type_id: str) -> None:
        nid = self.canvas.add_node(type_id)
        self.canvas.select([nid])

    def group_selected(self) -> None:
        self.canvas.group_selected()

    def fit_all(self) -> None:
        if self.tabs.currentWidget() is self.canvas or self.canvas.hasFocus():
            self.canvas.fit()
        else:
            w = self.tabs.currentWidget()
            if hasattr(w, "fit"):
                w.fit()

    def _focus_search(self) -> None:
        self.dock_palette.show()
        self.dock_palette.raise_()
        box = getattr(self.palette, "search", None)
        if box is not None:
            box.setFocus()
            box.selectAll()

    def _focus_node(self, node_id: str) -> None:
        if node_id in self.doc.pipeline.nodes:
            self.tabs.setCurrentIndex(0)
            self.canvas.select([node_id])
            self.canvas.center_on(node_id)

    def _node_activated(self, node_id: str) -> None:
        inst = self.doc.pipeline.nodes.get(node_id)
        if inst is not None and inst.graph is not None:
            self.open_macro(node_id)
        else:
            self.dock_inspector.show()
            self.dock_inspector.raise_()

    def open_macro(self, node_id: str) -> Canvas:
        """Show a macro's inner graph in a tab; edits there re-run the outer pipeline."""
        inst = self.doc.pipeline.nodes[node_id]
        for i in range(1, self.tabs.count()):
            w = self.tabs.widget(i)
            if getattr(w, "macro_id", None) == node_id:
                self.tabs.setCurrentIndex(i)
                return w
        inner = Document(inst.graph, registry=self.doc.registry)
        canvas = Canvas(inner)
        canvas.macro_id = node_id
        self._macro_docs[id(canvas)] = inner
        inner.changed.connect(lambda ev, nid=node_id: self._macro_changed(nid, ev))
        canvas.message.connect(self.show_message)
        title = inst.params.get("title") or node_id
        self.tabs.addTab(canvas, f"{t('Macro')}: {title}")
        self.tabs.setCurrentWidget(canvas)
        canvas.fit()
        return canvas

    def _macro_changed(self, node_id: str, event: object) -> None:
        inst = self.doc.pipeline.nodes.get(node_id)
        if inst is None:
            return
        inst._digest = None
        self.doc.pipeline.revision += 1
        self.canvas.refresh_node(node_id)  # its ports follow the inner graph inputs/outputs
        if not isinstance(event, NodesMoved):
            self._dirty_extra = True
            self._update_title()
            self.request_run()
        else:
            self._dirty_extra = True
            self._update_title()

    def _close_tab(self, index: int) -> None:
        if index == 0:
            return
        w = self.tabs.widget(index)
        self._macro_docs.pop(id(w), None)
        self.tabs.removeTab(index)
        w.deleteLater()

    def _close_macro_tabs(self) -> None:
        while self.tabs.count() > 1:
            self._close_tab(self.tabs.count() - 1)

    def _doc_changed(self, event: object) -> None:
        if isinstance(event, DocumentReset):
            self.inspector.set_node(None)
            self._update_title()
        if isinstance(event, NodesMoved):
            return
        if isinstance(event, ParamChanged):
            self._edit_time = time.perf_counter()
        self._validate()
        self.request_run()

    # ================================================================== running
    def set_live(self, on: bool) -> None:
        self.live = bool(on)
        self.a_live.setChecked(self.live)
        if self.live:
            self.request_run()

    def request_run(self, force: bool = False) -> None:
        """Ask for a run after the current event is handled (coalesces bursts of edits)."""
        if not (self.live or force) or self._run_queued:
            return
        self._run_queued = True
        QTimer.singleShot(0, self._start_run)

    def _start_run(self) -> None:
        self._run_queued = False
        if not self.doc.pipeline.nodes:
            self._clear_results()
            return
        self.runner.request(self.doc.pipeline)

    def run_once(self) -> None:
        self._run_queued = True
        QTimer.singleShot(0, self._start_run)

    def cancel_run(self) -> None:
        if self.folder_run is not None and self.folder_run.running:
            self.folder_run.cancel()
        self.runner.cancel()

    RUNNING_BADGE_DELAY_MS = 150

    def _engine_event(self, ev: object) -> None:
        """A node that is still running after a moment gets the "running" badge (quick runs do not
        repaint the canvas twice per node)."""
        if isinstance(ev, NodeStarted):
            self._running = ev.node_id
            QTimer.singleShot(self.RUNNING_BADGE_DELAY_MS, lambda nid=ev.node_id: self._show_running(nid))
        elif isinstance(ev, (NodeFinished, NodeFailed)):
            self._running = None

    def _show_running(self, node_id: str) -> None:
        if self._running == node_id and self.runner.busy:
            self.canvas.set_status(node_id, "running")

    def _run_failed(self, message: str) -> None:
        self.show_message(t("Run failed") + f": {message}", error=True)

    def _run_finished(self, result: RunResult, pipe: Pipeline) -> None:
        self.result, self.result_pipeline = result, pipe
        fails, notes = [], []
        device_note = None
        for nid, r in result.nodes.items():
            if nid not in self.doc.pipeline.nodes:
                continue
            self.canvas.set_status(nid, r.status, r.seconds * 1000 if r.status in (OK, CACHED) else None,
                                   "; ".join(r.notes) if r.notes else (r.message if r.status == FAILED else ""))
            if r.status == FAILED:
                fails.append((nid, r.message + (f" (inputs: {r.inputs})" if r.inputs else "")))
                self.log_line(f"{nid}: {r.message}", error=True)
            for note in r.notes:
                notes.append((nid, note))
                if note.startswith("ran on"):
                    device_note = note
        if device_note:
            self.device_label.setText(self._device_text(device_note))
        self._validate(fails, notes)
        self._show_run_time(result)
        self._show_verdict(result)
        self._show_selected()
        if self._edit_time is not None:
            self.last_edit_latency_ms = (time.perf_counter() - self._edit_time) * 1000
            self._edit_time = None
        self.ran.emit()

    def _show_run_time(self, result: RunResult) -> None:
        executed = sum(1 for r in result.nodes.values() if r.status == OK)
        self.time_label.setText(t("Last run") + f": {result.seconds * 1000:.1f} ms ({executed} " + t("ran") + ")")

    @staticmethod
    def _device_text(note: str) -> str:
        if note.startswith("ran on CPU: "):
            return "CPU — " + note[len("ran on CPU: "):]
        return note.replace("ran on ", "")

    def _show_verdict(self, result: RunResult) -> None:
        verdicts = [v for r in result.nodes.values() if r.status in (OK, CACHED)
                    for v in r.outputs.values() if isinstance(v, VerdictResult)]
        if not verdicts:
            self.verdict_label.setText("")
            self.verdict_label.setStyleSheet("")
            return
        ok = all(v.ok for v in verdicts)
        self.verdict_label.setText(" OK " if ok else " NG ")
        self.verdict_label.setStyleSheet(
            f"font-weight:bold;color:white;padding:1px 6px;border-radius:3px;"
            f"background:{theme.OK_COLOR if ok else theme.NG_COLOR}")

    def _validate(self, fails=None, notes=None) -> None:
        problems = []
        for p in validate(self.doc.pipeline):
            nid = p.where[5:] if p.where.startswith("node ") else ""
            problems.append((nid, p.message))
        self.problems.set_problems(problems, fails or [], notes or [])

    def _clear_results(self) -> None:
        self.result = self.result_pipeline = None
        self.canvas.clear_status()
        self.viewer.set_image(None)
        self.viewer.set_overlays([])
        self.histogram.set_image(None)
        self.timing.set_timings([])
        self.verdict_label.setText("")
        self.verdict_label.setStyleSheet("")
        self._validate()

    # ================================================================== viewer
    def _selection_changed(self, ids: list[str]) -> None:
        self.inspector.set_node(ids[0] if len(ids) == 1 else None)
        self._update_run_info()
        self._show_selected()

    def _pin_toggled(self, on: bool) -> None:
        sel = self.canvas.selected_ids()
        self._pinned = sel[0] if on and sel else None
        if on and not sel:
            self.viewer_panel.pin.setChecked(False)
        self._show_selected()

    def shown_node(self) -> str | None:
        pinned = self._pinned
        if pinned and pinned in self.doc.pipeline.nodes:
            return pinned
        sel = self.canvas.selected_ids()
        if len(sel) == 1:
            return sel[0]
        if self.result_pipeline is not None:  # nothing selected: the last node with an image
            from workbench.gui.app import final_node

            return final_node(self.result_pipeline, self.result)
        return None

    def _update_run_info(self) -> None:
        nid = self.inspector.node_id()
        if nid is None or self.result is None or nid not in self.result.nodes:
            return
        r = self.result.nodes[nid]
        self.inspector.set_run_info(r.status, r.seconds * 1000 if r.status in (OK, CACHED) else None, r.notes,
                                    r.message if r.status == FAILED else "")

    def _show_selected(self) -> None:
        if self.result is None or self.result_pipeline is None:
            return
        self._update_run_info()
        compare = self.viewer_panel.compare_btn.isChecked()
        pinned = self._pinned
        sel = self.canvas.selected_ids()
        if compare and pinned and sel and sel[0] != pinned:
            a = view_content(self.result_pipeline, self.result, pinned)
            b = view_content(self.result_pipeline, self.result, sel[0])
            self.viewer_panel.stack.setCurrentWidget(self.viewer_panel.compare)
            self.viewer_panel.compare.set_images(a.image, b.image, a.title, b.title)
            self.viewer_panel.title.setText(f"{a.title}  ⇄  {b.title}")
            return
        self.viewer_panel.stack.setCurrentWidget(self.viewer)
        content = view_content(self.result_pipeline, self.result, self.shown_node())
        self.viewer.set_image(content.image)
        self.viewer.set_overlays(content.overlays)
        self._plots_stale = True
        if not self._plots_timer.isActive():  # plots follow at most 5 times a second, after the viewer
            self._plots_timer.start()
        text = content.title
        if content.status and content.status not in (OK, CACHED):
            text += f"  [{content.status}] {content.message}"
        self.viewer_panel.title.setText(text)

    def _refresh_plots(self) -> None:
        """Histogram and node times are drawn only when they can be seen (they cost a 5 MP pass)."""
        if not self._plots_stale or self.dock_plots.isHidden():
            return
        self._plots_stale = False
        current = self.plots.currentWidget()
        if current is self.histogram:
            self.histogram.set_image(self.viewer.image)
        elif current is self.timing and self.result is not None and self.result_pipeline is not None:
            res, pipe = self.result, self.result_pipeline
            order = [n for n in pipe.topological_order() if n in res.nodes]
            self.timing.set_timings([(n, res.nodes[n].seconds * 1000, res.nodes[n].status) for n in order])
        else:
            self._plots_stale = True

    def _roi_changed(self, node_id: str, name: str, roi) -> None:
        if node_id != self.inspector.node_id():
            return
        rect = None
        if roi is not None and getattr(roi, "shape", "") == "rect":
            x, y, w, h = (int(round(v)) for v in roi.values[:4])
            rect = (x, y, w, h)
        self.viewer.set_roi(name, rect)

    # ================================================================== folder run
    def run_folder_dialog(self) -> None:
        start = str(self.doc.pipeline.base_dir)
        folder = QFileDialog.getExistingDirectory(self, t("Run over folder"), start)
        if folder:
            self.run_folder(Path(folder))

    def run_folder(self, folder: Path) -> FolderRun | None:
        from workbench.gui.display import IMAGE_EXTS

        if self.folder_run is not None and self.folder_run.running:
            self.show_message(t("A folder run is already in progress"), error=True)
            return None
        files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_EXTS) \
            if Path(folder).is_dir() else []
        if not files:
            self.show_message(t("No images in") + f" {folder}", error=True)
            return None
        try:
            run = FolderRun(self.doc.pipeline, files, parent=self)
        except WorkbenchError as exc:
            self.show_message(str(exc), error=True)
            return None
        self.folder_run = run
        self._folder_counts = {"OK": 0, "NG": 0, "error": 0}
        self.trend.clear()
        self.trend.set_shown(None)
        self._trend_chosen = False
        self.progress.setRange(0, len(files))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_btn.setVisible(True)
        run.row.connect(self._folder_row)
        run.finished.connect(self._folder_done)
        run.failed.connect(lambda msg: (self.show_message(t("Folder run failed") + f": {msg}", error=True),
                                        self._folder_done(0, True)))
        self.log_line(t("Folder run") + f": {len(files)} " + t("images in") + f" {folder}")
        run.start()
        return run

    def _folder_row(self, index: int, row, result: RunResult) -> None:
        self.progress.setValue(index + 1)
        key = row.verdict if row.verdict in ("OK", "NG") else ("error" if row.status == "error" else "OK")
        self._folder_counts[key] = self._folder_counts.get(key, 0) + 1
        numeric = {k: float(v) for k, v in row.measurements.items()
                   if isinstance(v, (int, float)) and not isinstance(v, bool)}
        for name, value in numeric.items():
            self.trend.add_point(name, index, value)
        if numeric and not self._trend_chosen:
            # show what the judges judge (other series are one click away in the legend menu)
            judged = {str(i.params.get("measurement")) for i in self.doc.pipeline.nodes.values()
                      if i.type == "cv.judge"}
            pick = [k for k in numeric if k.split(".", 1)[-1] in judged] or [next(iter(numeric))]
            self.trend.set_shown(pick)
            self._trend_chosen = True
        for err in row.errors:
            self.log_line(f"{Path(row.input).name}: {err}", error=True)

    def _folder_done(self, n: int, cancelled: bool) -> None:
        self.progress.setVisible(False)
        self.cancel_btn.setVisible(False)
        c = self._folder_counts
        msg = (t("Folder run cancelled") if cancelled else t("Folder run finished")) + \
            f": {n} " + t("images") + f" — OK {c.get('OK', 0)}, NG {c.get('NG', 0)}, " + t("errors") + \
            f" {c.get('error', 0)}"
        self.show_message(msg)
        self.log_line(msg)
        self.plots.setCurrentWidget(self.trend)
        self.dock_plots.raise_()

    # ================================================================== replay (shadow mode)
    def choose_results_db(self) -> Path | None:
        """Ask for a results database (tests replace this)."""
        from workbench.runtime.results import default_db_path

        start = default_db_path()
        name, _ = QFileDialog.getOpenFileName(self, t("Results database"), str(start),
                                              t("Results databases (*.db *.sqlite);;All files (*)"))
        return Path(name) if name else None

    def replay_dialog(self, db_path: Path | None = None, start: bool = True):
        """Re-run the pipeline being edited over past inspections and show what would change."""
        from workbench.gui.replay_dialog import ReplayDialog
        from workbench.gui.runner import output_dir

        db_path = db_path or self.choose_results_db()
        if db_path is None:
            return None
        try:
            dlg = ReplayDialog(self.doc.pipeline, db_path, output_dir() / "replay", self)
        except WorkbenchError as exc:
            self.show_message(str(exc), error=True)
            return None
        dlg.finished_run.connect(lambda counts: self.log_line(
            t("Replay") + ": " + ", ".join(f"{k} {v}" for k, v in counts.items())))
        dlg.show()
        if start:
            dlg.start()
        return dlg

    def open_teach(self):
        from workbench.gui.teach import open_teach

        return open_teach(self)

    # ================================================================== operator mode
    def choose_operator_source(self) -> str | None:
        """The source spec for operator mode ("" = the pipeline's own images, looped; None = cancel).
        Tests replace this."""
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(
            self, t("Operator mode"),
            t("Source (empty: the pipeline's own images, looped; or camera:0, url:rtsp://…, "
              "video:FILE, folder:DIR):"))
        return text.strip() if ok else None

    def open_operator(self, spec: str | None = None):
        """Switch to the operator screen with (a snapshot of) this pipeline; the main window hides
        until the engineering password brings it back. Results go to the default database."""
        from workbench.gui.operator import OperatorWindow
        from workbench.runtime.batch import default_inputs, pick_source
        from workbench.runtime.results import Archive, ResultsDB, default_db_path
        from workbench.runtime.sources import FileListSource, SourceError, open_source

        problems = validate(self.doc.pipeline)
        if problems:
            self.show_message(t("Fix the pipeline first") + f": {problems[0]}", error=True)
            return None
        spec = self.choose_operator_source() if spec is None else spec
        if spec is None:
            return None
        try:
            if spec:
                source = open_source(spec, loop=True)
            else:
                node = pick_source(self.doc.pipeline)
                inputs = default_inputs(self.doc.pipeline, node)
                if not inputs:
                    raise WorkbenchError(f"source {node.id} has no input set: give a source")
                source = FileListSource(inputs, loop=True)
            try:  # a wrong folder or file is an error now; a camera not there yet is retried on screen
                source.open()
            except SourceError:
                if not source.live:
                    raise
            finally:
                source.close()
            db = ResultsDB(default_db_path())
        except (WorkbenchError, OSError) as exc:
            self.show_message(t("Operator mode") + f": {exc}", error=True)
            return None
        archive = Archive(default_db_path().parent / f"{default_db_path().stem}-images")
        name = self.doc.pipeline.meta.get("name") or (self.doc.path.stem if self.doc.path else "untitled")
        win = OperatorWindow(self.doc.pipeline, source, db=db, archive=archive, pipeline_name=name)
        self._operator = win

        def back() -> None:
            win.close()
            db.close()
            self._operator = None
            self.show()
            self.raise_()
            self.log_line(t("Back from operator mode"))

        win.exitRequested.connect(back)
        self.hide()
        win.show_operator()  # full screen, sized and scaled for the screen (also without a window manager)
        win.start()
        return win

    # ================================================================== messages
    def show_message(self, text: str, error: bool = False) -> None:
        self.statusBar().showMessage(text, 10_000)
        self.log_line(text, error=error)

    def log_line(self, text: str, error: bool = False) -> None:
        stamp = time.strftime("%H:%M:%S")
        self.log.appendPlainText(f"{stamp}  {'✖ ' if error else ''}{text}")

    def about(self) -> None:
        from workbench import __version__

        QMessageBox.about(self, t("About Vision Workbench"),
                          f"Vision Workbench {__version__}\n" + t("Machine vision pipelines, tuned live.") +
                          f"\n\n{self.device_label.text()}")


def main_window_for(path: Path | None, *, recover: bool = True) -> MainWindow:
    win = MainWindow(recover=recover)
    if path is not None:
        win.open(Path(path), ask=False)
    return win

