"""What the main window starts beside live tuning: a run over a folder (progress, trend, counts),
a replay over past inspections, and the operator screen. Mixed into
:class:`~workbench.gui.mainwindow.MainWindow`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from workbench.core.engine import RunResult
from workbench.core.errors import WorkbenchError
from workbench.core.pipeline_file import validate
from workbench.gui.i18n import t
from workbench.gui.runner import FolderRun
from workbench.runtime.inspection import judged_measurements
from workbench.runtime.spc import tolerance_limits


class LaunchMixin:
    # ================================================================== folder run
    def run_folder_dialog(self) -> None:
        start = str(self.doc.pipeline.base_dir)
        folder = QFileDialog.getExistingDirectory(self, t("Run over folder"), start)
        if folder:
            self.run_folder(Path(folder))

    def run_folder(self, folder: Path, workers: int | None = None) -> FolderRun | None:
        """``workers``: parallel worker processes; None: the setting ``run/workers`` (0 or unset: the
        `--workers auto` rule of runtime/workers.py)."""
        from PySide6.QtCore import QSettings

        from workbench.gui.display import IMAGE_EXTS

        if self.folder_run is not None and self.folder_run.running:
            self.show_message(t("A folder run is already in progress"), error=True)
            return None
        files = sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_EXTS) \
            if Path(folder).is_dir() else []
        if not files:
            self.show_message(t("No images in") + f" {folder}", error=True)
            return None
        try:
            if workers is None:
                setting = str(QSettings().value("run/workers", 0))
                workers = int(setting) if setting.isdigit() and int(setting) > 0 else None
            run = FolderRun(self.doc.pipeline, files, parent=self, workers=workers)
        except WorkbenchError as exc:
            self.show_message(str(exc), error=True)
            return None
        self.folder_run = run
        self._folder_counts = {"OK": 0, "NG": 0, "error": 0, "cancelled": 0}
        self._browse_reset(run.out_dir)
        self.trend.clear()
        self.trend.set_shown(None)
        self._trend_chosen = False
        self.progress.setRange(0, len(files))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.cancel_btn.setVisible(True)
        run.row.connect(self._folder_row)
        run.finished.connect(self._folder_done)
        run.failed.connect(lambda msg: (self.show_message(t("Folder run failed") + f": {msg}", error=True),
                                        self._folder_done(0, True)))
        self.log_line(t("Folder run") + f": {len(files)} " + t("images in") + f" {folder}")
        run.start()
        return run

    def _folder_row(self, index: int, row, result: RunResult) -> None:
        self.progress.setValue(index + 1)
        self._folder_rows.append(row)
        key = row.status if row.status in ("error", "cancelled") else \
            (row.verdict if row.verdict in ("OK", "NG") else "OK")  # cancelled: its own state, not an error
        self._folder_counts[key] = self._folder_counts.get(key, 0) + 1
        if row.status == "error":
            self.trend.add_error(index)  # shown as a red mark, not silently skipped
        numeric = {k: float(v) for k, v in row.measurements.items()
                   if isinstance(v, (int, float)) and not isinstance(v, bool)}
        for name, value in numeric.items():
            self.trend.add_point(name, index, value)
        if numeric and not self._trend_chosen:
            # show what the judges judge (other series are one click away in the legend menu)
            judged = judged_measurements(self.doc.pipeline)
            for name, (low, high) in tolerance_limits(self.doc.pipeline).items():
                self.trend.set_limits(name, low, high)
            pick = [k for k in numeric if k in judged] or [next(iter(numeric))]
            self.trend.set_shown(pick)
            self._trend_chosen = True
        for err in row.errors:
            self.log_line(f"{Path(row.input).name}: {err}", error=True)

    def _folder_done(self, n: int, cancelled: bool) -> None:
        self.progress.setVisible(False)
        self.cancel_btn.setVisible(False)
        c = self._folder_counts
        msg = (t("Folder run cancelled") if cancelled else t("Folder run finished")) + \
            f": {n} " + t("images") + f" — OK {c.get('OK', 0)}, NG {c.get('NG', 0)}, " + t("errors") + \
            f" {c.get('error', 0)}" + (f", {t('cancelled')} {c['cancelled']}" if c.get("cancelled") else "") + \
            (f" — results.jsonl: {self._folder_out}" if self._folder_out else "")
        self.show_message(msg)
        self.log_line(msg)
        self.plots.setCurrentWidget(self.trend)
        self.dock_plots.raise_()

    # ================================================================== replay (shadow mode)
    def choose_results_db(self) -> Path | None:
        """Ask for a results database (tests replace this)."""
        from workbench.runtime.results import default_db_path

        start = default_db_path()
        name, _ = QFileDialog.getOpenFileName(self, t("Results database"), str(start),
                                              t("Results databases (*.db *.sqlite);;All files (*)"))
        return Path(name) if name else None

    def replay_dialog(self, db_path: Path | None = None, start: bool = True):
        """Re-run the pipeline being edited over past inspections and show what would change."""
        from workbench.gui.replay_dialog import ReplayDialog
        from workbench.gui.runner import output_dir

        db_path = db_path or self.choose_results_db()
        if db_path is None:
            return None
        try:
            dlg = ReplayDialog(self.doc.pipeline, db_path, output_dir() / "replay", self)
        except WorkbenchError as exc:
            self.show_message(str(exc), error=True)
            return None
        dlg.finished_run.connect(lambda counts: self.log_line(
            t("Replay") + ": " + ", ".join(f"{k} {v}" for k, v in counts.items())))
        dlg.show()
        if start:
            dlg.start()
        return dlg

    # ================================================================== operator mode
    def open_teach(self):
        """Run ▸ Teach by Example…: the Teach panel (workbench/gui/teach.py)."""
        from workbench.gui.teach import open_teach

        return open_teach(self)

    def choose_operator_source(self) -> str | None:
        """The source spec for operator mode ("" = the pipeline's own images, looped; None = cancel).
        Tests replace this."""
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(
            self, t("Operator mode"),
            t("Source (empty: the pipeline's own images, looped; or camera:0, url:rtsp://…, "
              "video:FILE, folder:DIR):"))
        return text.strip() if ok else None

    def edit_plc(self) -> bool:
        """Run > PLC I/O… (gui/plc_panel.py): the line's Modbus set-up, saved with the pipeline."""
        from workbench.gui.plc_panel import edit_plc

        return edit_plc(self)

    def open_operator(self, spec: str | None = None):
        """Switch to the operator screen with (a snapshot of) this pipeline; the main window hides
        until the engineering password brings it back. Results go to the default database."""
        from workbench.gui.operator import OperatorWindow
        from workbench.runtime.feed import pipeline_source
        from workbench.runtime.results import Archive, ResultsDB, default_db_path
        from workbench.runtime.sources import FolderSource, SourceError, Trigger, TriggerMode

        from workbench.gui.security import confirm_outside_writes, ensure_engineer_password

        confirm_outside_writes(self, self.doc.pipeline)  # asked again if refused when the file opened
        problems = validate(self.doc.pipeline)
        if problems:
            self.show_message(t("Fix the pipeline first") + f": {problems[0]}", error=True)
            return None
        credentials, why = ensure_engineer_password(self)  # never a screen that nobody can leave
        if credentials is None:
            self.show_message(why, error=True)
            return None
        spec = self.choose_operator_source() if spec is None else spec
        if spec is None:
            return None
        try:
            source = pipeline_source(self.doc.pipeline, spec, loop=True)
            if not spec and isinstance(source, FolderSource):  # still images: once per trigger, not looped flat out
                source.trigger = Trigger(TriggerMode.SOFTWARE)
            try:  # a wrong folder or file is an error now; a camera not there yet is retried on screen
                source.open()
            except SourceError:
                if not source.live:
                    raise
            finally:
                source.close()
            from workbench.runtime.plc import ModbusPlc, pipeline_plc

            plc_cfg = pipeline_plc(self.doc.pipeline)  # Run > PLC I/O…, saved with the pipeline
            db = ResultsDB(default_db_path())
        except (WorkbenchError, OSError) as exc:
            self.show_message(t("Operator mode") + f": {exc}", error=True)
            return None
        archive = Archive(default_db_path().parent / f"{default_db_path().stem}-images")
        name = self.doc.pipeline.meta.get("name") or (self.doc.path.stem if self.doc.path else "untitled")
        plc = ModbusPlc(plc_cfg, on_trigger=getattr(source.trigger, "fire", None)).start() if plc_cfg else None
        win = OperatorWindow(self.doc.pipeline, source, db=db, archive=archive, pipeline_name=name,
                             credentials=credentials, plc=plc)
        self._operator = win

        def back() -> None:  # however the operator window closed: password, or from code (shutdown)
            if self._operator is not win:
                return
            db.close()
            if plc is not None:
                plc.close()
            self._operator = None
            self.setEnabled(True)
            self.show()
            self.raise_()
            self.log_line(t("Back from operator mode"))

        win.exitRequested.connect(win.close)
        win.closed.connect(back)
        self.setEnabled(False)  # disabled, not only hidden: a window manager can still raise it
        self.hide()
        win.show_operator()  # full screen, sized and scaled for the screen (also without a window manager)
        win.start()
        return win
