"""Starting the desktop workbench: the QApplication, settings, theme, language, the window.

``workbench gui [PIPELINE] [--screenshot FILE.png]``: with ``--screenshot`` the window opens
with the pipeline loaded and run once (its output in the viewer), a PNG of the whole window is
saved and the process exits 0.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.pipeline_file import load_pipeline
from workbench.runtime.inspection import final_image, final_node  # noqa: F401 (re-exported)


def _check_display() -> None:
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") \
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise WorkbenchError("no display found (DISPLAY is not set): run it on a desktop, "
                             "or use xvfb-run, or QT_QPA_PLATFORM=offscreen")


def make_app(argv: list[str] | None = None):
    """The QApplication with our names (QSettings location), theme and language."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from workbench.gui import theme
    from workbench.gui.i18n import saved_language, set_language

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    if not app.organizationName():
        app.setOrganizationName("VisionWorkbench")
        app.setApplicationName("Vision Workbench")
    app.setApplicationDisplayName("Vision Workbench")
    theme.apply_theme(str(QSettings().value("ui/theme", "dark")))
    from workbench.gui.security import load_allowed_folders

    load_allowed_folders()  # folders the user allowed pipelines to write to (their settings, not the pipeline)
    set_language(saved_language())
    return app


def run_gui(path: Path | None, screenshot: str | None = None, recover: bool = True) -> int:
    _check_display()
    if screenshot and path is not None:
        load_pipeline(path, allow_incomplete=True)  # a broken file: one line on the terminal, exit 2
    app = make_app()
    from PySide6.QtCore import QTimer

    from workbench.gui.mainwindow import MainWindow

    win = MainWindow(recover=recover and not screenshot)
    win.show()
    if not screenshot:
        if path is not None:
            win.open(Path(path), ask=False)
        QTimer.singleShot(0, win.offer_recovery) if recover else None
        try:
            return app.exec()
        finally:
            win.runner.shutdown()
    outcome = {"code": 0}

    def grab() -> None:
        win.canvas.fit()
        win.viewer.fit()
        app.processEvents()
        win.grab().save(str(screenshot))
        win.doc.undo.setClean()
        app.quit()

    win.ran.connect(lambda: QTimer.singleShot(300, grab))
    try:
        if path is None or not win.open(Path(path), ask=False):
            raise WorkbenchError(win.statusBar().currentMessage() or "no pipeline to show")
        QTimer.singleShot(60_000, lambda: (outcome.update(code=2), app.quit()))
        app.exec()
    finally:
        win._dirty_extra = False
        win.doc.undo.setClean()
        win.close()
        win.runner.shutdown()  # never leave the engine thread running at exit
    if outcome["code"]:
        raise WorkbenchError("the pipeline did not finish within 60 s; no screenshot taken")
    return 0
