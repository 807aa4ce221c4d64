"""The Model panel: what a model is and how the app runs it, how fast it runs here, and a quantized copy.

The same code as `workbench model info|bench|quantize` (workbench.inference.model_tools / quantize): the
report as text, a benchmark plotted per stage (prepare, run, decode; batch 1 and a larger batch), and
quantization with a progress bar and Cancel. Long work runs in a worker thread; errors are one line.
Opened from Run ▸ Model Tools… (`open_model_panel(window)`, the main window's `open_model_tools`).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                               QPlainTextEdit, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from workbench.core.errors import WorkbenchError
from workbench.gui.i18n import t

STAGES = ("prepare", "run", "decode")
STAGE_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f")


def one_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0]
    return text if isinstance(exc, WorkbenchError) else f"{type(exc).__name__}: {text}"


class _Job(QObject):
    """Runs fn(progress, cancel) in a worker thread; reports progress, the result or one error line."""

    progress = Signal(str, int, int)
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, fn) -> None:
        super().__init__()
        self.fn = fn
        self.stop = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            self.done.emit(self.fn(lambda s, d, n: self.progress.emit(s, d, n), self.stop.is_set))
        except Exception as exc:  # one line in the panel, never a crash
            self.failed.emit(one_line(exc))


class BenchPlot(pg.PlotWidget):
    """Stacked bars: the median time of each stage, for batch 1 and the larger batch (per image)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from workbench.gui import theme
        from workbench.gui.plots import _style

        self.setMinimumHeight(160)
        _style(self)
        self.setLabel("left", t("ms per image (median)"))
        self.addLegend(offset=(-10, 10), labelTextColor="#d8dce2" if theme.is_dark() else "#333")
        self.bars: list[pg.BarGraphItem] = []

    def show_result(self, res: dict) -> None:
        self.clear()
        self.bars = []
        runs = [r for r in (res.get("batch1"), res.get("batchN")) if r and "stages_ms" in r]
        base = [0.0] * len(runs)
        for stage, colour in zip(STAGES, STAGE_COLOURS):
            h = [r["stages_ms"][stage]["median"] / r["batch"] for r in runs]
            bar = pg.BarGraphItem(x=list(range(len(runs))), height=h, y0=base, width=0.6, brush=colour, name=stage)
            self.addItem(bar)
            self.bars.append(bar)
            base = [b + v for b, v in zip(base, h)]
        self.getAxis("bottom").setTicks([[(i, f"batch {r['batch']}") for i, r in enumerate(runs)]])


class ModelPanel(QDialog):
    finished_job = Signal(str)  # "info" | "bench" | "quantize" | "cancelled" | "failed"

    def __init__(self, parent: QWidget | None = None, path: str | Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("Model Tools"))
        self.resize(980, 720)
        self.thread: QThread | None = None
        self.job: _Job | None = None
        self.last_bench: dict | None = None
        self.last_quant = None
        self._build()
        if path:
            self.open_model(path)

    # ------------------------------------------------------------ layout
    def _build(self) -> None:
        lay = QVBoxLayout(self)
        row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(t("ONNX model file"))
        self.path_edit.returnPressed.connect(lambda: self.open_model(self.path_edit.text()))
        browse = QPushButton(t("Open…"))
        browse.clicked.connect(self._browse_model)
        row.addWidget(QLabel(t("Model:")))
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        lay.addLayout(row)
        self.info = QPlainTextEdit(readOnly=True)
        self.info.setFont(QFont("monospace"))
        self.info.setLineWrapMode(QPlainTextEdit.NoWrap)
        lay.addWidget(self.info, 3)
        lay.addLayout(self._bench_row())
        self.plot = BenchPlot(self)
        self.bench_text = QLabel()
        self.bench_text.setWordWrap(True)
        lay.addWidget(self.plot, 2)
        lay.addWidget(self.bench_text)
        lay.addLayout(self._quant_grid())
        self.quant_text = QLabel()
        self.quant_text.setWordWrap(True)
        lay.addWidget(self.quant_text)
        bottom = QHBoxLayout()
        self.status = QLabel()
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_btn = QPushButton(t("Cancel"))
        self.cancel_btn.setVisible(False)
        self.cancel_btn.clicked.connect(self.cancel)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.progress)
        bottom.addWidget(self.cancel_btn)
        lay.addLayout(bottom)
        for b in self.findChildren(QPushButton):  # Return in a field must not press a button (a dialog's default)
            b.setAutoDefault(False)
            b.setDefault(False)

    def _bench_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.device = QComboBox()
        self.device.addItems(["cpu", "gpu"])
        self.threads = QSpinBox(minimum=0, maximum=256, value=0, specialValueText=t("app default"))
        self.runs = QSpinBox(minimum=1, maximum=10000, value=30)
        self.batch = QSpinBox(minimum=1, maximum=256, value=8)
        self.bench_btn = QPushButton(t("Benchmark"))
        self.bench_btn.clicked.connect(self.start_bench)
        for label, w in ((t("Device"), self.device), (t("Threads"), self.threads), (t("Runs"), self.runs),
                         (t("Batch"), self.batch)):
            row.addWidget(QLabel(label))
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.bench_btn)
        return row

    def _quant_grid(self) -> QGridLayout:
        g = QGridLayout()
        self.calib_edit = QLineEdit()
        self.calib_edit.setPlaceholderText(t("folder of calibration images"))
        self.out_edit = QLineEdit()
        self.out_edit.setPlaceholderText(t("output model (.onnx)"))
        pick = QPushButton(t("Browse…"))
        pick.clicked.connect(self._browse_calib)
        self.mode = QComboBox()
        for key, label in (("int8", t("INT8 static (calibrated)")), ("dynamic", t("INT8 dynamic")),
                           ("fp16", t("FP16 (GPU)"))):
            self.mode.addItem(label, key)
        self.quant_btn = QPushButton(t("Quantize"))
        self.quant_btn.clicked.connect(self.start_quantize)
        g.addWidget(QLabel(t("Calibration images:")), 0, 0)
        g.addWidget(self.calib_edit, 0, 1)
        g.addWidget(pick, 0, 2)
        g.addWidget(QLabel(t("Output:")), 1, 0)
        g.addWidget(self.out_edit, 1, 1)
        g.addWidget(self.mode, 1, 2)
        g.addWidget(self.quant_btn, 1, 3)
        return g

    # ------------------------------------------------------------ actions
    def _browse_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, t("Open Model"), self.path_edit.text(), "ONNX models (*.onnx)")
        if path:
            self.open_model(path)

    def _browse_calib(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, t("Calibration Images"), self.calib_edit.text())
        if folder:
            self.calib_edit.setText(folder)

    def model_path(self) -> Path:
        return Path(self.path_edit.text().strip())

    def open_model(self, path: str | Path) -> None:
        from workbench.inference.model_tools import inspect_model

        p = Path(path)
        self.path_edit.setText(str(p))
        if not self.out_edit.text() or self.out_edit.text().endswith(".int8.onnx"):
            self.out_edit.setText(str(p.with_name(p.stem + ".int8.onnx")))
        self._start("info", lambda progress, cancel: inspect_model(p))

    def start_bench(self) -> None:
        from workbench.inference.model_tools import bench_model

        p, dev, thr, runs, batch = self.model_path(), self.device.currentText(), self.threads.value() or None, \
            self.runs.value(), self.batch.value()
        self._start("bench", lambda progress, cancel: bench_model(p, dev, thr, runs, 3, batch, progress=progress,
                                                                  cancel=cancel))

    def start_quantize(self) -> None:
        from workbench.inference.quantize import quantize_model

        p, calib, out, mode = self.model_path(), self.calib_edit.text().strip() or None, self.out_edit.text().strip(), \
            self.mode.currentData()
        self._start("quantize", lambda progress, cancel: quantize_model(p, out, calib, None, mode, progress=progress,
                                                                        cancel=cancel))

    def cancel(self) -> None:
        if self.job is not None:
            self.job.stop.set()
            self.status.setText(t("Cancelling…"))

    def busy(self) -> bool:
        return self.thread is not None

    # ------------------------------------------------------------ the worker
    def _start(self, kind: str, fn) -> None:
        if self.busy():
            self.status.setText(t("Busy: wait or cancel first"))
            return
        self.kind = kind
        self.job = _Job(fn)
        self.thread = QThread(self)
        self.job.moveToThread(self.thread)
        self.thread.started.connect(self.job.run)
        self.job.progress.connect(self._progress)
        self.job.done.connect(self._done)
        self.job.failed.connect(self._failed)
        for b in (self.bench_btn, self.quant_btn):
            b.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_btn.setVisible(kind != "info")
        self.status.setText({"info": t("Reading the model…"), "bench": t("Benchmarking…"),
                             "quantize": t("Quantizing…")}[kind])
        self.thread.start()

    @Slot(str, int, int)
    def _progress(self, stage: str, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.status.setText(f"{stage}: {done}/{total}" if total else stage)

    def _finish(self) -> None:
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
            self.thread.deleteLater()
        self.thread, self.job = None, None
        self.progress.setVisible(False)
        self.cancel_btn.setVisible(False)
        for b in (self.bench_btn, self.quant_btn):
            b.setEnabled(True)

    @Slot(object)
    def _done(self, result) -> None:
        kind = self.kind
        self._finish()
        if kind == "info":
            self.info.setPlainText("\n".join(result.lines()))
            self.status.setText(t("Model read."))
        elif kind == "bench":
            from workbench.inference.model_tools import bench_lines

            self.last_bench = result
            self.plot.show_result(result)
            self.bench_text.setText("\n".join(bench_lines(result)))
            self.status.setText(t("Benchmark done."))
        else:
            self.last_quant = result
            self.quant_text.setText("\n".join(result.lines()))
            self.status.setText(t("Quantized."))
        self.finished_job.emit(kind)

    @Slot(str)
    def _failed(self, message: str) -> None:
        self._finish()
        cancelled = message == "cancelled"
        self.status.setText(t("Cancelled.") if cancelled else message)
        self.finished_job.emit("cancelled" if cancelled else "failed")

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt)
        if self.job is not None:
            self.job.stop.set()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
        super().closeEvent(event)


def open_model_panel(window) -> "ModelPanel":
    """Run ▸ Model Tools…: one panel per window, opened on the selected node's model when it has one."""
    panel = getattr(window, "_model_panel", None)
    if panel is None:
        panel = window._model_panel = ModelPanel(window)
    path = _selected_model(window)
    if path and path != panel.path_edit.text():
        panel.open_model(path)
    panel.show()
    panel.raise_()
    return panel


def _selected_model(window) -> str:
    """The model file of the selected node (a `model` parameter), resolved against the pipeline's folder."""
    try:
        ids = window.canvas.selected_ids()
        pipe = window.doc.pipeline
        inst = pipe.nodes[ids[0]] if ids else None
        model = inst.params.get("model") if inst is not None else None
        if model and str(model) not in ("", "."):
            base = getattr(pipe, "base_dir", None)
            p = Path(model)
            return str(p if p.is_absolute() or base is None else Path(base) / p)
    except Exception:  # no selection API or no model: just open the panel
        pass
    return ""
