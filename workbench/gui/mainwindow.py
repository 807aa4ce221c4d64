"""The engineering window: palette, canvas, inspector, viewer, plots, problems — all docks.

Where its parts live: ``main_actions.py`` (actions, menus and toolbar as tables, which also drive
retranslation), ``main_files.py`` (files, autosave, recovery, drops), ``main_run.py`` (runs and
what is shown of them: badges, status bar, problems, viewer, plots), ``main_launch.py`` (folder
run, replay, operator screen), ``main_panels.py``; this module builds the window and keeps
settings, language, theme, device, editing and macro tabs.

Every edit goes through the :class:`Document` (undoable); every change that can alter a result
asks the :class:`RunController` for a run (live tuning), which runs a snapshot of the pipeline in
its worker thread and hands back the result; the views are refreshed from that result.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMessageBox, QPlainTextEdit, QProgressBar,
                               QPushButton, QTabWidget, QWidget)

from workbench.core.engine import RunResult
from workbench.core.graph import ParamChanged, Pipeline, SubgraphChanged
from workbench.gui import theme
from workbench.gui.canvas import Canvas
from workbench.gui.document import Document, DocumentReset, NodesMoved
from workbench.gui.i18n import current_language, set_language, t
from workbench.gui.inspector import Inspector
from workbench.gui.live_camera import CameraLive
from workbench.gui.main_actions import build_actions, retranslate_actions
from workbench.gui.main_files import (AUTOSAVE_MS, FilesMixin, autosave_dir, autosave_path,  # noqa: F401
                                      pending_recoveries)
from workbench.gui.main_launch import LaunchMixin
from workbench.gui.main_macros import MacroMixin
from workbench.gui.folder_browser import BrowseMixin
from workbench.gui.main_panels import ProblemsPanel, ViewerPanel, device_summary
from workbench.gui.main_run import RunViewMixin
from workbench.gui.palette import NodePalette
from workbench.gui.plots import HistogramPlot, TimingPlot, TrendPlot
from workbench.gui.runner import FolderRun, RunController


class MainWindow(FilesMixin, RunViewMixin, LaunchMixin, MacroMixin, BrowseMixin, QMainWindow):
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
        self._dirty_extra = False  # recovered work: unsaved until saved, though the undo stack is clean
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
        self._build_central()
        self._build_docks()
        self._build_browser()
        self._build_status_bar()
        build_actions(self)
        self.camera = CameraLive(self)  # Live Camera / Grab Frame (gui/live_camera.py)
        self._connect()
        self._plots_timer = QTimer(self, interval=200, singleShot=True, timeout=self._refresh_plots)
        self.autosave_timer = QTimer(self, interval=AUTOSAVE_MS, timeout=self.autosave)
        self.autosave_timer.start()
        self.retranslate()
        self._restore_settings()
        self._recover_offered = not recover

    # ================================================================== construction
    def _build_central(self) -> None:
        """Canvas tabs: the pipeline, then one tab per opened macro."""
        self.canvas = Canvas(self.doc)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.addTab(self.canvas, "")
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)

    def _build_docks(self) -> None:
        self.palette = NodePalette(self.doc.registry)
        self.inspector = Inspector(self.doc)
        self.viewer_panel = ViewerPanel()
        self.viewer = self.viewer_panel.viewer
        self.histogram = HistogramPlot()
        self.histogram.valuePicked.connect(self._histogram_picked)
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

    def _build_status_bar(self) -> None:
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

    def docks(self) -> list[QDockWidget]:
        return [self.dock_palette, self.dock_viewer, self.dock_inspector, self.dock_plots, self.dock_problems,
                self.dock_log]

    def open_model_tools(self) -> None:
        from workbench.gui.model_panel import open_model_panel

        open_model_panel(self)

    def _dock(self, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(f"dock_{name}")
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable
                         | QDockWidget.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock


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
        self.viewer.roiShapeEdited.connect(self.inspector.set_roi_value)
        self.inspector.drawRoi.connect(self.viewer.draw_roi)
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
        retranslate_actions(self)
        note = getattr(self, "_device_note", None)
        if hasattr(self, "device_label"):
            self.device_label.setText(self._device_text(note) if note else device_summary())
        for dock, title in ((self.dock_palette, t("Nodes")), (self.dock_viewer, t("Viewer")),
                            (self.dock_inspector, t("Inspector")), (self.dock_plots, t("Plots")),
                            (self.dock_problems, t("Problems")), (self.dock_log, t("Log"))):
            dock.setWindowTitle(title)
        self.plots.setTabText(0, t("Histogram"))
        self.plots.setTabText(1, t("Node Times"))
        self.plots.setTabText(2, t("Trends"))
        self.tabs.setTabText(0, t("Pipeline"))
        self.cancel_btn.setText(t("Cancel"))
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
        from workbench.inference.sessions import Device, set_default_device

        # the device is part of the session cache key and of model nodes' cache keys: the next
        # run re-runs (only) the model nodes, on the new device
        set_default_device(None if name == "AUTO" else Device[name])
        QSettings().setValue("run/device", name)
        self.device_actions[name].setChecked(True)
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
        for d in self.docks():
            d.show()


    def closeEvent(self, event) -> None:  # noqa: N802
        if self._operator is not None:  # operator mode runs: only its password leads back (and out)
            event.ignore()
            return
        if not self.maybe_save():
            event.ignore()
            return
        self._discard_autosave()
        self._save_settings()
        if self.folder_run is not None:
            self.folder_run.cancel()
        self.camera.shutdown()
        self.runner.shutdown()
        event.accept()


    # ================================================================== editing
    def _add_from_palette(self, type_id: str) -> None:
        nid = self.canvas.add_node(type_id)
        self.canvas.select([nid])

    def show_node_help(self):
        """F1: the help of the node selected on the canvas (or in a macro tab), else of the node
        library's current entry. Returns the dialog (None when no node is chosen)."""
        from workbench.gui.node_help import NodeHelpDialog
        from workbench.gui.palette import TYPE_ROLE

        w = self.tabs.currentWidget()
        canvas = w if hasattr(w, "selected_ids") else self.canvas
        sel = canvas.selected_ids()
        type_id = canvas.doc.pipeline.nodes[sel[0]].type if len(sel) == 1 else None
        if type_id is None and self.palette.tree.hasFocus() and self.palette.tree.currentItem() is not None:
            type_id = self.palette.tree.currentItem().data(0, TYPE_ROLE)
        spec = self.doc.registry.get(type_id) if type_id else None
        if spec is None:
            self.show_message(t("Select a node, then press F1 for its help"))
            return None
        dlg = getattr(self, "node_help", None)
        if dlg is None or not dlg.isVisible():
            dlg = self.node_help = NodeHelpDialog(spec, self)
        else:
            dlg.show_spec(spec)  # one help window: F1 on another node shows that one
        dlg.show()
        dlg.raise_()
        return dlg

    def auto_layout(self) -> None:
        w = self.tabs.currentWidget()
        (w if hasattr(w, "auto_layout") else self.canvas).auto_layout()

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
        inner = Document(inst.graph, registry=self.doc.registry, undo=self.doc.undo)  # one undo history
        canvas = Canvas(inner)
        canvas.macro_id = node_id
        self._macro_docs[id(canvas)] = inner
        canvas.message.connect(self.show_message)
        self._connect_macro_canvas(canvas)
        title = inst.params.get("title") or node_id
        self.tabs.addTab(canvas, f"{t('Macro')}: {title}")
        self.tabs.setCurrentWidget(canvas)
        canvas.fit()
        return canvas

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
        if isinstance(event, ParamChanged) or (isinstance(event, SubgraphChanged)
                                               and isinstance(event.event, ParamChanged)):
            self._edit_time = time.perf_counter()
        self._validate()
        self.request_run()


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

