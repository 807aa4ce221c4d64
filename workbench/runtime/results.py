"""The results database: every inspection as one row in SQLite, plus an image archive.

* WAL journal; every record is committed on its own (``add`` returns after COMMIT). With WAL and
  ``synchronous=NORMAL`` a committed record survives the process being killed (SIGKILL, crash);
  a power cut may lose the last few commits. ``durable=True`` (synchronous=FULL) fsyncs each
  commit and loses none, at a few ms per record. Maximum loss when the process dies: 0 committed
  records; a record being written when it dies is either wholly there or absent.
* ``schema_version`` table and an ordered list of migrations; a database from a newer version
  is refused with both versions named.
* :class:`Archive` keeps NG images (or all) in a folder under a byte cap, deleting the oldest
  files first. Rows keep the path; a deleted image shows as "missing image" in a replay.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sqlite3
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from workbench.core.csvsafe import safe_row
from workbench.core.errors import WorkbenchError
from workbench.core.fsnames import FSNAME_ERRORS, display, has_surrogates
from workbench.core.paths import user_data_dir

SCHEMA_VERSION = 2


def default_db_path() -> Path:
    return user_data_dir() / "results.db"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def iso_from_ts(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds")


def parse_time(text: str) -> str:
    """A user's --since/--until value (ISO date or date-time, local time when no zone) as UTC ISO."""
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise WorkbenchError(f"not a date/time: {text!r} (expected e.g. 2026-11-21 or 2026-11-21T08:30)") from None
    if dt.tzinfo is None:
        dt = dt.astimezone()
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def pipeline_hash(pipeline) -> str:
    """Content hash of the canonical pipeline file text (what `save` would write)."""
    from workbench.core.pipeline_file import dumps_pipeline

    return hashlib.sha256(dumps_pipeline(pipeline).encode("utf-8")).hexdigest()[:16]


@dataclass
class Inspection:
    time: str = field(default_factory=now_iso)
    pipeline: str = ""
    pipeline_hash: str = ""
    input: str = ""  # the file or frame id
    source: str = ""  # the source it came from (folder:…, camera:0, a batch input folder)
    frame: int = 0
    status: str = "ok"  # ok | error
    verdict: str | None = None  # OK | NG | None
    reasons: list[str] = field(default_factory=list)
    measurements: dict[str, Any] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    detections: dict[str, Any] = field(default_factory=dict)  # {"count": n, "labels": {"scratch": 2}}
    provider: str = ""  # "detect: ran on CUDA (…)"; empty when no model ran
    latency_ms: float = 0.0
    image_path: str | None = None
    errors: list[str] = field(default_factory=list)
    id: int | None = None


# ---------------------------------------------------------------- migrations
def _m1(conn: sqlite3.Connection) -> None:
    conn.execute("""CREATE TABLE inspections (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        pipeline TEXT NOT NULL,
        pipeline_hash TEXT NOT NULL,
        input TEXT NOT NULL,
        status TEXT NOT NULL,
        verdict TEXT,
        reasons TEXT NOT NULL DEFAULT '[]',
        measurements TEXT NOT NULL DEFAULT '{}',
        detections TEXT NOT NULL DEFAULT '{}',
        provider TEXT NOT NULL DEFAULT '',
        latency_ms REAL NOT NULL DEFAULT 0,
        image_path TEXT)""")


def _m2(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE inspections ADD COLUMN source TEXT NOT NULL DEFAULT ''")
    conn.execute("ALTER TABLE inspections ADD COLUMN frame INTEGER NOT NULL DEFAULT 0")
    conn.execute("ALTER TABLE inspections ADD COLUMN texts TEXT NOT NULL DEFAULT '{}'")
    conn.execute("ALTER TABLE inspections ADD COLUMN errors TEXT NOT NULL DEFAULT '[]'")
    conn.execute("CREATE INDEX IF NOT EXISTS inspections_time ON inspections(time)")
    conn.execute("CREATE INDEX IF NOT EXISTS inspections_verdict ON inspections(verdict)")


MIGRATIONS = [_m1, _m2]  # MIGRATIONS[i] takes the schema from version i to i + 1
assert len(MIGRATIONS) == SCHEMA_VERSION

COLUMNS = ("id", "time", "pipeline", "pipeline_hash", "input", "source", "frame", "status", "verdict",
           "reasons", "measurements", "texts", "detections", "provider", "latency_ms", "image_path", "errors")
JSON_COLUMNS = ("reasons", "measurements", "texts", "detections", "errors")


def schema_version(conn: sqlite3.Connection) -> int:
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema to ``target``, one migration per transaction. Returns the version."""
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise WorkbenchError(f"the results database has schema version {version}; this workbench reads "
                             f"up to {SCHEMA_VERSION} (update the workbench)")
    while version < target:
        with conn:  # one transaction: the migration and the new version number together
            MIGRATIONS[version](conn)
            conn.execute("DELETE FROM schema_version")
            conn.execute("INSERT INTO schema_version(version) VALUES (?)", (version + 1,))
        version += 1
    return version


class ResultsDB:
    """One SQLite file. Thread-safe (one connection behind a lock); ``add`` commits each record."""

    def __init__(self, path: str | Path | None = None, *, durable: bool = False, readonly: bool = False) -> None:
        self.path = Path(path) if path else default_db_path()
        self._lock = threading.Lock()
        try:
            if readonly:
                if not self.path.is_file():
                    raise WorkbenchError(f"results database not found: {self.path}")
                self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10)
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            if readonly:
                v = schema_version_ro(self.conn)
                if v > SCHEMA_VERSION:
                    raise WorkbenchError(f"the results database has schema version {v}; this workbench "
                                         f"reads up to {SCHEMA_VERSION} (update the workbench)")
            else:
                migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            raise WorkbenchError(f"cannot open results database {display(str(self.path))}: {exc}") from None
        except OSError as exc:  # its folder cannot be made (read-only, full)
            raise WorkbenchError(f"cannot open results database {display(str(self.path))}: "
                                 f"{exc.strerror or exc}") from None

    # -- writing ---------------------------------------------------------------------------
    def add(self, rec: Inspection) -> int:
        values = asdict(rec)
        values.pop("id")
        for k in JSON_COLUMNS:
            values[k] = json_text(values[k])
        for k, v in values.items():
            values[k] = to_db_text(v)
        cols = list(values)
        with self._lock:
            with self.conn:  # commits
                cur = self.conn.execute(
                    f"INSERT INTO inspections({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    [values[c] for c in cols])
        rec.id = int(cur.lastrowid)
        return rec.id

    def set_image_path(self, rec_id: int, path: str | None) -> None:
        with self._lock, self.conn:
            self.conn.execute("UPDATE inspections SET image_path=? WHERE id=?", (to_db_text(path), rec_id))

    # -- reading ---------------------------------------------------------------------------
    def query(self, *, since: str | None = None, until: str | None = None, limit: int | None = None,
              verdict: str | None = None, with_image: bool = False) -> list[Inspection]:
        where, args = [], []
        if since:
            where.append("time >= ?")
            args.append(since)
        if until:
            where.append("time <= ?")
            args.append(until)
        if verdict:
            where.append("verdict = ?")
            args.append(verdict)
        if with_image:
            where.append("image_path IS NOT NULL")
        sql = f"SELECT {', '.join(COLUMNS)} FROM inspections"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            rows = self.conn.execute(sql, args).fetchall()
        out = []
        for row in rows:
            d = {k: os.fsdecode(v) if isinstance(v, bytes) else v for k, v in zip(COLUMNS, row)}
            for k in JSON_COLUMNS:
                d[k] = json.loads(d[k]) if d[k] else ([] if k in ("reasons", "errors") else {})
            out.append(Inspection(**d))
        return out

    def count(self) -> int:
        with self._lock:
            return int(self.conn.execute("SELECT COUNT(*) FROM inspections").fetchone()[0])

    def export_csv(self, path: str | Path, **query) -> int:
        recs = self.query(**query)
        mcols = sorted({k for r in recs for k in r.measurements})
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="", encoding="utf-8", errors=CSV_ERRORS) as f:
            w = csv.writer(f)
            w.writerow(safe_row(["id", "time", "pipeline", "pipeline_hash", "input", "source", "frame", "status", "verdict",
                        "reasons", "detections", "provider", "latency_ms", "image_path", *mcols, "errors"]))
            for r in recs:
                w.writerow(safe_row([r.id, r.time, r.pipeline, r.pipeline_hash, r.input, r.source, r.frame, r.status,
                            r.verdict or "", "; ".join(r.reasons),
                            json.dumps(r.detections, ensure_ascii=False) if r.detections else "",
                            r.provider, r.latency_ms, r.image_path or "",
                            *[r.measurements.get(c, "") for c in mcols], " | ".join(r.errors)]))
        return len(recs)

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> ResultsDB:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ---------------------------------------------------------------- file names that are not UTF-8
# A POSIX file name is any bytes; Python gives undecodable bytes as lone surrogates (surrogateescape),
# which UTF-8 (SQLite TEXT, JSON files, CSV, the console) cannot hold. The database keeps such a
# text as a BLOB of the original bytes (os.fsencode; read back with os.fsdecode: the same path);
# JSON escapes it (\udcff, read back exactly); CSV and console lines show the bytes as \xff.
CSV_ERRORS = FSNAME_ERRORS


def to_db_text(value):
    """A str SQLite can store: unchanged, or the original bytes (BLOB) of an undecodable file name."""
    return os.fsencode(value) if isinstance(value, str) and has_surrogates(value) else value


def json_text(value) -> str:
    """JSON of ``value``, readable non-ASCII text where possible, always valid UTF-8."""
    text = json.dumps(value, ensure_ascii=False, default=_json_default)
    return json.dumps(value, default=_json_default) if has_surrogates(text) else text


def schema_version_ro(conn: sqlite3.Connection) -> int:
    try:
        row = conn.execute("SELECT version FROM schema_version").fetchone()
    except sqlite3.OperationalError:
        return 0
    return int(row[0]) if row else 0


def _json_default(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return str(v)


# ---------------------------------------------------------------- archive
class Archive:
    """Images of inspections in ``folder`` (one sub-folder per day), at most ``max_bytes`` in all:
    the oldest files go first when a new one would pass the cap."""

    def __init__(self, folder: str | Path, *, max_bytes: int = 2 * 1024**3, save_all: bool = False) -> None:
        self.folder = Path(folder)
        self.max_bytes = int(max_bytes)
        self.save_all = save_all
        self.deleted = 0
        self._lock = threading.Lock()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkbenchError(f"cannot make the image archive {display(str(self.folder))}: "
                                 f"{exc.strerror or exc}") from None
        files = sorted((p for p in self.folder.rglob("*") if p.is_file()), key=lambda p: (p.stat().st_mtime, str(p)))
        self._files: deque[tuple[Path, int]] = deque((p, p.stat().st_size) for p in files)
        self.total_bytes = sum(s for _, s in self._files)

    def wants(self, verdict: str | None, status: str = "ok") -> bool:
        return self.save_all or verdict == "NG" or status == "error"

    def _target(self, stem: str, ext: str) -> Path:
        now = datetime.now()
        day = self.folder / now.strftime("%Y%m%d")
        day.mkdir(exist_ok=True)
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80]
        return day / f"{now.strftime('%H%M%S-%f')}_{safe}{ext}"

    def save_image(self, image: np.ndarray, stem: str) -> Path:
        from workbench.core.imageio import write_image

        path = write_image(self._target(stem, ".png"), image)
        return self._added(path)

    def save_file(self, src: str | Path, stem: str | None = None) -> Path:
        src = Path(src)
        path = self._target(stem or src.stem, src.suffix.lower() or ".png")
        shutil.copyfile(src, path)
        return self._added(path)

    def _added(self, path: Path) -> Path:
        size = path.stat().st_size
        with self._lock:
            self._files.append((path, size))
            self.total_bytes += size
            while self.total_bytes > self.max_bytes and len(self._files) > 1:
                old, old_size = self._files.popleft()
                try:
                    os.unlink(old)
                except FileNotFoundError:
                    pass
                self.total_bytes -= old_size
                self.deleted += 1
        return path


# ---------------------------------------------------------------- from a run
def inspection_from_run(res, row, *, pipeline_name: str, pipeline_digest: str, source: str = "",
                        frame: int = 0, latency_ms: float | None = None, when: str | None = None) -> Inspection:
    """An Inspection (the record with its context, as stored) from the engine's RunResult and the
    inspection record made from it (runtime/inspection.py)."""
    detections, provider = dict(row.detections), row.provider
    return Inspection(time=when or now_iso(), pipeline=pipeline_name, pipeline_hash=pipeline_digest,
                      input=row.input, source=source, frame=frame, status=row.status, verdict=row.verdict,
                      reasons=list(row.reasons), measurements=dict(row.measurements), texts=dict(row.texts),
                      detections=detections, provider=provider,
                      latency_ms=round(row.total_ms if latency_ms is None else latency_ms, 3),
                      errors=list(row.errors))


class BatchRecorder:
    """Hook for BatchRun.on_result: writes one record per input (and archives the image). A record
    whose write fails waits in a bounded memory queue and is retried (``writer``, a RetryQueue);
    ``close`` makes the last tries and counts what is lost."""

    def __init__(self, db: ResultsDB, pipeline, pipeline_name: str, *, archive: Archive | None = None,
                 source: str = "", queue_size: int = 1000) -> None:
        from workbench.runtime.retry_queue import RetryQueue

        self.db, self.archive, self.source = db, archive, source
        self.name, self.digest = pipeline_name, pipeline_hash(pipeline)
        self.ids: list[int] = []
        self.writer = RetryQueue(db.add, what=f"results database {db.path.name}", maxlen=queue_size,
                                 errors=(sqlite3.Error, OSError))

    def close(self):
        return self.writer.close()

    def __call__(self, index: int, path: Path, res, row) -> None:
        rec = inspection_from_run(res, row, pipeline_name=self.name, pipeline_digest=self.digest,
                                  source=self.source, frame=index)
        if self.archive is not None and self.archive.wants(rec.verdict, rec.status) and Path(path).is_file():
            try:
                rec.image_path = str(self.archive.save_file(path))
            except OSError as exc:
                rec.errors.append(f"archive: {exc}")
        rec_id = self.writer.submit(rec)
        if rec_id is not None:
            self.ids.append(rec_id)


def records_to_dicts(recs: Iterable[Inspection]) -> list[dict]:
    return [asdict(r) for r in recs]
