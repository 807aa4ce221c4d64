"""The Teach panel: train an anomaly or a classification model by example, see the held-out results the
peers show, and put the model into the pipeline.

Training runs workbench.training (the code behind ``workbench train``) in a worker thread (numpy and
onnxruntime release the GIL, so the window stays responsive), with a progress bar and Cancel (nothing is
written when cancelled). Results: for anomaly a histogram of the held-out good and bad scores with two
draggable thresholds T1/T2 (between them: uncertain), the ROC curve and AUC, and a gallery of heat maps; for
classification the confusion matrix (click a cell to see its images) and per-class precision/recall.
"Use in pipeline" adds a dl.anomaly / dl.classify node (or updates the one there) with the model; for
anomaly its threshold becomes T2 and the band [T1, T2] is saved in the sidecar.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import (QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from workbench.core.errors import WorkbenchError
from workbench.core.imageio import list_images, read_image
from workbench.gui import theme
from workbench.gui.i18n import t
from workbench.gui.teach_views import ConfusionMatrix, Gallery, RocPlot, ScoreHistogram, heat_overlay
from workbench.gui.worker_thread import WorkerThread


def _anomaly_views(report: dict, job) -> dict:
    """Heat-map overlays (BGR arrays) of the held-out images, from the exported model."""
    from workbench.training import common
    from workbench.training.anomaly import score_images

    sess = common.session(Path(report["model"]).read_bytes())
    paths = report["heldout_good"] + report["bad_images"]
    imgs = [read_image(p) for p in paths[:80]]
    scores, maps = score_images(sess, imgs, report["size"], job, "heat maps")
    lo, hi = report["min"], report["max"]
    return {"overlays": [heat_overlay(i, m, lo, hi) for i, m in zip(imgs, maps)], "paths": paths[:80],
            "scores": scores.tolist()}


class _Worker(QObject):
    progress = Signal(str, int, int)
    done = Signal(object)
    failed = Signal(str)

    @Slot(object)
    def run(self, task: dict) -> None:
        from workbench.training.common import Cancelled, Job

        job = Job(progress=self.progress.emit, cancelled=task["cancel"].is_set)
        try:
            if task["kind"] == "anomaly":
                from workbench.training.anomaly import train_anomaly

                report = train_anomaly(task["good"], task["output"], task.get("bad"), job=job)
                self.done.emit({"report": report, **_anomaly_views(report, job)})
            else:
                from workbench.training.classify import train_classifier

                self.done.emit({"report": train_classifier(task["data"], task["output"], job=job)})
        except Cancelled:
            self.failed.emit(t("Training cancelled; nothing was written."))
        except WorkbenchError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # one line in the panel, never a crash
            self.failed.emit(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")


def _path_row(edit: QLineEdit, pick) -> QWidget:
    w = QWidget()
    lay = QHBoxLayout(w)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(edit, 1)
    b = QPushButton(t("Browse…"))
    b.clicked.connect(pick)
    lay.addWidget(b)
    return w


def _arrange(page, form, below=None) -> None:
    """A Teach page: the folder form on top; thumbnails left; summary, results (and ``below``) right."""
    split = QSplitter()
    split.addWidget(page.inputs)
    right = QWidget()
    rl = QVBoxLayout(right)
    rl.setContentsMargins(0, 0, 0, 0)
    rl.addWidget(page.summary)
    rl.addWidget(page.results, 1)
    if below is not None:
        rl.addLayout(below)
    split.addWidget(right)
    split.setSizes([280, 920])
    lay = QVBoxLayout(page)
    lay.addLayout(form)
    lay.addWidget(split, 1)


class _AnomalyPage(QWidget):
    def __init__(self, owner: "TeachDialog") -> None:
        super().__init__()
        self.owner = owner
        self.good, self.bad, self.output = QLineEdit(), QLineEdit(), QLineEdit()
        self.good.setPlaceholderText(t("folder of good images (20-100)"))
        self.bad.setPlaceholderText(t("optional: folder of bad images (sets the threshold)"))
        self.output.setPlaceholderText(t("model file to write (.onnx)"))
        form = QFormLayout()
        form.addRow(t("Good images"), _path_row(self.good, lambda: owner.pick_dir(self.good)))
        form.addRow(t("Bad images"), _path_row(self.bad, lambda: owner.pick_dir(self.bad)))
        form.addRow(t("Model"), _path_row(self.output, lambda: owner.pick_output(self.output)))
        for e in (self.good, self.bad):
            e.editingFinished.connect(self.show_inputs)
        self.inputs = Gallery()
        self.hist, self.roc, self.heat = ScoreHistogram(), RocPlot(), Gallery()
        self.hist.thresholdsChanged.connect(self._thresholds_moved)
        self.results = QTabWidget()
        self.results.addTab(self.hist, t("Score histogram"))
        self.results.addTab(self.roc, t("ROC"))
        self.results.addTab(self.heat, t("Heat maps"))
        self.summary, self.counts = QLabel(), QLabel()
        self.summary.setWordWrap(True)
        self.mark_btn, self.undo_btn = QPushButton(t("Mark selected as good")), QPushButton(t("Undo last mark"))
        self.mark_btn.setToolTip(t("Adds the selected images to the model's memory bank: no retraining, undoable"))
        self.files_btn = QPushButton(t("Mark files as good…"))
        self.files_btn.setToolTip(t("Good parts the model rejected (e.g. from the NG archive): added to the memory "
                                    "bank of the model named above"))
        self.mark_btn.clicked.connect(self.mark_good)
        self.files_btn.clicked.connect(lambda: self.mark_files())
        self.undo_btn.clicked.connect(self.undo_mark)
        self.mark_btn.setEnabled(False)
        marks = QHBoxLayout()
        marks.addWidget(self.counts, 1)
        marks.addWidget(self.mark_btn)
        marks.addWidget(self.files_btn)
        marks.addWidget(self.undo_btn)
        _arrange(self, form, marks)
        self.result: dict | None = None

    def task(self) -> dict:
        good = self.good.text().strip()
        if not good:
            raise WorkbenchError(t("Choose the folder of good images first."))
        out = self.output.text().strip() or str(Path(good).parent / f"{Path(good).name}_anomaly.onnx")
        self.output.setText(out)
        bad = self.bad.text().strip()
        return {"kind": "anomaly", "good": Path(good), "bad": Path(bad) if bad else None, "output": Path(out)}

    def show_inputs(self) -> None:
        items = []
        for edit, label, color in ((self.good, t("good"), theme.OK_COLOR), (self.bad, t("bad"), theme.NG_COLOR)):
            d = Path(edit.text().strip())
            if edit.text().strip() and d.is_dir():
                items += [(p, f"{label}: {p.name}", color) for p in list_images(d)[:60]]
        self.inputs.show_items(items)

    def show_result(self, result: dict) -> None:
        from workbench.training.common import roc_curve

        self.result = r = result["report"]
        good, bad = np.array(r["scores_good"]), np.array(r["scores_bad"])
        lo, hi, thr = r["min"], r["max"], r["threshold"]
        raw = [(u - 0.5) * (hi - lo) + thr for u in r["uncertain"]]
        self.hist.set_scores(good, bad, min(raw[0], thr), thr)
        auc = r.get("auroc")
        if bad.size:
            self.roc.set_curve(*roc_curve(good, bad))
        self.summary.setText(
            t("Trained on {0} good images in {1} s; held out: {2} good, {3} bad (seed {4}). "
              "Memory bank {5} patches, model {6} MB, {7} ms per image. AUROC {8}.")
            .replace("{0}", str(len(r["train_images"]))).replace("{1}", f"{r['train_s']:.1f}")
            .replace("{2}", str(len(good))).replace("{3}", str(len(bad))).replace("{4}", str(r["seed"]))
            .replace("{5}", str(r["bank_rows"])).replace("{6}", f"{r['model_mb']:.1f}")
            .replace("{7}", f"{r['ms_per_image']:.0f}").replace("{8}", "—" if auc is None else f"{auc:.3f}"))
        n_good = len(r["heldout_good"])
        self.heat.show_items([(img, f"{t('good') if i < n_good else t('bad')} {s:.2f}",
                               theme.OK_COLOR if s < thr else theme.NG_COLOR, path)
                              for i, (img, s, path) in enumerate(zip(result["overlays"], result["scores"],
                                                                     result["paths"]))])
        self.mark_btn.setEnabled(True)

    def model_path(self) -> Path | None:
        """The model of the last training, else the one named in the Model field (an earlier training)."""
        if self.result is not None:
            return Path(self.result["model"])
        text = self.output.text().strip()
        return Path(text) if text else None

    def mark_good(self) -> dict | None:
        """Add the selected heat-map images to the bank (a falsely rejected good part: no retraining)."""
        from workbench.training.mistakes import mark_good

        paths = [Path(p) for p in self.heat.selected_keys()]
        if not paths or self.result is None:
            self.owner.stage.setText(t("Select the images to mark as good in the heat maps first."))
            return None
        return self._bank_change(lambda: mark_good(Path(self.result["model"]), paths))

    def mark_files(self, paths: list[Path] | None = None) -> dict | None:
        """Mark image files as good (e.g. falsely rejected parts from the NG archive) for the model."""
        from workbench.training.mistakes import mark_good

        model = self.model_path()
        if model is None or not model.is_file():
            self.owner.stage.setText(t("Choose the anomaly model (Model) first."))
            return None
        if paths is None:
            title = t("Images of good parts that were rejected")
            names, _ = QFileDialog.getOpenFileNames(self, title, str(model.parent),
                                                    t("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff)"))
            paths = [Path(n) for n in names]
        if not paths:
            return None
        return self._bank_change(lambda: mark_good(model, paths))

    def undo_mark(self) -> dict | None:
        from workbench.training.mistakes import undo_last

        model = self.model_path()
        return None if model is None else self._bank_change(lambda: undo_last(model))

    def _bank_change(self, fn) -> dict | None:
        try:
            e = fn()
        except WorkbenchError as exc:
            self.owner.stage.setText(str(exc))
            return None
        self.owner.stage.setText(t("Memory bank now {0} patches ({1}; audit line written)")
                                 .replace("{0}", str(e["bank_rows"]))
                                 .replace("{1}", t("added") if e["action"] == "mark_good" else t("undone")))
        return e

    def _thresholds_moved(self, t1: float, t2: float) -> None:
        g, b = self.hist.good, self.hist.bad
        self.counts.setText(
            t("T1 {0} · T2 {1} — good: {2} OK, {3} uncertain, {4} NG · bad: {5} OK, {6} uncertain, {7} NG")
            .replace("{0}", f"{t1:.3g}").replace("{1}", f"{t2:.3g}")
            .replace("{2}", str(int((g < t1).sum()))).replace("{3}", str(int(((g >= t1) & (g < t2)).sum())))
            .replace("{4}", str(int((g >= t2).sum()))).replace("{5}", str(int((b < t1).sum())))
            .replace("{6}", str(int(((b >= t1) & (b < t2)).sum()))).replace("{7}", str(int((b >= t2).sum()))))

    def node_scale(self) -> tuple[float, float]:
        """T1, T2 on the node's normalised scale (0.5 = the trained threshold)."""
        r = self.result or {}
        lo, hi, thr = r["min"], r["max"], r["threshold"]
        return tuple(float(np.clip((v - thr) / (hi - lo) + 0.5, 0, 1)) for v in self.hist.thresholds())


class _ClassifyPage(QWidget):
    def __init__(self, owner: "TeachDialog") -> None:
        super().__init__()
        self.data, self.output = QLineEdit(), QLineEdit()
        self.data.setPlaceholderText(t("folder with one sub-folder per class (or train/ and test/)"))
        self.output.setPlaceholderText(t("model file to write (.onnx)"))
        form = QFormLayout()
        form.addRow(t("Images"), _path_row(self.data, lambda: owner.pick_dir(self.data)))
        form.addRow(t("Model"), _path_row(self.output, lambda: owner.pick_output(self.output)))
        self.data.editingFinished.connect(self.show_inputs)
        self.inputs, self.cell_images = Gallery(), Gallery()
        self.matrix, self.per_class = ConfusionMatrix(), QTableWidget()
        self.matrix.cellChosen.connect(self.show_cell)
        self.results = QTabWidget()
        self.results.addTab(self.matrix, t("Confusion matrix"))
        self.results.addTab(self.per_class, t("Per class"))
        self.results.addTab(self.cell_images, t("Images of the cell"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        _arrange(self, form)
        self.result: dict | None = None

    def task(self) -> dict:
        data = self.data.text().strip()
        if not data:
            raise WorkbenchError(t("Choose the folder of class folders first."))
        out = self.output.text().strip() or str(Path(data).parent / f"{Path(data).name}_classifier.onnx")
        self.output.setText(out)
        return {"kind": "classify", "data": Path(data), "output": Path(out)}

    def show_inputs(self) -> None:
        from workbench.training.classify import find_dataset

        try:
            names, train, test = find_dataset(Path(self.data.text().strip()), 0.25, 0)
        except WorkbenchError as exc:
            self.summary.setText(str(exc))
            self.inputs.clear()
            return
        self.summary.setText(t("{0} classes, {1} images").replace("{0}", str(len(names)))
                             .replace("{1}", str(len(train) + len(test))))
        self.inputs.show_items([(p, f"{names[k]}: {p.name}", None) for p, k in (train + test)[:150]])

    def show_result(self, result: dict) -> None:
        self.result = r = result["report"]
        self.matrix.set_matrix(r["confusion"], r["classes"])
        self.per_class.setColumnCount(3)
        self.per_class.setRowCount(len(r["classes"]))
        self.per_class.setHorizontalHeaderLabels([t("class"), t("precision"), t("recall")])
        for k, name in enumerate(r["classes"]):
            for j, v in enumerate((name, r["precision"][k], r["recall"][k])):
                self.per_class.setItem(k, j, QTableWidgetItem(v if isinstance(v, str) else
                                                              ("—" if v is None else f"{v:.3f}")))
        self.summary.setText(t("Held-out accuracy {0} on {1} images ({2} trained, seed {3}) in {4} s.")
                             .replace("{0}", f"{r['accuracy']:.3f}").replace("{1}", str(r["test_count"]))
                             .replace("{2}", str(r["train_count"])).replace("{3}", str(r["seed"]))
                             .replace("{4}", f"{r['train_s']:.1f}"))

    def cell_paths(self, true: int, pred: int) -> list[str]:
        r = self.result or {}
        return [p for p, y, q in zip(r.get("test_images", []), r.get("test_labels", []), r.get("test_pred", []))
                if y == true and q == pred]

    def show_cell(self, true: int, pred: int) -> None:
        names = self.result["classes"]
        color = theme.OK_COLOR if true == pred else theme.NG_COLOR
        self.cell_images.show_items([(p, f"{names[true]} → {names[pred]}", color)
                                     for p in self.cell_paths(true, pred)])
        self.results.setCurrentWidget(self.cell_images)


def apply_model(doc, kind: str, model: Path, threshold: float | None = None) -> str:
    """Add a dl.anomaly / dl.classify node for the model, or update the one there (the one with this model
    first). Returns the node id."""
    type_id = "dl.anomaly" if kind == "anomaly" else "dl.classify"
    nodes = [(nid, inst) for nid, inst in doc.pipeline.nodes.items() if inst.type == type_id]
    same = [nid for nid, inst in nodes if Path(str(inst.params.get("model", ""))) == Path(model)]
    nid = (same or [nid for nid, _ in nodes] or [None])[0]
    if nid is None:
        nid = doc.add_node(type_id, params={"model": str(model)})
    else:
        err = doc.set_param(nid, "model", str(model))
        if err:
            raise WorkbenchError(err)
    if threshold is not None:
        err = doc.set_param(nid, "threshold", float(threshold))
        if err:
            raise WorkbenchError(err)
    return nid


class TeachDialog(QDialog):
    """Non-modal; ``modelUsed(node_id, model path)`` after "Use in pipeline"."""

    modelUsed = Signal(str, str)

    def __init__(self, doc=None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("Teach by example"))
        self.resize(1100, 720)
        self.setAcceptDrops(True)
        self.doc = doc
        self.pages = QTabWidget()
        self.anomaly, self.classify = _AnomalyPage(self), _ClassifyPage(self)
        self.pages.addTab(self.anomaly, t("Anomaly (good images)"))
        self.pages.addTab(self.classify, t("Classification (class folders)"))
        self.progress, self.stage = QProgressBar(), QLabel(t("Pick folders, or drag them here."))
        self.train_btn, self.cancel_btn = QPushButton(t("Train")), QPushButton(t("Cancel"))
        self.use_btn = QPushButton(t("Use in pipeline"))
        self.cancel_btn.setEnabled(False)
        self.use_btn.setEnabled(False)
        self.train_btn.clicked.connect(self.start)
        self.cancel_btn.clicked.connect(self.cancel)
        self.use_btn.clicked.connect(self.use_in_pipeline)
        self.pages.currentChanged.connect(lambda _i: self._update_buttons())
        bar = QHBoxLayout()
        bar.addWidget(self.stage, 1)
        bar.addWidget(self.progress, 1)
        for b in (self.train_btn, self.cancel_btn, self.use_btn):
            bar.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.pages, 1)
        lay.addLayout(bar)
        self.cancel_event = threading.Event()
        self.running = False
        self.error = ""
        self.worker = _Worker()
        self.jobs = WorkerThread(self.worker, "workbench-teach", self)  # runs only while training
        self.worker.progress.connect(self._progress)
        self.worker.done.connect(self._done)
        self.worker.failed.connect(self._failed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -------------------------------------------------------------- folders
    def pick_dir(self, edit: QLineEdit) -> None:
        d = QFileDialog.getExistingDirectory(self, t("Choose a folder"), edit.text())
        if d:
            edit.setText(d)
            edit.editingFinished.emit()

    def pick_output(self, edit: QLineEdit) -> None:
        name, _ = QFileDialog.getSaveFileName(self, t("Model file"), edit.text(), t("ONNX models (*.onnx)"))
        if name:
            edit.setText(name if name.lower().endswith(".onnx") else name + ".onnx")

    def dragEnterEvent(self, e) -> None:  # noqa: N802 (Qt)
        if e.mimeData().hasUrls():
            e.acceptProposedAction()

    def dropEvent(self, e) -> None:  # noqa: N802 (Qt)
        dirs = [Path(u.toLocalFile()) for u in e.mimeData().urls() if Path(u.toLocalFile()).is_dir()]
        self.drop_folders(dirs)

    def drop_folders(self, dirs: list[Path]) -> None:
        """Anomaly tab: the first folder is the good images, a second the bad; classification: the data."""
        if not dirs:
            return
        if self.pages.currentWidget() is self.anomaly:
            self.anomaly.good.setText(str(dirs[0]))
            if len(dirs) > 1:
                self.anomaly.bad.setText(str(dirs[1]))
            self.anomaly.show_inputs()
        else:
            self.classify.data.setText(str(dirs[0]))
            self.classify.show_inputs()

    # -------------------------------------------------------------- training
    def start(self) -> bool:
        if self.running:
            return False
        page = self.pages.currentWidget()
        try:
            task = page.task()
        except WorkbenchError as exc:
            self.stage.setText(str(exc))
            return False
        self.cancel_event.clear()
        task["cancel"] = self.cancel_event
        self.running, self.error = True, ""
        self.task_page = page
        self.jobs.start()
        self._update_buttons()
        self.progress.setValue(0)
        self.stage.setText(t("Training…"))
        self.jobs.call(self.worker.run, task)
        return True

    def cancel(self) -> None:
        self.cancel_event.set()
        self.stage.setText(t("Cancelling…"))

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(min(done + 1, total))
        self.stage.setText(t(stage) if stage else "")

    def _stop_thread(self) -> None:
        self.jobs.stop(60_000)

    def shutdown(self) -> None:
        """Cancel a training and stop the worker thread (closing, quitting)."""
        self.cancel_event.set()
        self._stop_thread()

    def _done(self, result: dict) -> None:
        self.running = False
        self._stop_thread()
        self.task_page.show_result(result)
        self.stage.setText(t("Model written: {0}").replace("{0}", result["report"]["model"]))
        self.progress.setValue(self.progress.maximum())
        self._update_buttons()

    def _failed(self, message: str) -> None:
        self.running, self.error = False, message
        self._stop_thread()
        self.stage.setText(message)
        self.progress.setValue(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.train_btn.setEnabled(not self.running)
        self.cancel_btn.setEnabled(self.running)
        page = self.pages.currentWidget()
        self.use_btn.setEnabled(not self.running and page.result is not None and self.doc is not None)

    # -------------------------------------------------------------- pipeline
    def use_in_pipeline(self) -> str | None:
        page = self.pages.currentWidget()
        if page.result is None or self.doc is None:
            return None
        model = Path(page.result["model"])
        threshold = None
        if page is self.anomaly:
            from workbench.inference.sessions import load_model
            from workbench.inference.sidecar import load_config, save_config

            t1, t2 = self.anomaly.node_scale()
            threshold = t2
            cfg = load_config(model, load_model(model).info)
            cfg.postprocess["uncertain"] = [round(t1, 4), round(t2, 4)]
            save_config(model, cfg)
        try:
            nid = apply_model(self.doc, "anomaly" if page is self.anomaly else "classify", model, threshold)
        except WorkbenchError as exc:
            self.stage.setText(str(exc))
            return None
        self.stage.setText(t("Node {0} uses {1}").replace("{0}", nid).replace("{1}", model.name))
        self.modelUsed.emit(nid, str(model))
        return nid

    def closeEvent(self, e) -> None:  # noqa: N802 (Qt)
        self.shutdown()
        super().closeEvent(e)


def _stage_names() -> tuple[str, ...]:
    """The trainers' stage names, for the translation tool (t() of a variable is looked up at run time)."""
    return (t("reading good images"), t("reading bad images"), t("extracting features"),
            t("selecting the memory bank"), t("scoring held-out good images"), t("scoring bad images"),
            t("writing the model"), t("reading training images"), t("training the head"),
            t("reading held-out images"), t("evaluating held-out images"), t("heat maps"),
            t("adding to the memory bank"))


def open_teach(window) -> TeachDialog:
    """The main window's Run ▸ Teach by Example…: one panel per window, kept between openings."""
    dlg = getattr(window, "_teach_dialog", None)
    if dlg is None:
        dlg = TeachDialog(window.doc, window)
        dlg.modelUsed.connect(lambda nid, path: window.log_line(t("Teach") + f": {nid} ← {Path(path).name}"))
        window._teach_dialog = dlg
    dlg.show()
    dlg.raise_()
    return dlg
