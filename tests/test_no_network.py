"""The app opens no network socket of its own (air-gapped PCs): only a configured camera URL or PLC.

Runs the demo and the OCR example through the CLI paths (run, stream, replay), the main window
and the operator screen, with Python's socket constructor recording every socket made, then checks
/proc/self/fd for sockets opened below Python (OpenCV, ONNX Runtime, Qt). Unix-domain sockets
(the X/D-Bus kind a desktop session uses) are not network sockets and are allowed.
"""

import os
import socket
import sys
import time
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core.paths import demo_pipeline, pipelines_dir, samples_dir


def _inet_socket_fds() -> set[str]:
    """Inodes of the INET/INET6 sockets this process has open (from /proc/net/{tcp,udp}[6])."""
    mine = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[8:-1])
    inet = set()
    for table in ("tcp", "tcp6", "udp", "udp6"):
        path = Path("/proc/self/net") / table
        if path.exists():
            for line in path.read_text().splitlines()[1:]:
                parts = line.split()
                if len(parts) > 9:
                    inet.add(parts[9])
    return mine & inet


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_no_network_socket_is_opened(monkeypatch, tmp_path, qapp):
    made = []
    real = socket.socket

    class Recording(real):
        def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
            super().__init__(family, type, proto, fileno)
            if self.family in (socket.AF_INET, socket.AF_INET6):
                made.append((self.family, self.type))

    monkeypatch.setattr(socket, "socket", Recording)
    before = _inet_socket_fds()
    out = tmp_path / "o"
    assert main(["run", str(demo_pipeline()), "-o", str(out), "-q", "--db", str(tmp_path / "r.db"),
                 "--archive-all"]) == 0
    assert main(["run", str(pipelines_dir() / "ocr_lot_code.json"), "-o", str(tmp_path / "ocr"), "-q"]) == 0
    assert main(["replay", str(demo_pipeline()), "--db", str(tmp_path / "r.db"), "-o", str(tmp_path / "rep")]) == 0
    assert main(["stream", str(demo_pipeline()), "--source", f"folder:{samples_dir()}", "--loop",
                 "--frames", "5", "--no-db", "-o", str(tmp_path / "s"), "--quiet"]) == 0

    from workbench.gui.mainwindow import MainWindow

    win = MainWindow(recover=False)
    win.open(demo_pipeline())
    assert win.runner.wait_idle(30)
    op = win.open_operator("")  # the pipeline's own image: one inspection per trigger
    assert op is not None
    end = time.monotonic() + 30
    while not op.running and time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.05)
    for _ in range(3):
        op.trigger()
    while op.tally.counters()["total"] < 3 and time.monotonic() < end:
        qapp.processEvents()
        time.sleep(0.05)
    assert op.tally.counters()["total"] >= 3
    op.close_without_password()
    win.doc.undo.setClean()
    win.close()
    assert made == [], f"sockets created: {made}"
    assert _inet_socket_fds() - before == set()
