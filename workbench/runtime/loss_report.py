"""What a run could not record or deliver, as the lines the command line prints. No Qt.

Each line is (to_stderr, text); ``lost`` is True when anything was lost (exit status 4)."""

from __future__ import annotations

from pathlib import Path

Line = tuple[bool, str]


def db_lines(stats, processed: int, db_path: Path) -> tuple[list[Line], bool]:
    """Records that waited for the results database (a warning) or were lost (an error)."""
    if stats.dropped:
        return [(True, f"error: {stats.dropped} of {processed} records NOT recorded in {db_path}: "
                       f"{stats.last_error} ({stats.failures} failed writes; at most {stats.max_pending} "
                       f"waited in memory)")], True
    if stats.queued:
        return [(True, f"warning: {stats.queued} records waited for the database ({stats.last_error}) "
                       "and were written later; none lost")], False
    return [], False


def output_lines(outputs) -> tuple[list[Line], bool]:
    """The PLC (always: verdicts delivered of sent, lost) and text outputs (lines not sent)."""
    lines: list[Line] = []
    lost = False
    for out in outputs:
        if hasattr(out, "delivered"):  # a PLC
            lost = lost or out.lost > 0
            text = (f"PLC {out.host}:{out.port}: {out.delivered} of {out.total} verdicts reached the PLC, "
                    f"{out.lost} lost")
            if out.lost:
                text = "error: " + text + (f" (last error: {out.last_error})" if out.last_error else "")
            lines.append((bool(out.lost), text))
        elif getattr(out, "dropped", 0):
            lost = True
            lines.append((True, f"error: text output {out.host}:{out.port}: {out.dropped} of {out.count} "
                                "lines not sent"))
    return lines, lost


def stream_lines(runner, db_path: Path | None) -> tuple[list[Line], bool]:
    """Everything a finished stream lost: records, verdicts, text lines."""
    lines, lost = [], False
    if runner.recorder is not None and hasattr(runner.recorder, "writer"):
        lines, lost = db_lines(runner.recorder.writer.stats, runner.stats.processed, db_path)
    more, more_lost = output_lines(runner.outputs)
    return lines + more, lost or more_lost
