"""The inspector: widgets generated from the node spec, edits through the undoable document."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractSlider, QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QPushButton, QSlider,
                               QSpinBox, QToolButton)

from workbench.core.params import Color, Roi
from workbench.gui import i18n
from workbench.gui.document import Document, SetParamCmd
from workbench.gui.inspector import Inspector


@pytest.fixture
def doc(qapp):
    return Document()


@pytest.fixture
def make(qtbot, doc):
    def _make(type_id: str):
        nid = doc.add_node(type_id)
        ins = Inspector(doc)
        qtbot.addWidget(ins)
        ins.resize(360, 600)
        ins.set_node(nid)
        ins.show()
        return ins, nid

    return _make


def one(ins, name, cls):
    found = [w for w in ins.editor_widgets(name) if isinstance(w, cls)]
    assert len(found) == 1, (name, cls, ins.editor_widgets(name))
    return found[0]


def params(doc, nid):
    return doc.pipeline.nodes[nid].params


# ---------------------------------------------------------------- widgets by kind
def test_threshold_gets_slider_spin_combo_and_check_box(make, doc):
    ins, nid = make("cv.threshold")
    assert ins.node_id() == nid
    spec = doc.registry["cv.threshold"]
    slider, spin = one(ins, "value", QSlider), one(ins, "value", QDoubleSpinBox)
    assert (spin.minimum(), spin.maximum(), spin.value()) == (0.0, 65535.0, 128.0)
    assert slider.value() == 128  # step 1 from 0
    block = one(ins, "block_size", QSpinBox)
    assert (block.value(), block.singleStep()) == (51, 2)
    combo = one(ins, "mode", QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == spec.param("mode").choices
    assert combo.currentText() == "OTSU"
    assert isinstance(ins.editor_widgets("invert")[0], QCheckBox)
    for w in (slider, spin):
        assert w.toolTip() == spec.param("value").help
    assert ins.findChild(type(ins._title), "title").text() == "Threshold"
    assert "cv.threshold" in ins._subtitle.text() and "Segmentation" in ins._subtitle.text()


def test_huge_and_unbounded_ranges_get_a_spin_box_only(make):
    ins, _ = make("cv.blob_analysis")
    assert [type(w) for w in ins.editor_widgets("min_area")] == [QDoubleSpinBox]  # 0..1e9
    assert {type(w) for w in ins.editor_widgets("min_circularity")} == {QSlider, QDoubleSpinBox}
    ins2, _ = make("cv.judge")
    spin = one(ins2, "low", QDoubleSpinBox)
    assert spin.minimum() <= -1e9 and spin.maximum() >= 1e9


# ---------------------------------------------------------------- inspector -> model -> inspector
def test_typing_in_the_spin_box_sets_the_param_and_is_undoable(make, doc, qtbot):
    ins, nid = make("cv.threshold")
    doc.set_param(nid, "mode", "FIXED")  # the value is greyed out (unused) in the default OTSU mode
    spin, slider = one(ins, "value", QDoubleSpinBox), one(ins, "value", QSlider)
    steps = doc.undo.count()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "150")
    assert params(doc, nid)["value"] == 128.0  # typed numbers commit on Enter, not per key
    qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)
    assert params(doc, nid)["value"] == 150.0
    assert slider.value() == 150 and doc.undo.count() == steps + 1
    doc.undo.undo()
    assert params(doc, nid)["value"] == 128.0
    assert spin.value() == 128.0 and slider.value() == 128


def test_model_changes_update_the_widgets_without_a_new_undo_step(make, doc):
    ins, nid = make("cv.threshold")
    spin, slider = one(ins, "value", QDoubleSpinBox), one(ins, "value", QSlider)
    combo, check = one(ins, "mode", QComboBox), one(ins, "invert", QCheckBox)
    assert doc.set_param(nid, "value", 99.0) is None
    assert doc.set_param(nid, "mode", "FIXED") is None
    assert doc.set_param(nid, "invert", True) is None
    count = doc.undo.count()
    assert (spin.value(), slider.value(), combo.currentText(), check.isChecked()) == (99.0, 99, "FIXED", True)
    assert ins.findChild(QToolButton, "reset_value").isEnabled()
    doc.undo.undo()
    doc.undo.undo()
    doc.undo.undo()
    assert (spin.value(), slider.value(), combo.currentText(), check.isChecked()) == (128.0, 128, "OTSU", False)
    assert doc.undo.count() == count and doc.undo.index() == count - 3  # updating pushed nothing
    assert not ins.findChild(QToolButton, "reset_value").isEnabled()


def test_a_value_finer_than_the_step_is_shown_not_rounded(make, doc):
    ins, nid = make("cv.threshold")
    doc.set_param(nid, "value", 127.25)
    spin = one(ins, "value", QDoubleSpinBox)
    assert spin.value() == 127.25 and spin.decimals() >= 2


def test_slider_drag_of_many_steps_is_one_undo_step(make, doc):
    ins, nid = make("cv.threshold")
    slider, spin = one(ins, "c", QSlider), one(ins, "c", QDoubleSpinBox)
    before = doc.undo.count()
    for _ in range(12):
        slider.triggerAction(QAbstractSlider.SliderSingleStepAdd)
    assert params(doc, nid)["c"] == 17.0 and spin.value() == 17.0
    assert doc.undo.count() == before + 1
    doc.undo.undo()
    assert params(doc, nid)["c"] == 5.0 and slider.value() == slider.minimum() + 260


def test_float_slider_without_step_maps_to_a_thousandth_of_the_range(make, doc):
    ins, nid = make("cv.blob_analysis")
    slider = one(ins, "min_circularity", QSlider)
    assert slider.maximum() == 100  # 0..1 step 0.01
    slider.setValue(37)
    assert params(doc, nid)["min_circularity"] == 0.37


def test_combo_and_check_box_edits_go_through_the_document(make, doc):
    ins, nid = make("cv.threshold")
    combo = one(ins, "mode", QComboBox)
    combo.activated.emit(combo.findText("ADAPTIVE_MEAN"))
    assert params(doc, nid)["mode"].name == "ADAPTIVE_MEAN"
    one(ins, "invert", QCheckBox).click()
    assert params(doc, nid)["invert"] is True
    doc.undo.undo()
    assert params(doc, nid)["invert"] is False and not one(ins, "invert", QCheckBox).isChecked()


def test_reset_to_default(make, doc, qtbot):
    ins, nid = make("cv.threshold")
    doc.set_param(nid, "block_size", 101)
    reset = ins.findChild(QToolButton, "reset_block_size")
    assert reset.isEnabled() and "51" in reset.toolTip()
    qtbot.mouseClick(reset, Qt.LeftButton)
    assert params(doc, nid)["block_size"] == 51 and one(ins, "block_size", QSpinBox).value() == 51
    assert not reset.isEnabled()


def test_text_param_commits_on_editing_finished(make, doc, qtbot):
    ins, nid = make("cv.draw_roi")
    edit = one(ins, "label", QLineEdit)
    edit.setFocus()
    qtbot.keyClicks(edit, "part A")
    assert params(doc, nid)["label"] == ""
    qtbot.keyClick(edit, Qt.Key_Return)
    assert params(doc, nid)["label"] == "part A"
    n = doc.undo.count()
    edit.editingFinished.emit()  # focus out after Enter: nothing new
    assert doc.undo.count() == n


# ---------------------------------------------------------------- paths and colours
def test_path_param_line_edit_and_browse_button(make, doc, qtbot, monkeypatch):
    ins, nid = make("io.image_file")
    edit = one(ins, "path", QLineEdit)
    button = ins.findChild(QToolButton, "browse")
    assert button is not None and edit.toolTip() == doc.registry["io.image_file"].param("path").help
    edit.setText("images/part 1.png")
    edit.editingFinished.emit()
    assert params(doc, nid)["path"] == "images/part 1.png"  # relative paths kept as typed
    asked = []

    def fake(spec, current):
        asked.append((spec.name, spec.path_mode, spec.path_filter, current))
        return "/data/golden.png"

    monkeypatch.setattr(ins, "choose_path", fake)
    qtbot.mouseClick(button, Qt.LeftButton)
    assert asked == [("path", "open", doc.registry["io.image_file"].param("path").path_filter, "images/part 1.png")]
    assert params(doc, nid)["path"] == "/data/golden.png" and edit.text() == "/data/golden.png"
    monkeypatch.setattr(ins, "choose_path", lambda spec, current: None)  # cancelled: nothing changes
    n = doc.undo.count()
    qtbot.mouseClick(button, Qt.LeftButton)
    assert doc.undo.count() == n
    doc.undo.undo()  # (quick successive edits of one parameter may merge into one step)
    assert params(doc, nid)["path"] != "/data/golden.png" and edit.text() == params(doc, nid)["path"]


def test_browsed_file_inside_the_saved_pipeline_folder_becomes_relative(make, doc, qtbot, monkeypatch, tmp_path):
    ins, nid = make("io.image_file")
    doc.save(tmp_path / "p.json")
    (tmp_path / "img").mkdir()
    monkeypatch.setattr(ins, "choose_path", lambda spec, current: str(tmp_path / "img" / "a.png"))
    qtbot.mouseClick(ins.findChild(QToolButton, "browse"), Qt.LeftButton)
    assert params(doc, nid)["path"] == "img/a.png"


def test_color_param_button_and_dialog(make, doc, qtbot, monkeypatch):
    ins, nid = make("cv.draw_roi")
    button = one(ins, "color", QPushButton)
    assert button.text() == "#ffc800" and not button.icon().isNull()
    monkeypatch.setattr(ins, "choose_color", lambda spec, current: Color(1, 2, 3))
    qtbot.mouseClick(button, Qt.LeftButton)
    assert params(doc, nid)["color"] == Color(1, 2, 3) and button.text() == "#010203"
    monkeypatch.setattr(ins, "choose_color", lambda spec, current: None)
    qtbot.mouseClick(button, Qt.LeftButton)
    assert params(doc, nid)["color"] == Color(1, 2, 3)
    doc.undo.undo()
    assert button.text() == "#ffc800"


# ---------------------------------------------------------------- ROIs
def test_roi_fields_whole_image_and_viewer(make, doc, qtbot, monkeypatch):
    monkeypatch.setattr(SetParamCmd, "MERGE_WINDOW_S", -1.0)  # every edit its own undo step
    ins, nid = make("cv.blob_analysis")
    whole = one(ins, "roi", QCheckBox)
    x = ins.findChild(QDoubleSpinBox, "roi_x")
    w = ins.findChild(QDoubleSpinBox, "roi_w")
    assert whole.isChecked() and not x.isEnabled() and params(doc, nid)["roi"] is None
    seen = []
    ins.roiChanged.connect(lambda *a: seen.append(a))
    ins.set_roi_from_viewer("roi", (10, 20, 30, 40))
    assert params(doc, nid)["roi"] == Roi.rect(10, 20, 30, 40)
    assert seen[-1] == (nid, "roi", Roi.rect(10, 20, 30, 40))
    assert not whole.isChecked() and x.isEnabled() and (x.value(), w.value()) == (10, 30)
    w.setValue(55)
    assert params(doc, nid)["roi"] == Roi.rect(10, 20, 55, 40)
    whole.click()
    assert params(doc, nid)["roi"] is None and seen[-1] == (nid, "roi", None)
    doc.undo.undo()
    assert seen[-1] == (nid, "roi", Roi.rect(10, 20, 55, 40)) and w.value() == 55 and not whole.isChecked()


def test_set_node_announces_rois_to_draw_and_to_clear(make, doc, qtbot):
    ins, a = make("cv.blob_analysis")
    doc.set_param(a, "roi", {"shape": "rect", "x": 1, "y": 2, "w": 3, "h": 4})
    b = doc.add_node("cv.threshold")
    seen = []
    ins.roiChanged.connect(lambda *args: seen.append(args))
    ins.set_node(b)
    assert seen == [(a, "roi", None)]  # stop drawing the old node's ROI
    ins.set_node(a)
    assert seen[-1] == (a, "roi", Roi.rect(1, 2, 3, 4))
    cleared = []
    ins.roiChanged.connect(lambda *args: cleared.append((ins.node_id(), args)))
    doc.remove_nodes([a])  # deleting the shown node un-draws its ROI (node_id() still names it then)
    assert cleared == [(a, (a, "roi", None))] and ins.node_id() is None


def test_selecting_the_shown_node_again_keeps_the_form_and_run_info(make, doc):
    ins, nid = make("cv.threshold")
    spin = one(ins, "value", QDoubleSpinBox)
    ins.set_run_info("ok", 1.0, [], "")
    ins.set_node(nid)
    assert one(ins, "value", QDoubleSpinBox) is spin and ins._run_box.isVisible()


def test_refused_roi_shows_the_reason_and_keeps_the_model(make, doc, qtbot):
    ins, nid = make("cv.blob_analysis")
    ins.set_roi_from_viewer("roi", (10, 20, 30, 40))
    messages = []
    ins.message.connect(messages.append)
    seen = []
    ins.roiChanged.connect(lambda *a: seen.append(a))
    n = doc.undo.count()
    ins.set_roi_from_viewer("roi", (10, 20, 0, 40))  # a rectangle dragged flat
    assert "positive w and h" in messages[-1] and seen[-1] == (nid, "roi", Roi.rect(10, 20, 30, 40))
    w = ins.findChild(QDoubleSpinBox, "roi_w")
    w.setValue(0)
    assert params(doc, nid)["roi"] == Roi.rect(10, 20, 30, 40) and doc.undo.count() == n
    assert messages and "positive w and h" in messages[-1]
    err = ins.findChild(type(ins._error), "error")
    assert err.isVisible() and err.text() == messages[-1]
    assert w.value() == 30  # back to the model's value
    w.setValue(31)
    assert not err.isVisible()


def test_non_rect_roi_is_edited_as_text_and_bad_text_is_refused(make, doc, qtbot):
    ins, nid = make("cv.blob_analysis")
    doc.set_param(nid, "roi", Roi.circle(50, 60, 10))
    text = ins.findChild(QLineEdit, "roi_text")
    assert text.isVisible() and '"circle"' in text.text()
    messages = []
    ins.message.connect(messages.append)
    text.setText('{"shape": "circle", "cx": 50, "cy": 60}')
    text.editingFinished.emit()
    assert params(doc, nid)["roi"] == Roi.circle(50, 60, 10)
    assert "needs keys" in messages[-1] and '"r": 10.0' in text.text()
    text.setText('{"shape": "circle", "cx": 5, "cy": 6, "r": 7}')
    text.editingFinished.emit()
    assert params(doc, nid)["roi"] == Roi.circle(5, 6, 7)
    text.setText("not json")
    text.editingFinished.emit()
    assert params(doc, nid)["roi"] == Roi.circle(5, 6, 7) and "expected an ROI" in messages[-1]


def test_out_of_range_value_is_refused_with_a_message(make, doc):
    ins, nid = make("cv.scale_to_mm")  # minimum 1e-09: the 3-decimal spin box can reach 0
    spin = one(ins, "mm_per_px", QDoubleSpinBox)
    messages = []
    ins.message.connect(messages.append)
    spin.setValue(0.0)
    assert "out of range" in messages[-1]
    assert params(doc, nid)["mm_per_px"] == 0.1 and spin.value() == 0.1


# ---------------------------------------------------------------- node life cycle, run info, language
def test_cleared_by_node_removal_and_document_reset(make, doc):
    ins, nid = make("cv.threshold")
    doc.remove_nodes([nid])
    assert ins.node_id() is None and ins._hint.isVisible()
    doc.undo.undo()
    ins.set_node(nid)
    assert ins.node_id() == nid and not ins._hint.isVisible()
    doc.new()
    assert ins.node_id() is None
    ins.set_node("nope")
    assert ins.node_id() is None


def test_run_info(make, doc):
    ins, nid = make("cv.threshold")
    ins.set_run_info("ok", 2.5, ["ran on CPU: no NVIDIA driver"], "")
    assert ins._run_box.isVisible() and "2.5 ms" in ins._run_status.text()
    assert ins._run_notes.text() == "ran on CPU: no NVIDIA driver" and not ins._run_error.isVisible()
    ins.set_run_info("failed", None, [], "cv.threshold: image is empty")
    assert ins._run_error.isVisible() and ins._run_error.text() == "cv.threshold: image is empty"
    ins.set_node(doc.add_node("cv.threshold"))  # another node: its own run info comes next
    assert not ins._run_box.isVisible()


def test_retranslate_uses_the_node_tables(make, doc):
    ins, nid = make("cv.threshold")
    try:
        i18n.set_language("zh_CN")
        ins.retranslate()
        assert ins._title.text() == "阈值"
        assert ins.findChild(type(ins._title), "label_block_size").text() == "块大小"
    finally:
        i18n.set_language("en")
    ins.retranslate()
    assert ins.findChild(type(ins._title), "label_block_size").text() == "Block size"
    assert one(ins, "value", QDoubleSpinBox).value() == 128.0


def test_scrolling_over_an_unfocused_spin_box_does_not_change_it(make, doc, qapp):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    ins, nid = make("cv.threshold")
    spin = one(ins, "block_size", QSpinBox)

    def wheel():
        ev = QWheelEvent(QPointF(5, 5), QPointF(spin.mapToGlobal(QPoint(5, 5))), QPoint(0, 0), QPoint(0, 120),
                         Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
        qapp.sendEvent(spin, ev)

    spin.clearFocus()
    wheel()
    assert params(doc, nid)["block_size"] == 51 and spin.value() == 51
