"""Languages in the GUI: Qt translation files for the widgets, core tables for node strings.

* Every user-visible widget string goes through :func:`t` (context ``workbench``). The
  literals are collected by ``scripts/update_translations.py`` into
  ``resources/translations/workbench_<lang>.ts`` (Qt Linguist format) and compiled with
  ``pyside6-lrelease`` into the ``.qm`` file that a :class:`QTranslator` loads.
* Node names, categories and parameter labels come from the node specs; :func:`node_tr`
  translates them with the same JSON tables the CLI uses (workbench.core.i18n).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QSettings, QTranslator

from workbench.core.i18n import LANGUAGES, tr
from workbench.core.paths import resources_dir

CONTEXT = "workbench"
_state: dict[str, object] = {"lang": "en", "translator": None}


def t(text: str) -> str:
    """Translate a GUI string (write the English literal directly in the call: it is extracted)."""
    return QCoreApplication.translate(CONTEXT, text)


def node_tr(text: str) -> str:
    """Translate a node name, category or parameter label into the current language."""
    return tr(text, str(_state["lang"]))


def current_language() -> str:
    return str(_state["lang"])


def saved_language() -> str:
    lang = str(QSettings().value("ui/language", "en"))
    return lang if lang in LANGUAGES else "en"


def qm_path(lang: str):
    return resources_dir() / "translations" / f"workbench_{lang}.qm"


def set_language(lang: str, save: bool = False) -> bool:
    """Install the translator for ``lang`` ("en" removes it). Widgets built afterwards use it;
    open windows re-translate on QEvent.LanguageChange. Returns False for an unknown language."""
    if lang not in LANGUAGES:
        return False
    app = QCoreApplication.instance()
    for key in ("translator", "qt_translator"):
        old = _state.get(key)
        if old is not None and app is not None:
            app.removeTranslator(old)
        _state[key] = None
    if lang != "en":
        trans = QTranslator()
        if trans.load(str(qm_path(lang))) and app is not None:
            app.installTranslator(trans)
            _state["translator"] = trans
        # Qt's own strings (Save/Discard/Yes/No buttons, file dialogs): the qtbase catalogue that
        # ships with PySide6 (inside the bundle when frozen)
        qt_trans = QTranslator()
        if qt_trans.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)) and app is not None:
            app.installTranslator(qt_trans)
            _state["qt_translator"] = qt_trans
    _state["lang"] = lang
    if save:
        QSettings().setValue("ui/language", lang)
    return True
