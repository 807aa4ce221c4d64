"""The audit trail: mode changes and password tries, with time, in the results database and the log.

Table ``audit(id, time, event, role, detail)`` in the same SQLite file as the inspections (created
on first use, so a database without it still opens with older versions). Events:
``operator mode entered``, ``operator mode left``, ``wrong password``, ``locked out``,
``password set``, ``password refused`` (a damaged or missing credential file).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

log = logging.getLogger("workbench.audit")

ENTERED, LEFT, WRONG, LOCKED, SET, REFUSED = ("operator mode entered", "operator mode left", "wrong password",
                                               "locked out", "password set", "password refused")


@dataclass(frozen=True)
class AuditEvent:
    id: int
    time: str
    event: str
    role: str
    detail: str


def _table(conn) -> None:
    conn.execute("""CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        event TEXT NOT NULL,
        role TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '')""")


class AuditLog:
    """Writes each event to the log (always) and to ``db`` (a ResultsDB) when there is one."""

    def __init__(self, db=None) -> None:
        self.db = db
        self._lock = getattr(db, "_lock", None) or threading.Lock()

    def record(self, event: str, role: str = "", detail: str = "") -> None:
        from workbench.runtime.results import now_iso

        log.warning("%s%s%s", event, f" ({role})" if role else "", f": {detail}" if detail else "")
        if self.db is None:
            return
        try:
            with self._lock, self.db.conn:
                _table(self.db.conn)
                self.db.conn.execute("INSERT INTO audit(time, event, role, detail) VALUES (?, ?, ?, ?)",
                                     (now_iso(), event, role, detail))
        except Exception as exc:  # an audit write failure is logged, never stops the line
            log.error("audit record not written to %s: %s", getattr(self.db, "path", "?"), exc)


def audit_events(db) -> list[AuditEvent]:
    """Every audit event in ``db``, oldest first (none when the table does not exist yet)."""
    with getattr(db, "_lock", threading.Lock()):
        exists = db.conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='audit'").fetchone()
        if not exists:
            return []
        rows = db.conn.execute("SELECT id, time, event, role, detail FROM audit ORDER BY id").fetchall()
    return [AuditEvent(*r) for r in rows]


def recent_failures(db, window_s: float) -> tuple[int, float]:
    """(wrong passwords in a row since the operator screen was last left, within the last ``window_s``
    seconds; seconds since the last of them). Lets a restarted operator screen keep the delay and the
    lock-out instead of starting again from zero."""
    from datetime import datetime, timezone

    if db is None:
        return 0, 0.0
    try:
        events = audit_events(db)
    except Exception:
        return 0, 0.0
    now = datetime.now(timezone.utc)
    count, last_age = 0, 0.0
    for e in reversed(events):
        if e.event == LEFT:
            break
        if e.event != WRONG:
            continue
        try:
            age = (now - datetime.fromisoformat(e.time)).total_seconds()
        except ValueError:
            break
        if age > window_s:
            break
        if count == 0:
            last_age = max(0.0, age)
        count += 1
    return count, last_age
