"""The main window's files: new/open/save, recent files, drops, autosave and crash recovery.

Autosave writes the unsaved pipeline every :data:`AUTOSAVE_MS` into the user data folder (never
over the real file); at the next start :meth:`FilesMixin.offer_recovery` offers the newest one.
Mixed into :class:`~workbench.gui.mainwindow.MainWindow`.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox

from workbench.core.errors import PipelineError, WorkbenchError
from workbench.core.paths import pipelines_dir, user_data_dir
from workbench.core.pipeline_file import dumps_pipeline, loads_pipeline
from workbench.gui.display import IMAGE_EXTS, VIDEO_EXTS, node_for_file
from workbench.gui.i18n import t

MAX_RECENT = 10


AUTOSAVE_MS = 30_000


def autosave_dir() -> Path:
    return user_data_dir() / "autosave"


def autosave_path(doc_path: Path | None) -> Path:
    key = hashlib.blake2b(str(doc_path or "untitled").encode(), digest_size=6).hexdigest()
    stem = doc_path.stem if doc_path else "untitled"
    return autosave_dir() / f"{stem}-{key}.json"


def is_pipeline_file(path: Path) -> bool:
    """False for what File > Open turns into a source node instead (images, videos, models, folders)."""
    return not path.is_dir() and path.suffix.lower() not in IMAGE_EXTS | VIDEO_EXTS | {".onnx"}


def pending_recoveries() -> list[Path]:
    folder = autosave_dir()
    return sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.is_dir() else []


class FilesMixin:
    # ================================================================== files
    def _update_title(self) -> None:
        mark = "*" if self.modified else ""
        name = self.doc.pipeline.meta.get("name")
        label = f"{name} ({self.doc.title})" if name else self.doc.title
        self.setWindowTitle(f"{mark}{label} — Vision Workbench")

    @property
    def modified(self) -> bool:
        return self.doc.modified or self._dirty_extra

    def recent_files(self) -> list[str]:
        raw = QSettings().value("files/recent", [])
        items = [raw] if isinstance(raw, str) else list(raw or [])
        return [p for p in items if isinstance(p, str)]

    def _add_recent(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent_files() if p != str(path)]
        QSettings().setValue("files/recent", items[:MAX_RECENT])
        self._update_recent_menu()

    def _update_recent_menu(self) -> None:
        self.m_recent.clear()
        items = self.recent_files()
        for p in items:
            act = self.m_recent.addAction(p)
            act.triggered.connect(lambda _=False, path=p: self.open(Path(path)))
        self.m_recent.setEnabled(bool(items))

    def ask_save_changes(self) -> str:
        """"save" | "discard" | "cancel" (tests replace this)."""
        box = QMessageBox(QMessageBox.Warning, t("Unsaved changes"),
                          t("The pipeline has unsaved changes. Save them?"),
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, self)
        answer = box.exec()
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current pipeline."""
        if not self.modified:
            return True
        answer = self.ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def new_file(self) -> None:
        if not self.maybe_save():
            return
        self._discard_autosave()
        self._close_macro_tabs()
        self.doc.new()
        self._dirty_extra = False
        self.runner.reset()
        self._clear_results()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(self.doc.path.parent) if self.doc.path else str(pipelines_dir())
        images = " ".join(f"*{e}" for e in sorted(IMAGE_EXTS | VIDEO_EXTS))
        name, _ = QFileDialog.getOpenFileName(self, t("Open pipeline"), start,
                                              t("Pipelines (*.json)") + ";;" + t("Images and videos")
                                              + f" ({images});;" + t("All files") + " (*)")
        if name:
            self.open(Path(name), ask=False)

    def open(self, path: Path, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        if not is_pipeline_file(Path(path)):
            return self._open_other(Path(path))
        old_autosave = autosave_path(self.doc.path)  # the pipeline being left behind
        try:
            self.doc.open(path)
        except (WorkbenchError, OSError) as exc:
            msg = str(exc).splitlines()[0] if not isinstance(exc, PipelineError) else \
                "; ".join(str(p) for p in exc.problems[:3])
            self.show_message(t("Cannot open") + f" {Path(path).name}: {msg}", error=True)
            return False
        old_autosave.unlink(missing_ok=True)
        from workbench.gui.security import confirm_outside_writes

        confirm_outside_writes(self, self.doc.pipeline)  # folders outside the output folder: asked once
        self._close_macro_tabs()
        self._dirty_extra = False
        self._add_recent(self.doc.path)
        self.runner.reset()
        self._clear_results()
        self.canvas.fit()
        QTimer.singleShot(0, self.canvas.fit)  # again once the window has its final layout
        self.request_run()
        return True

    def _open_other(self, path: Path) -> bool:
        """An image, video, folder or model opened as a file: a new pipeline with the node a drop
        of it adds (the unsaved-changes question was asked already)."""
        try:
            node_for_file(path)
        except WorkbenchError as exc:
            self.show_message(t("Cannot open") + f" {exc}", error=True)
            return False
        self._discard_autosave()
        self._close_macro_tabs()
        self.doc.new()
        self._dirty_extra = False
        self.runner.reset()
        self._clear_results()
        self.drop_files([path])
        self.request_run()
        return True

    def save(self) -> bool:
        if self.doc.path is None:
            return self.save_as()
        return self._save_to(self.doc.path)

    def save_as(self) -> bool:
        start = str(self.doc.path or Path.home() / "pipeline.json")
        name, _ = QFileDialog.getSaveFileName(self, t("Save pipeline"), start, t("Pipelines (*.json)"))
        if not name:
            return False
        if not name.endswith(".json"):
            name += ".json"
        return self._save_to(Path(name))

    def _save_to(self, path: Path) -> bool:
        old_auto = autosave_path(self.doc.path)
        try:
            self.doc.save(path)
        except (WorkbenchError, OSError) as exc:
            self.show_message(t("Cannot save") + f" {path.name}: {exc}", error=True)
            return False
        self._dirty_extra = False
        old_auto.unlink(missing_ok=True)
        self._discard_autosave()
        self._add_recent(self.doc.path)
        self._update_title()
        self.show_message(t("Saved") + f" {self.doc.path}")
        return True

    # -- autosave and crash recovery ---------------------------------------------------
    def autosave(self) -> Path | None:
        """Write the unsaved pipeline beside the user data (never over the real file)."""
        if not self.modified:
            return None
        target = autosave_path(self.doc.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = json.loads(dumps_pipeline(self.doc.pipeline))
        data.setdefault("meta", {})["autosave_of"] = str(self.doc.path or "")
        data["meta"]["autosave_base_dir"] = str(self.doc.pipeline.base_dir)
        from workbench.core.fileio import atomic_write_text

        atomic_write_text(target, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        return target

    def _discard_autosave(self) -> None:
        autosave_path(self.doc.path).unlink(missing_ok=True)

    def ask_recover(self, files: list[Path]) -> bool:
        """Ask whether to restore the newest autosave (tests replace this)."""
        names = "\n".join(p.name for p in files[:5])
        return QMessageBox.question(
            self, t("Recover unsaved work"),
            t("Vision Workbench did not close normally. Restore the unsaved pipeline?") + "\n\n" + names,
            QMessageBox.Yes | QMessageBox.No) == QMessageBox.Yes

    def offer_recovery(self) -> bool:
        """At start: when autosave files exist, offer the newest; True when one was restored."""
        self._recover_offered = True
        files = pending_recoveries()
        if not files:
            return False
        if not self.ask_recover(files):
            for f in files:
                f.unlink(missing_ok=True)
            return False
        newest = files[0]
        try:
            data = json.loads(newest.read_text(encoding="utf-8"))
            meta = data.get("meta", {})
            orig = meta.pop("autosave_of", "") or None
            base = meta.pop("autosave_base_dir", "") or None
            pipe = loads_pipeline(json.dumps(data), self.doc.registry,
                                  base_dir=Path(base) if base else None, allow_incomplete=True)
        except (WorkbenchError, OSError, ValueError) as exc:
            self.show_message(t("Cannot recover") + f" {newest.name}: {exc}", error=True)
            return False
        self._close_macro_tabs()
        self.doc.set_pipeline(pipe, Path(orig) if orig else None)
        for f in files:
            f.unlink(missing_ok=True)
        self._dirty_extra = True  # recovered work is unsaved until the user saves it
        self._update_title()
        self.runner.reset()
        self._clear_results()
        self.request_run()
        self.show_message(t("Recovered unsaved work from") + f" {newest.name}")
        return True

    # -- drops ---------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        self.drop_files(paths)
        event.acceptProposedAction()

    def drop_files(self, paths: list[Path]) -> list[str]:
        """Add the node each file means (image, folder, video, ONNX model) or open a pipeline."""
        added = []
        for p in paths:
            try:
                type_id, params = node_for_file(p)
            except WorkbenchError as exc:
                self.show_message(str(exc), error=True)
                continue
            if not type_id:
                self.open(Path(params["open"]))
                return []
            self.doc.undo.beginMacro(t("Add") + f" {p.name}")  # one undo step per dropped file
            try:
                added.append(self.canvas.add_node(type_id))
                for name, value in params.items():
                    self.doc.set_param(added[-1], name, value)
            finally:
                self.doc.undo.endMacro()
        if added:
            self.canvas.select(added)
        return added
