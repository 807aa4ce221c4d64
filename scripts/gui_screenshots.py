#!/usr/bin/env python3
"""Take the user guide's screenshots of the real window (run it under xvfb-run for a real X server).

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/gui_screenshots.py [--out docs/images]

Settings and autosaves go to a temporary folder; the user's own are not touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="wb-shots-"))
    os.environ["XDG_DATA_HOME"] = str(tmp)
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("VisionWorkbenchShots")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp))
    from workbench.core.paths import demo_pipeline, pipelines_dir, resources_dir
    from workbench.gui import theme
    from workbench.gui.app import make_app
    from workbench.gui.mainwindow import MainWindow

    app = make_app()
    theme.apply_theme("dark")
    args.out.mkdir(parents=True, exist_ok=True)

    def settle(win, seconds: float = 0.4) -> None:
        win.runner.wait_idle(60)
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.01)

    def shot(win, name: str) -> None:
        settle(win)
        path = args.out / name
        win.grab().save(str(path))
        print(path)

    win = MainWindow(recover=False)
    win.resize(1600, 960)
    win.show()
    win.open(demo_pipeline(), ask=False)
    settle(win)
    win.canvas.fit()
    win.canvas.select(["blobs"])
    shot(win, "main.png")

    win.canvas.select(["threshold"])
    win.plots.setCurrentWidget(win.timing)
    shot(win, "tuning.png")

    win.viewer_panel.pin.setChecked(True)
    win.canvas.select(["overlay"])
    win.viewer_panel.compare_btn.setChecked(True)
    shot(win, "compare.png")
    win.viewer_panel.compare_btn.setChecked(False)
    win.viewer_panel.pin.setChecked(False)

    folder = tmp / "folder"
    folder.mkdir()
    import cv2

    coins = cv2.imread(str(resources_dir() / "samples" / "coins.png"))
    for i in range(12):  # the same photo, partly covered: fewer coins, some NG
        img = coins.copy()
        img[:, : 30 * (i % 6)] = 40
        cv2.imwrite(str(folder / f"coins_{i:02d}.png"), img)
    run = win.run_folder(folder)
    while run is not None and run.running:
        app.processEvents()
        time.sleep(0.01)
    win.canvas.select(["count"])
    shot(win, "folder_run.png")

    win.set_language("zh_CN")
    win.canvas.select(["threshold"])
    shot(win, "main_zh_CN.png")
    win.set_language("en")

    win.set_theme("light")
    win.open(pipelines_dir() / "ocr_lot_code.json", ask=False)
    settle(win, 1.0)
    win.canvas.fit()
    ocr = next((n for n, i in win.doc.pipeline.nodes.items() if i.type == "dl.ocr"), None)
    win.canvas.select([ocr] if ocr else [])
    shot(win, "light_ocr.png")
    win.set_theme("dark")
    win.doc.undo.setClean()
    win._dirty_extra = False
    win.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
