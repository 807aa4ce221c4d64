"""The main window's security questions: the engineering password before operator mode, and
folders outside the output folder that a pipeline wants to write to.

* :func:`ensure_engineer_password`: operator mode is entered only when an engineering password
  exists. Where this account may write the credential file (an administrator's session, a test's
  own file) the engineer sets it on the way in; elsewhere the main window says how an administrator
  sets it (``workbench password set``) and stays in engineering mode.
* :func:`confirm_outside_writes`: a pipeline whose Save Image / Write CSV / Write JSON nodes write
  to an absolute or ``~`` folder asks the user once per folder; a "Yes" is kept in the user's own
  settings (``security/allowed_write_folders``), never in the pipeline, and allows that folder for
  this and later sessions (:mod:`workbench.core.writeguard`). :func:`load_allowed_folders` applies
  the saved answers at start-up.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from workbench.core.writeguard import allow_folder, outside_folders
from workbench.gui.i18n import t
from workbench.runtime.audit import AuditLog
from workbench.runtime.credentials import SET_HOW, CredentialStore

ALLOWED_KEY = "security/allowed_write_folders"


def ensure_engineer_password(parent: QWidget, store: CredentialStore | None = None,
                             audit: AuditLog | None = None) -> tuple[CredentialStore | None, str]:
    """(the store, "") when an engineering password exists (set now if this account may), else
    (None, the one-line reason to show)."""
    from workbench.gui.operator_widgets import PasswordDialog

    store = store if store is not None else CredentialStore()
    if store.is_set("engineer"):
        return store, ""
    if store.state() not in ("ok", "missing") or not store.can_write():
        return None, t("Operator mode needs an engineering password: {how}").format(how=SET_HOW) + \
            f" ({store.path}: {store.state()})"
    dlg = PasswordDialog(parent, store, first=True, audit=audit)
    if dlg.exec() != QDialog.DialogCode.Accepted or not store.is_set("engineer"):
        return None, t("Operator mode needs an engineering password.")
    return store, ""


def load_allowed_folders(settings: QSettings | None = None) -> list[Path]:
    """Allow (core.writeguard) every folder the user confirmed before; returns them."""
    s = settings if settings is not None else QSettings()
    raw = s.value(ALLOWED_KEY, []) or []
    folders = [raw] if isinstance(raw, str) else list(raw)
    return [allow_folder(f) for f in folders if isinstance(f, str) and f]


def confirm_outside_writes(parent: QWidget | None, pipe, settings: QSettings | None = None, *,
                           ask=None) -> list[Path]:
    """Ask about each folder outside the output folder that ``pipe`` writes to; allow and remember the
    ones the user accepts. ``ask(folder) -> bool`` replaces the message box (tests). Returns the
    folders still refused."""
    s = settings if settings is not None else QSettings()
    refused = []
    for folder in outside_folders(pipe):
        if ask is not None:
            yes = ask(folder)
        else:
            answer = QMessageBox.question(
                parent, t("Write outside the output folder?"),
                t("This pipeline writes files to\n{folder}\noutside the run's output folder.\n\nAllow writing "
                  "there? Your answer is kept in your own settings, not in the pipeline.").format(folder=folder),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            yes = answer == QMessageBox.StandardButton.Yes
        if not yes:
            refused.append(folder)
            continue
        remember_allowed(folder, s)
    return refused


def remember_allowed(folder: str | Path, settings: QSettings | None = None) -> Path:
    """Allow ``folder`` now and in later sessions (the user chose it: a file dialog, a confirmation)."""
    s = settings if settings is not None else QSettings()
    kept = [str(f) for f in load_allowed_folders(s)]
    path = allow_folder(folder)
    if str(path) not in kept:
        s.setValue(ALLOWED_KEY, kept + [str(path)])
        s.sync()
    return path
