"""Shared helpers for the record-writing sinks (CSV and JSON lines)."""

from pathlib import Path

from workbench.core.errors import ParamError
from workbench.core.spec import NodeContext


def record_path(file: Path | str | None, ctx: NodeContext | None, suffix: str) -> Path:
    """The file to append to: relative names go into the run's output folder."""
    if file is None or str(file) in ("", "."):
        raise ParamError("file: a file name is required")
    p = Path(file)
    if not p.suffix:
        p = p.with_suffix(suffix)
    if ctx is not None:
        p = ctx.resolve(p, writing=True)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def input_name(ctx: NodeContext | None) -> str:
    return str(ctx.input_path.name) if ctx is not None and ctx.input_path else ""
