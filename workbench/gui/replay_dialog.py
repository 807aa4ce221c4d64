"""Replay from the GUI: how would the pipeline being edited have judged past inspections?

Re-runs (a snapshot of) the open pipeline over the archived images of a results database in a
worker thread, with a progress bar and Cancel, and lists every record whose verdict changes
(newly NG / newly OK), with the counts on top and a CSV export. Uses workbench.runtime.replay,
the same code as ``workbench replay``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from workbench.core.errors import WorkbenchError
from workbench.core.graph import Pipeline
from workbench.core.spec import CancelToken
from workbench.gui import theme
from workbench.gui.document import snapshot
from workbench.gui.i18n import t
from workbench.gui.worker_thread import WorkerThread
from workbench.runtime.replay import ERROR, MISSING, NEWLY_NG, NEWLY_OK, OUTCOMES, UNCHANGED, Replay
from workbench.runtime.results import ResultsDB


class _Worker(QObject):
    item = Signal(object)
    done = Signal(bool)
    error = Signal(str)

    @Slot(object, object, object, object)
    def run(self, replay: Replay, records: list, cancel: CancelToken, _unused) -> None:
        try:
            replay.run(records, cancel, self.item.emit)
            self.done.emit(cancel.cancelled)
        except Exception as exc:  # one line in the dialog, never a crash
            self.error.emit(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def load_records(db_path: Path, since: str | None = None, limit: int | None = None) -> list:
    """The inspections to replay; raises WorkbenchError with one line when there are none."""
    if not Path(db_path).is_file():
        raise WorkbenchError(f"{db_path}: results database not found")
    try:
        with ResultsDB(db_path, readonly=True) as db:
            records = db.query(since=since, limit=limit)
    except WorkbenchError:
        raise
    except Exception as exc:  # not an SQLite file, a newer schema, ...
        raise WorkbenchError(f"{Path(db_path).name}: {exc}") from None
    if not records:
        raise WorkbenchError(f"no inspections in {db_path}")
    return records


def outcome_text(outcome: str) -> str:
    return {NEWLY_NG: t("newly NG"), NEWLY_OK: t("newly OK"), UNCHANGED: t("unchanged"),
            MISSING: t("missing image"), ERROR: t("error")}.get(outcome, outcome)


class ReplayDialog(QDialog):
    finished_run = Signal(dict)  # the counts, when the replay ends (also when cancelled)

    COLORS = {NEWLY_NG: theme.NG_COLOR, NEWLY_OK: theme.OK_COLOR, MISSING: "#8a8f98", ERROR: theme.WARN_COLOR}

    def __init__(self, pipeline: Pipeline, db_path: Path, out_dir: Path, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("Replay on past inspections"))
        self.resize(920, 560)
        self.db_path = Path(db_path)
        self.records = load_records(self.db_path)
        self.replay = Replay(snapshot(pipeline), out_dir)
        self.cancel_token = CancelToken()
        self.counts = {k: 0 for k in OUTCOMES}
        self.running = False

        self.summary = QLabel()
        self.summary.setTextFormat(Qt.RichText)
        self.progress = QProgressBar()
        self.progress.setRange(0, len(self.records))
        self.changes_only = QCheckBox(t("Changes only"))
        self.changes_only.setChecked(True)
        self.changes_only.toggled.connect(self._filter)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([t("Input"), t("Time"), t("Recorded"), t("New"), t("Outcome"),
                                              t("Reasons")])
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.Stretch)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.export_btn = QPushButton(t("Export CSV…"))
        self.export_btn.clicked.connect(self.export_dialog)
        self.cancel_btn = QPushButton(t("Cancel"))
        self.cancel_btn.clicked.connect(self.cancel)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.changes_only)
        bottom = QHBoxLayout()
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.cancel_btn)
        bottom.addWidget(self.export_btn)
        bottom.addWidget(buttons)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(t("Pipeline being edited, replayed over") + f" {len(self.records)} " +
                             t("inspections from") + f" {self.db_path.name}"))
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(bottom)

        self._worker = _Worker()
        self._jobs = WorkerThread(self._worker, "workbench-replay", self)
        self._worker.item.connect(self._item)
        self._worker.done.connect(self._done)
        self._worker.error.connect(self._error)
        self._update_summary()

    def start(self) -> None:
        self.running = True
        self.export_btn.setEnabled(False)
        self._jobs.start()
        self._jobs.call(self._worker.run, self.replay, self.records, self.cancel_token, None)

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def _item(self, it) -> None:
        self.counts[it.outcome] += 1
        self.progress.setValue(sum(self.counts.values()))
        r = it.record
        row = self.table.rowCount()
        self.table.insertRow(row)
        reasons = "; ".join(it.new_reasons or it.errors) if it.outcome != UNCHANGED else ""
        for col, text in enumerate([Path(r.input).name, r.time[:19].replace("T", " "), r.verdict or "–",
                                    it.new_verdict or "–", outcome_text(it.outcome), reasons]):
            cell = QTableWidgetItem(text)
            cell.setData(Qt.UserRole, it.outcome)
            if col == 4 and it.outcome in self.COLORS:
                cell.setForeground(QColor(self.COLORS[it.outcome]))
            cell.setToolTip(r.input if col == 0 else text)
            self.table.setItem(row, col, cell)
        self.table.setRowHidden(row, self.changes_only.isChecked() and it.outcome == UNCHANGED)
        self._update_summary()

    def _filter(self, only: bool) -> None:
        for row in range(self.table.rowCount()):
            outcome = self.table.item(row, 4).data(Qt.UserRole)
            self.table.setRowHidden(row, only and outcome == UNCHANGED)

    def _update_summary(self) -> None:
        c = self.counts
        parts = [f"<b style='color:{theme.NG_COLOR}'>{c[NEWLY_NG]}</b> " + outcome_text(NEWLY_NG),
                 f"<b style='color:{theme.OK_COLOR}'>{c[NEWLY_OK]}</b> " + outcome_text(NEWLY_OK),
                 f"<b>{c[UNCHANGED]}</b> " + outcome_text(UNCHANGED),
                 f"<b>{c[MISSING]}</b> " + outcome_text(MISSING), f"<b>{c[ERROR]}</b> " + t("errors")]
        self.summary.setText(" · ".join(parts))

    def _stop_thread(self) -> None:
        self.running = False
        self._jobs.stop()
        self.cancel_btn.setEnabled(False)
        self.export_btn.setEnabled(True)

    def _done(self, cancelled: bool) -> None:
        self._stop_thread()
        if cancelled:
            self.summary.setText(self.summary.text() + "  — " + t("cancelled"))
        self.finished_run.emit(dict(self.counts))

    def _error(self, message: str) -> None:
        self._stop_thread()
        self.summary.setText(f"<span style='color:{theme.NG_COLOR}'>" + t("Replay failed") + f": {message}</span>")
        self.finished_run.emit(dict(self.counts))

    def export_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, t("Export CSV…"), str(Path.home() / "replay.csv"), "CSV (*.csv)")
        if name:
            self.replay.write_csv(Path(name))

    def reject(self) -> None:
        if self.running:
            self.cancel()
            self._jobs.stop()
        super().reject()
