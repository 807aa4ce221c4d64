"""`workbench operator`: the operator screen as its own program (see workbench.gui.operator)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer

from workbench.core.errors import WorkbenchError
from workbench.core.graph import Pipeline
from workbench.gui.operator import OperatorWindow
from workbench.runtime.credentials import require_engineer_password
from workbench.runtime.sources import FrameSource, TriggerMode


def check_display() -> None:
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") \
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise WorkbenchError("no display found (DISPLAY is not set): run it on a desktop, "
                             "or use xvfb-run, or QT_QPA_PLATFORM=offscreen")


def run_operator(pipeline: Pipeline, source: FrameSource, *, pipeline_name: str = "", db=None, archive=None,
                 plc=None, outputs: list[Any] = (), output_dir: Path | None = None, source_node: str | None = None,
                 windowed: bool = False, screenshot: str | Path | None = None, frames: int | None = None,
                 timeout_s: float = 120.0) -> int:
    """Open the operator screen and run the stream until the user leaves it (exit status 0).

    ``frames`` stops the stream after that many frames. With ``screenshot``: once ``frames``
    results (default 20) are counted, or the source ended, save a PNG of the window (the stream
    still running, as an operator sees it), stop and return 0; WorkbenchError when no frame was
    processed within ``timeout_s``."""
    check_display()
    credentials = require_engineer_password()  # never a screen that nobody can leave
    from workbench.gui.app import make_app

    app = make_app()  # the main app's names, theme and saved language
    shot_after = (frames or 20) if screenshot else None
    win = OperatorWindow(pipeline, source, db=db, archive=archive, pipeline_name=pipeline_name, plc=plc,
                         outputs=outputs, output_dir=output_dir, source_node=source_node,
                         max_frames=None if screenshot else frames, credentials=credentials)
    win.exitRequested.connect(app.quit)
    win.show_operator(fullscreen=not windowed)
    outcome: dict[str, Any] = {"error": None, "taken": False}
    if screenshot:
        def save() -> None:
            if win.tally.total == 0:
                outcome["error"] = (win.runner.error if win.runner is not None and win.runner.error
                                    else "no frame was processed")
            elif not win.grab().save(str(screenshot)):
                outcome["error"] = f"cannot write the screenshot {screenshot}"
            win.close_without_password()
            app.quit()

        def maybe_grab(*_args) -> None:
            if outcome["taken"] or (win.tally.total < shot_after and win.running):
                return
            outcome["taken"] = True
            win.render()
            QTimer.singleShot(600, save)  # the trend chart and the clock refresh 4 times a second

        def too_late() -> None:
            if not outcome["taken"]:
                outcome["error"] = f"no result within {timeout_s:.0f} s; no screenshot taken"
                win.close_without_password()
                app.quit()

        win.rendered.connect(maybe_grab)
        win.streamStopped.connect(maybe_grab)
        if getattr(source, "trigger", None) is not None and source.trigger.mode is TriggerMode.SOFTWARE:
            presses = QTimer(win)  # a screenshot of a triggered screen: press Trigger until it is taken
            presses.timeout.connect(lambda: None if outcome["taken"] else win.trigger())
            presses.start(150)
        QTimer.singleShot(int(timeout_s * 1000), too_late)
    QTimer.singleShot(0, win.start)
    app.exec()
    if win.runner is not None:
        win.runner.stop()
    if outcome["error"]:
        raise WorkbenchError(str(outcome["error"]))
    return 0
