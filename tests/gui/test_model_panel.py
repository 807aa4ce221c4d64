"""The Model panel: report, benchmark plot, quantize with progress and cancel, errors in one line, the menu entry."""

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "inference"))
from test_model_tools import PHOTOS, colour_classifier, photo_folder  # noqa: E402

from workbench.gui.model_panel import ModelPanel  # noqa: E402
from workbench.inference.sessions import SESSIONS  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_sessions():
    SESSIONS.clear()
    yield
    SESSIONS.clear()


def test_report_benchmark_plot_and_quantize(qtbot, tmp_path):
    model = colour_classifier(tmp_path / "cls.onnx")
    panel = ModelPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.finished_job, timeout=60000) as b:
        panel.open_model(model)
    assert b.args == ["info"]
    assert not any(btn.autoDefault() or btn.isDefault() for btn in panel.findChildren(QPushButton))  # Return: no dialog
    text = panel.info.toPlainText()
    assert "head: classification, 3 classes, 3 labels" in text
    assert "short side to 32×32, centre crop (antialias), RGB, NCHW float32, ÷255" in text
    assert panel.out_edit.text() == str(tmp_path / "cls.int8.onnx")
    panel.runs.setValue(3)
    panel.batch.setValue(2)
    with qtbot.waitSignal(panel.finished_job, timeout=60000) as b:
        panel.start_bench()
    assert b.args == ["bench"]
    assert [bar.opts["name"] for bar in panel.plot.bars] == ["prepare", "run", "decode"]
    assert len(panel.plot.bars[1].opts["height"]) == 2  # batch 1 and batch 2
    assert panel.plot.bars[1].opts["height"][0] == pytest.approx(panel.last_bench["batch1"]["stages_ms"]["run"]["median"])
    assert "batch 1: latency median" in panel.bench_text.text()
    panel.calib_edit.setText(str(photo_folder(tmp_path / "photos", PHOTOS[:4])))
    with qtbot.waitSignal(panel.finished_job, timeout=120000) as b:
        panel.start_quantize()
    assert b.args == ["quantize"]
    assert (tmp_path / "cls.int8.onnx").is_file() and "top-1 agreement" in panel.quant_text.text()
    assert panel.bench_btn.isEnabled() and panel.cancel_btn.isHidden() and panel.progress.isHidden()


def test_quantize_cancel_and_errors_in_one_line(qtbot, tmp_path):
    model = colour_classifier(tmp_path / "cls.onnx")
    panel = ModelPanel(path=model)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not panel.busy(), timeout=60000)
    panel.calib_edit.setText(str(photo_folder(tmp_path / "photos", PHOTOS)))
    panel.out_edit.setText(str(tmp_path / "q.onnx"))
    with qtbot.waitSignal(panel.finished_job, timeout=120000) as b:
        panel.start_quantize()
        assert not panel.cancel_btn.isHidden()
        panel.cancel()  # before the first image is read: the worker stops at its first check
    assert b.args == ["cancelled"] and panel.status.text() == "Cancelled."
    assert not (tmp_path / "q.onnx").exists()
    panel.calib_edit.setText(str(tmp_path / "none"))
    with qtbot.waitSignal(panel.finished_job, timeout=60000) as b:
        panel.start_quantize()
    assert b.args == ["failed"] and panel.status.text().startswith("image folder not found:")
    with qtbot.waitSignal(panel.finished_job, timeout=60000) as b:
        panel.open_model(tmp_path / "missing.onnx")
    assert b.args == ["failed"] and panel.status.text().startswith("model not found:")


def test_main_window_has_the_menu_entry(qtbot, tmp_path):
    from workbench.gui.mainwindow import MainWindow

    win = MainWindow(recover=False)
    qtbot.addWidget(win)
    assert win.a_model_tools in win.m_run.actions() and win.a_model_tools.text() == "&Model Tools…"
    model = colour_classifier(tmp_path / "cls.onnx")  # the selected node's model opens with the panel
    from workbench.core.graph import Pipeline

    pipe = Pipeline(base_dir=tmp_path)
    pipe.add_node("dl.classify", "cls", {"model": "cls.onnx"})
    win.doc.set_pipeline(pipe)
    win.canvas.select(["cls"])
    assert win.canvas.selected_ids() == ["cls"]
    win.a_model_tools.trigger()
    assert win._model_panel.isVisible()
    assert win._model_panel.path_edit.text() == str(model)
    qtbot.waitUntil(lambda: not win._model_panel.busy(), timeout=60000)
    win._model_panel.close()
