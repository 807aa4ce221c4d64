"""GUI tests: QSettings go to a temporary folder, never the user's real settings."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, qapp):
    from PySide6.QtCore import QCoreApplication, QSettings

    folder = tmp_path_factory.mktemp("qsettings")
    QCoreApplication.setOrganizationName("VisionWorkbenchTests")
    QCoreApplication.setApplicationName("workbench-tests")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    for scope in (QSettings.UserScope, QSettings.SystemScope):
        QSettings.setPath(QSettings.IniFormat, scope, str(folder))
    QSettings().clear()
    yield folder


@pytest.fixture
def win(qtbot):
    """The engineering window, closed without asking at the end; the language is reset to English."""
    from workbench.gui import i18n
    from workbench.gui.mainwindow import MainWindow

    w = MainWindow(recover=False)
    qtbot.addWidget(w)
    w.ask_save_changes = lambda: "discard"
    yield w
    w._dirty_extra = False
    w.doc.undo.setClean()
    w.close()
    i18n.set_language("en")
