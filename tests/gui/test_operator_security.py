"""Security of the operator screen (issue #13 items 1-4, #18 item 3): no way in without an engineering
password, growing delay and lock-out with an audit trail, the engineering window disabled while operator
mode runs, a damaged credential file keeps the screen locked; folders outside the output folder are
allowed by the user, in the user's settings (#18 item 1)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.conftest import ENGINEER_PASSWORD  # noqa: E402
from workbench.core.paths import demo_pipeline  # noqa: E402
from workbench.core.pipeline_file import load_pipeline  # noqa: E402
from workbench.core.writeguard import clear_allowed, is_allowed  # noqa: E402
from workbench.gui.mainwindow import MainWindow  # noqa: E402
from workbench.gui.operator import OperatorWindow  # noqa: E402
from workbench.gui.operator_widgets import PasswordDialog  # noqa: E402
from workbench.gui.security import ALLOWED_KEY, confirm_outside_writes, load_allowed_folders  # noqa: E402
from workbench.runtime.audit import ENTERED, LEFT, LOCKED, REFUSED, WRONG, audit_events  # noqa: E402
from workbench.runtime.credentials import CredentialStore, Throttle  # noqa: E402
from workbench.runtime.results import ResultsDB  # noqa: E402
from workbench.runtime.sources import ArraySource  # noqa: E402


@pytest.fixture
def pipeline():
    p = load_pipeline(demo_pipeline())
    p.remove_node("save")
    return p


@pytest.fixture
def operator(qtbot, pipeline, tmp_path):
    import cv2

    from workbench.core.paths import samples_dir

    db = ResultsDB(tmp_path / "r.db")
    img = cv2.imread(str(samples_dir() / "coins.png"), cv2.IMREAD_UNCHANGED)
    win = OperatorWindow(pipeline, ArraySource([img]), db=db, pipeline_name="coins")
    qtbot.addWidget(win)
    win.resize(1200, 800)
    win.show()
    yield win
    win.close_without_password()
    db.close()


def _type_and_submit(qtbot, dlg, text):
    dlg.password.clear()
    qtbot.keyClicks(dlg.password, text)
    qtbot.keyClick(dlg.password, Qt.Key.Key_Return)


def test_wrong_tries_meet_a_growing_delay_then_a_lock_out_all_audited(qtbot, operator):
    now = [0.0]
    operator.throttle = Throttle(clock=lambda: now[0])
    dlg = operator.request_exit()
    waits = []
    for i in range(5):
        with qtbot.assertNotEmitted(operator.exitRequested):
            _type_and_submit(qtbot, dlg, f"wrong-{i}")
        waits.append(operator.throttle.wait_left())
        assert not dlg.ok_button.isEnabled() and not dlg.password.isEnabled()
        qtbot.keyClick(dlg.focusWidget() or dlg, Qt.Key.Key_Return)  # Return on whatever has the focus now
        assert dlg.isVisible()  # the dialog stays: Return never lands on Cancel
        now[0] += waits[-1] if i < 4 else 0
        dlg._tick()
    assert waits == [1, 2, 4, 8, 300] and "locked" in dlg.message.text()
    # during the lock-out even the right password is not checked
    dlg.password.setText(ENGINEER_PASSWORD)
    with qtbot.assertNotEmitted(operator.exitRequested):
        dlg.submit()
    now[0] += 300
    dlg._tick()
    assert dlg.ok_button.isEnabled()
    with qtbot.waitSignal(operator.exitRequested, timeout=5000):
        _type_and_submit(qtbot, dlg, ENGINEER_PASSWORD)
    events = [(e.event, e.role) for e in audit_events(operator.db)]
    assert events[0] == (ENTERED, "operator")
    assert [e for e, _ in events].count(WRONG) == 5 and (LOCKED, "") in events
    assert events[-1] == (LEFT, "engineer")


def test_a_damaged_credential_file_keeps_the_screen_locked(qtbot, operator, tmp_path, monkeypatch):
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps({"format": "workbench.credentials", "roles": {"engineer": "scrypt$2$1$1$00$00"}}))
    operator.credentials = CredentialStore(path)
    dlg = operator.request_exit()
    with qtbot.assertNotEmitted(operator.exitRequested):
        _type_and_submit(qtbot, dlg, ENGINEER_PASSWORD)
    assert "administrator must set it" in dlg.message.text() and not dlg.first and not dlg.confirm.isVisible()
    assert audit_events(operator.db)[-1].event == REFUSED
    path.unlink()  # deleting it does not turn the exit into "set a password" either
    with qtbot.assertNotEmitted(operator.exitRequested):
        _type_and_submit(qtbot, dlg, "anything-goes")
    assert "administrator" in dlg.message.text() and operator.isVisible()


@pytest.fixture
def main_window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    w = MainWindow(recover=False)
    qtbot.addWidget(w)
    w.ask_save_changes = lambda: "discard"
    with qtbot.waitSignal(w.ran, timeout=30_000):
        w.open(demo_pipeline())
    w.show()
    yield w
    if w._operator is not None:
        w._operator.close_without_password()
        w._operator = None
    w._dirty_extra = False
    w.doc.undo.setClean()
    w.close()


def test_operator_mode_needs_a_password_first(qtbot, main_window, tmp_path, monkeypatch):
    damaged = tmp_path / "damaged.json"
    damaged.write_text("{")
    monkeypatch.setenv("WORKBENCH_CREDENTIALS", str(damaged))
    assert main_window.open_operator("") is None  # refused, nothing offered: only an administrator fixes it
    assert "workbench password set" in main_window.statusBar().currentMessage()
    assert main_window.isVisible() and main_window.isEnabled()

    fresh = tmp_path / "fresh.json"  # missing, and this account may write it: the engineer sets it on the way in
    monkeypatch.setenv("WORKBENCH_CREDENTIALS", str(fresh))

    def fill() -> None:
        dlg = QApplication.activeModalWidget()
        assert isinstance(dlg, PasswordDialog) and dlg.first
        dlg.password.setText("chosen-pass-1")
        dlg.confirm.setText("chosen-pass-1")
        dlg.submit()

    QTimer.singleShot(200, fill)
    op = main_window.open_operator("")
    assert op is not None and CredentialStore(fresh).authenticate("chosen-pass-1") == "engineer"
    op.close_without_password()  # closed from code (shutdown, a screenshot): the engineering window comes back
    assert main_window._operator is None and main_window.isEnabled() and main_window.isVisible()
    assert main_window.close()  # and can close: no engine thread left running behind a closed operator screen


def test_the_engineering_window_is_disabled_and_cannot_be_closed_meanwhile(qtbot, main_window):
    op = main_window.open_operator("")
    assert op is not None and not main_window.isEnabled() and not main_window.isVisible()
    main_window.show()  # a window manager raises it anyway
    qtbot.mouseClick(main_window.menuBar(), Qt.MouseButton.LeftButton)
    assert not main_window.isEnabled()  # disabled: File ▸ New and every other action are out of reach
    assert not main_window.close()  # closing it would leave the process headless: refused
    assert op.isVisible()
    op.request_exit().password.setText(ENGINEER_PASSWORD)
    with qtbot.waitSignal(op.exitRequested, timeout=5000):
        op.password_dialog.submit()
    assert main_window.isEnabled() and main_window.isVisible()


def test_allowing_a_folder_is_stored_in_the_users_settings_not_the_pipeline(tmp_path):
    clear_allowed()
    pipe = load_pipeline(demo_pipeline(), allow_incomplete=True)
    pipe.set_param("save", "folder", str(tmp_path / "line-images"))
    asked = []
    refused = confirm_outside_writes(None, pipe, ask=lambda f: asked.append(f) or False)
    assert refused == [tmp_path / "line-images"] and not is_allowed(tmp_path / "line-images" / "a.png")
    assert confirm_outside_writes(None, pipe, ask=lambda f: True) == []
    assert is_allowed(tmp_path / "line-images" / "a.png")
    assert QSettings().value(ALLOWED_KEY) == [str((tmp_path / "line-images").resolve())]
    assert pipe.nodes["save"].params["folder"] == str(tmp_path / "line-images")  # the pipeline is unchanged
    clear_allowed()
    assert load_allowed_folders() == [(tmp_path / "line-images").resolve()]  # the next session
    assert is_allowed(tmp_path / "line-images")
    clear_allowed()


def test_a_folder_chosen_in_the_file_dialog_is_allowed_and_remembered(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QToolButton

    from workbench.gui.document import Document
    from workbench.gui.inspector import Inspector

    clear_allowed()
    doc = Document()
    nid = doc.add_node("io.save_image")
    ins = Inspector(doc)
    qtbot.addWidget(ins)
    ins.set_node(nid)
    ins.show()
    chosen = tmp_path / "line-images"
    monkeypatch.setattr(ins, "choose_path", lambda spec, current: str(chosen))
    qtbot.mouseClick(ins.findChild(QToolButton, "browse"), Qt.MouseButton.LeftButton)
    assert doc.pipeline.nodes[nid].params["folder"] == str(chosen)
    assert is_allowed(chosen / "a.png") and QSettings().value(ALLOWED_KEY) == [str(chosen.resolve())]
    clear_allowed()


def test_opening_a_pipeline_that_writes_elsewhere_asks_once(qtbot, main_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from workbench.core.pipeline_file import save_pipeline

    clear_allowed()
    pipe = load_pipeline(demo_pipeline(), allow_incomplete=True)
    pipe.set_param("save", "folder", str(tmp_path / "line-images"))
    path = tmp_path / "elsewhere.json"
    save_pipeline(pipe, path)
    asked = []

    def answer(parent, title, text, *args):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    with qtbot.waitSignal(main_window.ran, timeout=30_000):
        assert main_window.open(path)
    assert len(asked) == 1 and str(tmp_path / "line-images") in asked[0]
    assert is_allowed(tmp_path / "line-images" / "x.png")
    from workbench.core.pipeline_file import validate

    assert not [p for p in validate(main_window.doc.pipeline) if "outside" in str(p)]
    main_window.doc.undo.setClean()
    with qtbot.waitSignal(main_window.ran, timeout=30_000):
        assert main_window.open(path)
    assert len(asked) == 1  # remembered: not asked again
    clear_allowed()
