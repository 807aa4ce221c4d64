"""Where a pipeline may write: inside the run's output folder, or in a folder the *user* allowed.

A pipeline file is data that may come from anyone; it must not be able to write anywhere the user
can. Written paths (Save Image's folder, Write CSV/JSON's file) are relative to the run's output
folder; an absolute path, a ``~`` path or a ``..`` step is refused — at load time (``validate``,
``run``: one problem per parameter) and again when the node runs (a symlink inside the output
folder that leads out of it is refused there too) — unless the folder was allowed by the user:

* the command line: ``--allow-write DIR`` (for that process only);
* the GUI: a confirmation, remembered in the user's own settings (never in the pipeline file).

The allowed folders are process-wide (:func:`allow_folder`); nothing in a pipeline can add one.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path, PurePosixPath, PureWindowsPath

from workbench.core.errors import ParamError

_lock = threading.Lock()
_allowed: list[Path] = []

HOW = "use a path relative to the output folder, or allow the folder (--allow-write DIR, or confirm it in the GUI)"


def allow_folder(folder: str | Path) -> Path:
    """Allow writing into ``folder`` (and below) for this process; returns its resolved path."""
    p = Path(os.path.expanduser(str(folder))).resolve()
    with _lock:
        if p not in _allowed:
            _allowed.append(p)
    return p


def allowed_folders() -> list[Path]:
    with _lock:
        return list(_allowed)


def clear_allowed() -> None:
    """Forget every allowed folder (tests; a GUI that reloads the user's settings)."""
    with _lock:
        _allowed.clear()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def is_allowed(path: str | Path) -> bool:
    """True when ``path`` (resolved, links followed) lies in an allowed folder."""
    real = Path(os.path.expanduser(str(path))).resolve()
    return any(_inside(real, a) for a in allowed_folders())


def escape_reason(text: str) -> str | None:
    """Why the written path ``text`` would leave the output folder (absolute, ``~``, ``..``), or None.
    Both POSIX and Windows spellings are checked, so a file made on one system is judged the same on the other."""
    if text.startswith("~"):
        return "a home-folder path"
    win, posix = PureWindowsPath(text), PurePosixPath(text)
    if posix.is_absolute() or win.drive or win.root:
        return "an absolute path"
    if ".." in win.parts or ".." in posix.parts:
        return "a '..' step"
    return None


def write_problem(text: str) -> str | None:
    """The one-line problem with a written path parameter's value, or None when it may be written."""
    if not text:
        return None
    why = escape_reason(text)
    if why is None:
        return None
    if why != "a '..' step" and is_allowed(text):
        return None
    return f"writes to {text!r} ({why}) outside the run's output folder: {HOW}"


def confine(path: str | Path, output_dir: Path) -> Path:
    """The path a node writes for the parameter value ``path``: inside ``output_dir``, or in an allowed
    folder. Raises ParamError otherwise, also when a link inside the output folder leads out of it."""
    text = str(path)
    root = Path(output_dir).resolve()
    if Path(text).is_absolute() and _inside(Path(text).resolve(), root):
        return Path(text)  # already resolved into the output folder (the engine resolves path parameters)
    problem = write_problem(text)
    if problem:
        raise ParamError(problem)
    if escape_reason(text) is not None:  # an allowed absolute / ~ path
        return Path(os.path.expanduser(text))
    out = Path(output_dir) / text
    real = out.resolve()
    if not _inside(real, root) and not any(_inside(real, a) for a in allowed_folders()):
        raise ParamError(f"writes to {text!r}, which a link leads outside the run's output folder (to {real}): {HOW}")
    return out


def pipeline_write_problems(pipe) -> list:
    """Problems (core.errors.Problem) for every written path parameter of ``pipe`` (subgraphs included)."""
    from workbench.core.errors import Problem

    out = []

    def walk(p, prefix: str) -> None:
        for nid, inst in p.nodes.items():
            for spec in inst.spec.params:
                if spec.kind == "path" and spec.path_mode in ("save", "save_dir"):
                    why = write_problem(str(inst.params.get(spec.name) or ""))
                    if why:
                        out.append(Problem(f"{prefix}node {nid}", f"{spec.name}: {why}"))
            if inst.graph is not None:
                walk(inst.graph, f"{prefix}node {nid}/")

    walk(pipe, "")
    return out


def outside_folders(pipe) -> list[Path]:
    """The folders outside the output folder that ``pipe`` writes to and that are not allowed yet
    (absolute and ``~`` paths; what the GUI asks the user about)."""
    found: list[Path] = []

    def walk(p) -> None:
        for inst in p.nodes.values():
            for spec in inst.spec.params:
                if spec.kind == "path" and spec.path_mode in ("save", "save_dir"):
                    text = str(inst.params.get(spec.name) or "")
                    why = escape_reason(text) if text else None
                    if why in ("an absolute path", "a home-folder path") and not is_allowed(text):
                        full = Path(os.path.expanduser(text))
                        folder = full if spec.path_mode == "save_dir" else full.parent
                        if folder not in found:
                            found.append(folder)
            if inst.graph is not None:
                walk(inst.graph)

    walk(pipe)
    return found
