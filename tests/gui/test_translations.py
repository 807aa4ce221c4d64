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
