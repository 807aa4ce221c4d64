"""The Teach panel: folders in, training in a worker with progress and Cancel, results (histogram with two
draggable thresholds, ROC, heat maps; confusion matrix with clickable cells), "Use in pipeline"."""

import json
from pathlib import Path

import numpy as np
import pytest

from tests.training.sets import digits_set, texture_set


@pytest.fixture
def backbone(tmp_path_factory, monkeypatch):
    from workbench.training.backbone import install_backbone

    path = install_backbone(tmp_path_factory.mktemp("bb"))
    monkeypatch.setattr("workbench.training.backbone.backbone_dir", lambda: path.parent)
    return path


def test_teach_anomaly_then_use_it_in_the_pipeline(qtbot, tmp_path, backbone):
    from workbench.gui.mainwindow import MainWindow

    root = texture_set(tmp_path / "brick", "brick", n_good=8, n_test_good=0, n_bad=4)
    win = MainWindow(recover=False)
    qtbot.addWidget(win)
    dlg = win.open_teach()
    assert win.open_teach() is dlg and dlg.isVisible()
    assert not dlg.start() and "good images" in dlg.stage.text()  # nothing chosen: one line, no training
    dlg.drop_folders([root / "good", root / "bad"])
    assert dlg.anomaly.inputs.count() == 12
    stages = []
    dlg.worker.progress.connect(lambda s, d, n: stages.append(s))
    assert dlg.start()
    assert dlg.cancel_btn.isEnabled() and not dlg.train_btn.isEnabled()
    qtbot.waitUntil(lambda: not dlg.running, timeout=180_000)
    assert dlg.error == "", dlg.error
    assert "selecting the memory bank" in stages and "heat maps" in stages
    r = dlg.anomaly.result
    assert len(r["heldout_good"]) == 2 and len(r["scores_bad"]) == 4
    assert dlg.anomaly.heat.count() == 6 and len(dlg.anomaly.hist.listDataItems()) == 2
    x, y = dlg.anomaly.roc.curve.getData()
    assert x[0] == 0 and x[-1] == 1 and "AUROC" in dlg.anomaly.summary.text()
    # drag T2 above every score: no image is NG any more
    top = max(r["scores_good"] + r["scores_bad"]) + 1
    dlg.anomaly.hist.t2.setValue(top)
    assert dlg.anomaly.counts.text().endswith("bad: 0 OK, 4 uncertain, 0 NG") or "0 NG" in dlg.anomaly.counts.text()
    assert dlg.anomaly.hist.band.getRegion()[1] == pytest.approx(top)
    dlg.anomaly.hist.set_thresholds(min(r["scores_good"]), r["threshold"])
    t1, t2 = dlg.anomaly.node_scale()
    assert t2 == pytest.approx(0.5, abs=1e-6) and t1 < 0.5
    nid = dlg.use_in_pipeline()
    inst = win.doc.pipeline.nodes[nid]
    assert inst.type == "dl.anomaly" and inst.params["threshold"] == pytest.approx(0.5, abs=1e-6)
    side = json.loads((root / "good_anomaly.workbench.json").read_text())
    assert side["postprocess"]["uncertain"] == [pytest.approx(t1, abs=1e-4), pytest.approx(0.5, abs=1e-4)]
    assert dlg.use_in_pipeline() == nid and len(win.doc.pipeline.nodes) == len(set(win.doc.pipeline.nodes))
    # teach from mistakes: mark a held-out good image as good, then undo
    assert dlg.anomaly.mark_good() is None and "Select the images" in dlg.stage.text()
    dlg.anomaly.heat.item(0).setSelected(True)
    e = dlg.anomaly.mark_good()
    assert e["images"] == [r["heldout_good"][0]] and e["bank_rows"] == r["bank_rows"] + 1024
    assert str(e["bank_rows"]) in dlg.stage.text()
    assert dlg.anomaly.undo_mark()["bank_rows"] == r["bank_rows"]
    assert dlg.anomaly.undo_mark() is None and "nothing to undo" in dlg.stage.text()
    # a later session: the model named in the Model field, files chosen from the NG archive
    from workbench.gui.teach import TeachDialog

    later = TeachDialog(win.doc)
    qtbot.addWidget(later)
    assert later.anomaly.mark_files([root / "bad" / "b00_scratch.png"]) is None
    assert "Choose the anomaly model" in later.stage.text()
    later.anomaly.output.setText(r["model"])
    e = later.anomaly.mark_files([root / "bad" / "b00_scratch.png"])
    assert e["rows_added"] == 1024 and later.anomaly.undo_mark()["bank_rows"] == r["bank_rows"]
    later.close()
    # cancel: nothing written
    dlg.anomaly.output.setText(str(tmp_path / "cancelled.onnx"))
    dlg.start()
    dlg.cancel()
    qtbot.waitUntil(lambda: not dlg.running, timeout=60_000)
    assert "cancelled" in dlg.error and not list(tmp_path.glob("cancelled*"))
    assert not dlg.jobs.thread.isRunning()  # the worker thread runs only while training
    dlg.close()
    assert win.open_teach() is dlg  # opened again: trains again
    dlg.anomaly.output.setText(str(tmp_path / "again.onnx"))
    assert dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=180_000)
    assert dlg.error == "" and (tmp_path / "again.onnx").is_file()
    dlg.close()
    win.doc.undo.setClean()


def test_teach_classification_confusion_cells_show_their_images(qtbot, tmp_path, backbone):
    from workbench.gui.teach import TeachDialog
    from workbench.gui.document import Document

    data = digits_set(tmp_path / "digits", per_class=4, test_per_class=2)
    doc = Document()
    dlg = TeachDialog(doc)
    qtbot.addWidget(dlg)
    dlg.pages.setCurrentWidget(dlg.classify)
    dlg.drop_folders([data])
    assert dlg.classify.inputs.count() == 60 and "10 classes" in dlg.classify.summary.text()
    dlg.start()
    qtbot.waitUntil(lambda: not dlg.running, timeout=180_000)
    assert dlg.error == "", dlg.error
    r = dlg.classify.result
    cm = np.array(r["confusion"])
    assert dlg.classify.matrix.rowCount() == 10 and int(dlg.classify.matrix.item(3, 3).text()) == cm[3, 3]
    i, j = np.unravel_index(np.argmax(cm - np.diag(np.diag(cm)) if (cm - np.diag(np.diag(cm))).any() else cm),
                            cm.shape)
    dlg.classify.matrix.cellClicked.emit(int(i), int(j))
    assert dlg.classify.cell_images.count() == cm[i, j] > 0
    assert dlg.classify.results.currentWidget() is dlg.classify.cell_images
    assert dlg.classify.per_class.rowCount() == 10
    nid = dlg.use_in_pipeline()
    assert doc.pipeline.nodes[nid].type == "dl.classify"
    assert Path(str(doc.pipeline.nodes[nid].params["model"])).name == "digits_classifier.onnx"
    dlg.close()
