"""Every GUI string has a Chinese translation, and the compiled .qm matches the .ts."""

import importlib.util
from pathlib import Path

from workbench.core.paths import resources_dir

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "update_translations.py"


def _script():
    spec = importlib.util.spec_from_file_location("update_translations", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_gui_string_is_translated_and_the_qm_is_current(capsys):
    mod = _script()
    assert len(mod.gui_strings()) > 150
    assert mod.main(["--check"]) == 0, capsys.readouterr().out


def test_the_qm_file_translates(qapp):
    from PySide6.QtCore import QCoreApplication

    from workbench.gui.i18n import set_language, t

    assert (resources_dir() / "translations" / "workbench_zh_CN.qm").is_file()
    set_language("zh_CN")
    try:
        assert t("&File") == "文件(&F)"
        assert QCoreApplication.translate("workbench", "Inspector") == "属性"
    finally:
        set_language("en")
    assert t("&File") == "&File"


def test_a_new_untranslated_string_fails_the_check(tmp_path, monkeypatch, capsys):
    mod = _script()
    gui = tmp_path / "gui"
    gui.mkdir()
    (gui / "x.py").write_text('from workbench.gui.i18n import t\nt("A string nobody translated")\n')
    monkeypatch.setattr(mod, "GUI", gui)
    assert mod.main(["--check"]) == 1
    assert "untranslated" in capsys.readouterr().out


def test_qt_buttons_ports_descriptions_status_and_problems_in_chinese(qtbot):
    """Issue #13 item 12: Qt's own buttons, port names, node descriptions, the device text and
    the Problems kind follow the language too."""
    from PySide6.QtWidgets import QDialogButtonBox

    from workbench.core.i18n import source_strings
    from workbench.core.registry import default_registry
    from workbench.gui.i18n import node_tr, set_language
    from workbench.gui.mainwindow import MainWindow

    reg = default_registry()
    strings = set(source_strings(reg))
    thr = reg.get("cv.threshold")
    assert thr.description in strings and "image" in strings and "regions" in strings
    w = MainWindow(recover=False)
    qtbot.addWidget(w)
    w.problems.set_problems([], [("blur", "size must be odd")], [])
    try:
        w.set_language("zh_CN")
        box = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Discard | QDialogButtonBox.Yes
                               | QDialogButtonBox.No)
        assert [b.text() for b in box.buttons()] == ["保存", "丢弃", "是(&Y)", "否(&N)"]
        assert node_tr("image") == "图像" and node_tr(thr.description).startswith("将图像转换为二值掩膜")
        assert w.problems.tree.topLevelItem(0).text(0) == "错误"
        assert w.device_label.text().startswith(("CPU", "GPU")) and "—" in w.device_label.text() \
            or "GPU" in w.device_label.text()
        assert any("\u4e00" <= ch <= "\u9fff" for ch in w.device_label.text())
        w.canvas.select([w.canvas.add_node("cv.threshold")])
        assert w.inspector._desc.text().startswith("将图像转换为二值掩膜")
    finally:
        w.set_language("en")
        w.doc.undo.setClean()
        w.close()
