"""A real small file system that tests fill up and free again (no mocks of sqlite or the OS).

As root (CI runs as root), a tmpfs of ``size_kb`` is mounted on a folder under the test's tmp_path;
``fill()`` writes a filler file until the kernel answers ENOSPC, ``free()`` deletes it. Where mounting
is not allowed (not root), the kernel's file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored) is the
stand-in: ``fill()`` stops every file of this process (and of the subprocesses it starts: the limit and the
ignored signal are inherited) from growing, ``free()`` lifts the limit. Set WORKBENCH_TEST_NO_MOUNT=1 to
use the stand-in as root too.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import subprocess
from pathlib import Path


class SmallFs:
    def __init__(self, folder: Path, size_kb: int = 1024) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.mounted = False
        self.filled = False
        self._limit: tuple[int, int] | None = None
        self._filler = self.folder / "filler.bin"
        if not os.environ.get("WORKBENCH_TEST_NO_MOUNT") and hasattr(os, "geteuid") and os.geteuid() == 0:
            p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(self.folder)],
                               capture_output=True, text=True)
            self.mounted = p.returncode == 0

    @property
    def kind(self) -> str:
        return "tmpfs" if self.mounted else "RLIMIT_FSIZE"

    def fill(self, pid: int | None = None) -> int:
        """Make the file system full now; returns the filler's size (tmpfs) or the size limit (set on
        process ``pid`` when given: start it with ``preexec_fn=SmallFs.preexec``)."""
        self.filled = True
        if self.mounted:
            chunk = b"\0" * 4096
            with open(self._filler, "ab", buffering=0) as f:
                while True:
                    try:
                        f.write(chunk)
                    except OSError as exc:
                        assert exc.errno == errno.ENOSPC, exc
                        break
            return self._filler.stat().st_size
        limit = max([p.stat().st_size for p in self.folder.rglob("*") if p.is_file()] + [4096])
        if pid is not None:
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
            return limit
        self._limit = resource.getrlimit(resource.RLIMIT_FSIZE)
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, self._limit[1]))
        return limit

    def readonly(self) -> None:
        """Make the folder read-only: remount the tmpfs read-only (root is not stopped by modes), or
        take the write permission away (the stand-in; a root subprocess started with
        ``preexec_fn=SmallFs.without_override`` then respects it too)."""
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.folder)], check=True, capture_output=True)
        else:
            for p in [self.folder, *self.folder.rglob("*")]:
                if p.is_dir():
                    p.chmod(0o555)

    def writable(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,rw", str(self.folder)], check=True, capture_output=True)
        else:
            for p in [self.folder, *self.folder.rglob("*")]:
                if p.is_dir():
                    p.chmod(0o755)

    @staticmethod
    def limit(nbytes: int):
        """preexec_fn for a subprocess: files may not grow past ``nbytes`` (the stand-in's full disk)."""
        def preexec() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
        return preexec

    @staticmethod
    def without_override() -> None:
        """preexec_fn: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the child's bounding set, so
        that root obeys file modes (a root container where mounting is not allowed). No-op otherwise."""
        if os.geteuid() != 0:
            return
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
            libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP

    @staticmethod
    def preexec() -> None:
        """For a subprocess that ``fill(pid)`` may limit: a write past the limit fails with EFBIG."""
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def free(self) -> None:
        self.filled = False
        if self.mounted:
            self._filler.unlink(missing_ok=True)
        elif self._limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, self._limit)
            self._limit = None

    def close(self) -> None:
        self.writable()
        self.free()
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], capture_output=True)
            self.mounted = False
