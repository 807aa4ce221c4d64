"""Debian's GigE Vision camera simulator (arv-fake-gv-camera-0.8, package aravis-tools) on loopback,
started and stopped by the tests themselves. scripts/setup.sh installs it; nothing is installed here."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest

BINARY = "arv-fake-gv-camera-0.8"


def wait_until(cond, timeout: float, step: float = 0.05) -> bool:
    """Poll ``cond`` until it holds or ``timeout`` seconds pass (a liveness deadline, not a timing)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return bool(cond())


class FakeCamera:
    """One simulator process: 512x512 Mono8 at 25 fps, device id ``Aravis-Fake-<serial>``."""

    def __init__(self, serial: str) -> None:
        self.serial = serial
        self.device_id = f"Aravis-Fake-{serial}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> FakeCamera:
        exe = shutil.which(BINARY)
        if exe is None:
            pytest.fail(f"{BINARY} not found: run scripts/setup.sh (it installs Debian's aravis-tools)",
                        pytrace=False)
        self.proc = subprocess.Popen([exe, "-i", "127.0.0.1", "-s", self.serial], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, start_new_session=True)
        if not wait_until(lambda: self._answers() or self.proc.poll() is not None, 15, 0.2) or self.proc.poll():
            err = self.proc.stderr.read().decode(errors="replace").strip() if self.proc.poll() is not None else ""
            self.kill()
            pytest.fail(f"{BINARY} did not come up on 127.0.0.1 ({err or 'no answer'}): is another one running?",
                        pytrace=False)
        return self

    def _answers(self) -> bool:
        from workbench.runtime.genicam import load_aravis

        arv = load_aravis()
        try:
            arv.Camera.new("127.0.0.1")
            return True
        except Exception:
            return False

    def kill(self) -> None:
        """Pull the plug: SIGKILL, no goodbye on the wire."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None
