"""Writing a run's result files so that a full disk or a read-only folder costs one clear line and
never what was already written. No Qt.

* :func:`check_writable` tries the output folder before any work (read-only, full, no permission).
* :class:`RowLog` appends whole lines (results.jsonl), flushed per row; a write that fails is cut
  back to the last whole line, so every line in the file parses.
* :func:`write_replacing` writes a file beside its target and renames it over the target only when
  complete: a failure leaves the previous file as it was (never a 0-byte or half file).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Callable

from workbench.core.errors import WorkbenchError
from workbench.core.fsnames import display


class OutputWriteError(WorkbenchError):
    """A result file could not be written (disk full, read-only, no permission)."""


def why(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def check_writable(folder: Path) -> None:
    """Create ``folder`` if needed and write (then delete) a small probe file in it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-probe-", dir=folder)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        raise OutputWriteError(f"cannot write to the output folder {display(str(folder))}: {why(exc)}") from None


class RowLog:
    """results.jsonl: one JSON line per row, flushed as it is made."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lines = 0
        try:
            self._f: IO[str] | None = open(self.path, "w", encoding="utf-8")
        except OSError as exc:
            raise OutputWriteError(f"cannot write {display(str(self.path))}: {why(exc)}") from None

    def append(self, line: str) -> None:
        if self._f is None:
            raise OutputWriteError(f"{display(str(self.path))}: no longer written after a failed write")
        pos = self._f.tell()
        try:
            self._f.write(line + "\n")
            self._f.flush()
        except OSError as exc:
            self._cut(pos)
            raise OutputWriteError(f"cannot write {display(self.path.name)} in {display(str(self.path.parent))}: "
                                   f"{why(exc)}") from None
        self.lines += 1

    def _cut(self, pos: int) -> None:
        """Drop the part of a line that did not fit (cutting frees space: it works on a full disk)."""
        self.close()  # the buffered rest of the line cannot be written either
        try:
            os.truncate(self.path, pos)
        except OSError:
            pass

    def close(self) -> None:
        f, self._f = self._f, None
        if f is not None:
            try:
                f.close()
            except OSError:
                pass

    def __enter__(self) -> RowLog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_replacing(path: Path, write: Callable[[IO[str]], None], *, errors: str = "strict") -> None:
    """Write ``path`` through ``write(file)`` into a temporary file beside it, then rename it over
    ``path``. On failure the temporary file is removed and the old ``path`` (if any) is untouched."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", newline="", encoding="utf-8", errors=errors) as f:
            write(f)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        kept = " (the previous one is kept)" if path.exists() else ""
        raise OutputWriteError(f"cannot write {display(path.name)} in {display(str(path.parent))}: "
                               f"{why(exc)}{kept}") from None
