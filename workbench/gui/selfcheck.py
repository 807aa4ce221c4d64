"""The self-test's GUI check: the Qt modules the app needs import and a QApplication starts.
Lives here because Qt is only imported under workbench/gui."""

from __future__ import annotations

import os


def qt_status() -> dict[str, str]:
    import pyqtgraph
    from PySide6 import QtCore, QtGui, QtWidgets

    import workbench.gui.app  # noqa: F401  (a frozen build that excluded too much fails here)

    app = QtWidgets.QApplication.instance()
    if app is None:
        plat = os.environ.get("QT_QPA_PLATFORM") or "offscreen"
        app = QtWidgets.QApplication(["workbench-selftest", "-platform", plat])
    import PySide6

    return {"qt": QtCore.qVersion(), "platform_plugin": QtGui.QGuiApplication.platformName(),
            "PySide6-Essentials": PySide6.__version__, "pyqtgraph": pyqtgraph.__version__}
