"""A first window: the pipeline's nodes with status and time, and its final image.

This is the placeholder until the full node-graph editor lands (issue: desktop workbench).
It already runs the real engine in a worker thread and shows what the pipeline produced.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

from workbench.core.engine import CACHED, OK, Engine, RunResult
from workbench.core.errors import WorkbenchError
from workbench.core.graph import Pipeline
from workbench.core.paths import user_data_dir
from workbench.core.pipeline_file import load_pipeline
from workbench.core.spec import NodeContext
from workbench.core.types import IMAGE, MASK, VerdictResult, as_bgr, to_uint8


def _check_display() -> None:
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") \
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise WorkbenchError("no display found (DISPLAY is not set): run it on a desktop, "
                             "or use xvfb-run, or QT_QPA_PLATFORM=offscreen")


def final_image(pipeline: Pipeline, result: RunResult) -> np.ndarray | None:
    """The image the user most wants to see: the last Image/Mask output in execution order."""
    for nid in reversed(pipeline.topological_order()):
        r = result.nodes.get(nid)
        if r is None or r.status not in (OK, CACHED):
            continue
        for port in pipeline.nodes[nid].outputs:
            if port.type in (IMAGE, MASK) and isinstance(r.outputs.get(port.name), np.ndarray):
                return r.outputs[port.name]
    return None


def run_gui(path: Path, screenshot: str | None = None) -> int:
    _check_display()
    from PySide6.QtCore import QObject, QThread, Qt, QTimer, Signal
    from PySide6.QtGui import QAction, QImage, QKeySequence, QPixmap
    from PySide6.QtWidgets import (QApplication, QFileDialog, QLabel, QMainWindow, QMessageBox, QSplitter,
                                   QTreeWidget, QTreeWidgetItem)

    class Worker(QObject):
        finished = Signal(object)
        failed = Signal(str)

        def __init__(self, pipeline: Pipeline, engine: Engine) -> None:
            super().__init__()
            self.pipeline, self.engine = pipeline, engine

        def run(self) -> None:
            try:
                # files that Save nodes write go to the user data folder, never into resources/
                ctx = NodeContext(base_dir=self.pipeline.base_dir, output_dir=user_data_dir() / "output")
                self.finished.emit(self.engine.run(self.pipeline, context=ctx))
            except Exception as exc:  # shown in the status bar, never a crash
                self.failed.emit(f"{type(exc).__name__}: {exc}")

    class MainWindow(QMainWindow):
        ran = Signal()

        def __init__(self) -> None:
            super().__init__()
            self.resize(1200, 760)
            self.pipeline: Pipeline | None = None
            self.engine = Engine()
            self.thread: QThread | None = None
            self.nodes = QTreeWidget()
            self.nodes.setHeaderLabels(["Node", "Type", "Status", "ms"])
            self.nodes.setColumnWidth(0, 90)
            self.nodes.setColumnWidth(1, 130)
            self.nodes.setColumnWidth(2, 70)
            self.image = QLabel("No image")
            self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.image.setMinimumSize(400, 300)
            self.image.setStyleSheet("background:#202124;color:#aaa;")
            split = QSplitter()
            split.addWidget(self.nodes)
            split.addWidget(self.image)
            split.setStretchFactor(1, 1)
            split.setSizes([380, 820])
            self.setCentralWidget(split)
            self.verdict = QLabel()
            self.statusBar().addPermanentWidget(self.verdict)
            menu = self.menuBar().addMenu("&File")
            act = QAction("&Open…", self, shortcut=QKeySequence.StandardKey.Open, triggered=self.open_dialog)
            menu.addAction(act)
            menu.addAction(QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit, triggered=self.close))
            run = self.menuBar().addMenu("&Run")
            run.addAction(QAction("Run &once", self, shortcut="F5", triggered=self.run_once))
            self._pixmap: QPixmap | None = None

        def open_dialog(self) -> None:
            name, _ = QFileDialog.getOpenFileName(self, "Open pipeline", "", "Pipelines (*.json)")
            if name:
                self.open(Path(name))

        def open(self, path: Path) -> bool:
            try:
                self.pipeline = load_pipeline(path)
            except WorkbenchError as exc:
                self.statusBar().showMessage(f"Cannot open: {exc}")
                QMessageBox.warning(self, "Cannot open pipeline", str(exc)) if not screenshot else None
                return False
            self.engine = Engine()
            title = self.pipeline.meta.get("name") or path.stem
            self.setWindowTitle(f"{title} — Vision Workbench")
            self.run_once()
            return True

        def run_once(self) -> None:
            if self.pipeline is None or (self.thread is not None and self.thread.isRunning()):
                return
            self.statusBar().showMessage("Running…")
            self.thread = QThread(self)
            self.worker = Worker(self.pipeline, self.engine)
            self.worker.moveToThread(self.thread)
            self.thread.started.connect(self.worker.run)
            self.worker.finished.connect(self.show_result)
            self.worker.failed.connect(lambda msg: self.statusBar().showMessage(f"Run failed: {msg}"))
            self.worker.finished.connect(self.thread.quit)
            self.worker.failed.connect(self.thread.quit)
            self.thread.start()

        def show_result(self, result: RunResult) -> None:
            assert self.pipeline is not None
            self.nodes.clear()
            for nid in self.pipeline.topological_order():
                r = result.nodes[nid]
                item = QTreeWidgetItem([nid, self.pipeline.nodes[nid].spec.name, r.status,
                                        f"{r.seconds * 1000:.2f}" if r.status in (OK, CACHED) else ""])
                if r.message:
                    item.setToolTip(2, r.error_line if r.status == "failed" else r.message)
                self.nodes.addTopLevelItem(item)
            img = final_image(self.pipeline, result)
            if img is not None:
                rgb = np.ascontiguousarray(as_bgr(to_uint8(img))[:, :, ::-1])
                h, w = rgb.shape[:2]
                qimg = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
                self._pixmap = QPixmap.fromImage(qimg)
                self._fit()
            verdicts = [v for r in result.nodes.values() for v in r.outputs.values() if isinstance(v, VerdictResult)]
            if verdicts:
                ok = all(v.ok for v in verdicts)
                self.verdict.setText(" OK " if ok else " NG ")
                self.verdict.setStyleSheet(f"font-weight:bold;color:white;background:{'#2e7d32' if ok else '#c62828'}")
            errs = result.errors
            self.statusBar().showMessage(
                f"{len(errs)} node(s) failed: {errs[0]}" if errs else f"Ran in {result.seconds * 1000:.1f} ms")
            self.ran.emit()

        def _fit(self) -> None:
            if self._pixmap is not None:
                self.image.setPixmap(self._pixmap.scaled(self.image.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                         Qt.TransformationMode.SmoothTransformation))

        def resizeEvent(self, event) -> None:  # noqa: N802 (Qt naming)
            super().resizeEvent(event)
            self._fit()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Vision Workbench")
    win = MainWindow()
    win.show()
    if screenshot:
        result: dict[str, int] = {"code": 0}

        def grab() -> None:
            win.grab().save(str(screenshot))
            app.quit()

        win.ran.connect(lambda: QTimer.singleShot(200, grab))
        if not win.open(Path(path)):
            raise WorkbenchError(win.statusBar().currentMessage())
        QTimer.singleShot(30_000, lambda: (result.update(code=2), app.quit()))
        app.exec()
        if result["code"]:
            raise WorkbenchError("the pipeline did not finish within 30 s; no screenshot taken")
        return 0
    win.open(Path(path))
    return app.exec()
