"""Credentials where the operator cannot write them, fixed scrypt minimums, roles, the growing delay and
lock-out, the audit table and `workbench password` / `workbench operator` (issues #18 item 3, #13 items 1, 2, 4)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.core.errors import WorkbenchError
from workbench.core.paths import demo_pipeline
from workbench.runtime.audit import ENTERED, LOCKED, WRONG, AuditLog, audit_events
from workbench.runtime.credentials import (MIN_PASSWORD_LEN, CredentialStore, Throttle, default_credentials_path,
                                           hash_password, hash_problem, may, require_engineer_password,
                                           verify_password)
from workbench.runtime.results import ResultsDB


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "etc" / "credentials.json"
    monkeypatch.setenv("WORKBENCH_CREDENTIALS", str(path))
    return CredentialStore(path)


def test_the_default_place_is_machine_wide_not_the_users_settings(monkeypatch):
    monkeypatch.delenv("WORKBENCH_CREDENTIALS")
    path = default_credentials_path()
    assert not str(path).startswith(str(Path.home()))
    if sys.platform.startswith("linux"):
        assert path == Path("/etc/vision-workbench/credentials.json")


def test_hashes_have_fixed_minimum_parameters():
    h = hash_password("long-enough")
    scheme, n, r, p, salt, key = h.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2 ** 15, 8, 1)
    assert len(bytes.fromhex(salt)) == 16 and len(bytes.fromhex(key)) == 32
    assert verify_password("long-enough", h) and not verify_password("long-enougH", h)
    assert hash_password("long-enough") != h  # a random salt every time
    # the same password hashed with n=2 (as an attacker would write it) is refused, whatever it says
    import hashlib

    weak_salt = os.urandom(16)
    weak = f"scrypt$2$8$1${weak_salt.hex()}${hashlib.scrypt(b'long-enough', salt=weak_salt, n=2, r=8, p=1, dklen=32).hex()}"
    assert "outside the accepted range" in hash_problem(weak) and not verify_password("long-enough", weak)
    for bad in ("", None, "md5$x", "scrypt$32768$8$1$zz$yy", "scrypt$4194304$8$1$" + "00" * 16 + "$" + "00" * 32,
                h.rsplit("$", 1)[0] + "$"):
        assert not verify_password("long-enough", bad)


def test_a_missing_or_altered_file_never_opens_the_way_out(store):
    assert store.state() == "missing" and not store.is_set() and store.authenticate("anything-at-all") is None
    store.set_password("engineer", "engineer-pass")
    assert store.authenticate("engineer-pass") == "engineer"
    data = json.loads(store.path.read_text())
    weak_salt = "00" * 16
    import hashlib

    data["roles"]["engineer"] = (f"scrypt$2$1$1${weak_salt}$"
                                 + hashlib.scrypt(b"known", salt=bytes(16), n=2, r=1, p=1, dklen=32).hex())
    store.path.write_text(json.dumps(data))
    assert store.state().startswith("damaged") and store.authenticate("known") is None and not store.is_set()
    with pytest.raises(WorkbenchError, match="damaged"):
        require_engineer_password(store)
    store.path.write_text("{ not json")
    assert store.state() == "damaged (not valid JSON)" and store.authenticate("engineer-pass") is None
    store.path.unlink()
    with pytest.raises(WorkbenchError, match="workbench password set"):
        require_engineer_password(store)


def test_passwords_need_eight_characters_and_roles_separate_rights(store):
    assert MIN_PASSWORD_LEN == 8
    with pytest.raises(WorkbenchError, match="at least 8"):
        store.set_password("engineer", "1234567")
    with pytest.raises(WorkbenchError, match="has no password"):
        store.set_password("operator", "12345678")
    store.set_password("engineer", "engineer-pass")
    store.set_password("admin", "admin-password")
    assert store.roles_set() == ["engineer", "admin"]
    assert store.authenticate("admin-password") == "admin" and store.authenticate("engineer-pass") == "engineer"
    text = store.path.read_text()
    assert "engineer-pass" not in text and "admin-password" not in text
    if os.name == "posix":
        assert store.path.stat().st_mode & 0o777 == 0o644
    assert may("operator", "run") and may("operator", "reset_counters") and not may("operator", "leave_operator")
    assert may("engineer", "edit") and may("engineer", "leave_operator") and not may("engineer", "manage_passwords")
    assert may("admin", "manage_passwords") and may("admin", "leave_operator") and not may(None, "run")


def test_growing_delay_then_lock_out():
    now = [1000.0]
    th = Throttle(clock=lambda: now[0])
    assert th.wait_left() == 0
    assert [th.failed() for _ in range(4)] == [1, 2, 4, 8]
    assert th.wait_left() == 8 and not th.locked
    assert th.failed() == 300 and th.locked  # the fifth wrong try in a row locks for 5 minutes
    now[0] += 299
    assert th.wait_left() == pytest.approx(1)
    now[0] += 1
    assert th.wait_left() == 0 and not th.locked and th.failures == 0  # the lock-out is over
    th.failed()
    th.succeeded()
    assert th.failures == 0 and th.wait_left() == 0


def test_a_restart_keeps_the_delay_and_the_lock_out(tmp_path):
    from workbench.runtime.audit import LEFT, recent_failures

    db = ResultsDB(tmp_path / "r.db")
    audit = AuditLog(db)
    audit.record(WRONG)
    audit.record(LEFT, "engineer")  # a success ends the run of failures
    for _ in range(5):
        audit.record(WRONG)
    count, age = recent_failures(db, 300)
    assert count == 5 and 0 <= age < 300
    now = [50.0]
    th = Throttle(clock=lambda: now[0])
    th.resume(count, 10.0)
    assert th.locked and th.wait_left() == pytest.approx(290)
    th2 = Throttle(clock=lambda: now[0])
    th2.resume(2, 0.5)
    assert th2.failures == 2 and th2.wait_left() == pytest.approx(1.5) and not th2.locked
    db.close()


def test_audit_table_in_the_results_database(tmp_path):
    db = ResultsDB(tmp_path / "r.db")
    audit = AuditLog(db)
    audit.record(ENTERED, "operator", "coins")
    audit.record(WRONG, "", "try 1")
    audit.record(LOCKED, "", "300 s")
    events = audit_events(db)
    assert [e.event for e in events] == [ENTERED, WRONG, LOCKED] and events[0].role == "operator"
    assert events[0].time.endswith("+00:00")
    db.close()
    with ResultsDB(tmp_path / "r.db", readonly=True) as again:  # still a valid results database
        assert again.count() == 0 and len(audit_events(again)) == 3


def _wb(args, stdin="", env=None):
    return subprocess.run([sys.executable, "-m", "workbench", *args], input=stdin, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_password_set_and_status_on_the_command_line(store):
    env = {"WORKBENCH_CREDENTIALS": str(store.path)}
    p = _wb(["password", "set", "--stdin"], "short\nshort\n", env)
    assert p.returncode == 2 and "at least 8" in p.stderr and not store.path.exists()
    p = _wb(["password", "set", "--stdin"], "engineer-pass\nengineer-pasS\n", env)
    assert p.returncode == 2 and "differ" in p.stderr
    assert _wb(["password", "set", "--stdin"], "engineer-pass\nengineer-pass\n", env).returncode == 0
    assert _wb(["password", "set", "--role", "admin", "--stdin"], "admin-password\nadmin-password\n", env).returncode == 0
    # with an admin password set, changing any password needs it
    p = _wb(["password", "set", "--stdin"], "engineer-pass\nnew-engineer\nnew-engineer\n", env)
    assert p.returncode == 2 and "wrong admin password" in p.stderr
    assert store.authenticate("engineer-pass") == "engineer"
    p = _wb(["password", "set", "--stdin"], "admin-password\nnew-engineer\nnew-engineer\n", env)
    assert p.returncode == 0 and store.authenticate("new-engineer") == "engineer"
    p = _wb(["password", "status"], env=env)
    assert "engineer, admin" in p.stdout and str(store.path) in p.stdout


@pytest.mark.parametrize("content, msg", [(None, "no engineering password is set"),
                                          ("{}", "damaged"), ('{"format": "workbench.credentials", "roles": {}}',
                                                              "no engineering password is set")])
def test_operator_mode_is_refused_without_an_engineering_password(store, tmp_path, content, msg):
    if content is not None:
        store.path.parent.mkdir(parents=True)
        store.path.write_text(content)
    p = _wb(["operator", str(demo_pipeline()), "--no-db", "--windowed", "--screenshot", str(tmp_path / "x.png")],
            env={"WORKBENCH_CREDENTIALS": str(store.path), "QT_QPA_PLATFORM": "offscreen"})
    assert p.returncode == 2 and msg in p.stderr and "workbench password set" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and not (tmp_path / "x.png").exists()
    assert main(["password", "status"]) == 0


@pytest.mark.skipif(os.name != "posix", reason="POSIX ownership")
def test_a_credential_file_the_account_can_change_is_not_trusted(tmp_path, monkeypatch):
    """WORKBENCH_CREDENTIALS pointing at a file of the operator's own (or a file left writable) would let
    them write any hash they like: such a file is refused; a root-owned 0644 file in a root-owned folder
    is trusted. The account is an ordinary one (uid/gid 4242), as the operator's is."""
    from workbench.runtime import credentials as C

    owned, theirs, loose = tmp_path / "root", tmp_path / "op", tmp_path / "loose"
    for d in (owned, theirs, loose):
        d.mkdir()
        os.chmod(d, 0o755)
        C.CredentialStore(d / "credentials.json").set_password("engineer", "correct horse")
    os.chown(theirs / "credentials.json", 4242, 4242)
    os.chmod(loose / "credentials.json", 0o666)
    monkeypatch.setattr(os, "geteuid", lambda: 4242)
    monkeypatch.setattr(os, "getegid", lambda: 4242)
    monkeypatch.setattr(os, "getgroups", lambda: [4242])
    for folder, trusted in ((owned, True), (theirs, False), (loose, False)):
        monkeypatch.setenv("WORKBENCH_CREDENTIALS", str(folder / "credentials.json"))
        store = C.CredentialStore()
        assert (store.state() == "ok") is trusted, (folder.name, store.state())
        assert store.is_set("engineer") is trusted and (store.authenticate("correct horse") == "engineer") is trusted
        if not trusted:
            assert store.state().startswith("not trusted (this account can change")
