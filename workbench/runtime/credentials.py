"""Who may do what on the line: roles, passwords stored where the operator cannot write, lock-out.

Roles (after VisionMaster's admin / technician / operator):

* ``operator``: runs the line and resets the counters. Needs no password: it is what the operator
  screen allows.
* ``engineer``: edits and tunes pipelines, leaves the operator screen.
* ``admin``: manages the passwords (and may do everything an engineer may).

**Where the credentials live.** One machine-wide file, written by an administrator (the installer,
or ``workbench password set`` run as root / an elevated prompt), readable by every account and
writable by none of the operator's: ``/etc/vision-workbench/credentials.json`` on Linux,
``%ProgramData%\\VisionWorkbench\\credentials.json`` on Windows (the installer gives Users read
access only), ``/Library/Application Support/VisionWorkbench/credentials.json`` on macOS.
``WORKBENCH_CREDENTIALS`` names another file (tests; a service that sets its own environment); a file
that the running (non-administrator) account could change, there or through its folder, is never
trusted, so the variable cannot point the app at a file of the operator's own.
Nothing is kept in the user's settings, which the operator's own account can edit.

**Hashes.** ``scrypt$n$r$p$salt$hash`` with a random 16-byte salt and fixed minimum parameters
(n = 2^15, r = 8, p = 1, a 32-byte key): a stored value with weaker (or absurdly large) parameters,
a malformed one, a damaged file or a missing one never opens the way out — only an administrator
can set it again. Passwords have at least :data:`MIN_PASSWORD_LEN` characters; no plain text anywhere.

**Failed tries.** :class:`Throttle`: a growing delay after each wrong password (1, 2, 4, 8 s…) and
a lock-out after :data:`MAX_TRIES` in a row; every try and mode change goes to the audit log
(``runtime.audit``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from workbench.core.errors import WorkbenchError

ROLES = ("operator", "engineer", "admin")
RANK = {r: i for i, r in enumerate(ROLES)}
PASSWORD_ROLES = ("engineer", "admin")  # the operator needs none
PERMISSIONS = {"run": "operator", "reset_counters": "operator", "edit": "engineer", "tune": "engineer",
               "leave_operator": "engineer", "manage_passwords": "admin"}
MIN_PASSWORD_LEN = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P, KEY_LEN, SALT_LEN = 2 ** 15, 8, 1, 32, 16
MAX_N, MAX_R, MAX_P = 2 ** 17, 16, 4  # a stored value asking for more is refused (memory/CPU abuse)
MAXMEM = 256 * 1024 * 1024
MAX_TRIES = 5  # wrong passwords in a row before the lock-out
LOCKOUT_S = 300.0
FORMAT = "workbench.credentials"
ENV = "WORKBENCH_CREDENTIALS"
SET_HOW = "an administrator sets it with: workbench password set"


def may(role: str | None, action: str) -> bool:
    """True when ``role`` is allowed to do ``action`` (see PERMISSIONS)."""
    need = PERMISSIONS[action]
    return role in RANK and RANK[role] >= RANK[need]


def default_credentials_path() -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "VisionWorkbench" / "credentials.json"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/VisionWorkbench/credentials.json")
    return Path("/etc/vision-workbench/credentials.json")


# ---------------------------------------------------------------- hashing (no plain text, ever)
def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt_hex$hash_hex`` with the fixed parameters and a random 16-byte salt."""
    salt = os.urandom(SALT_LEN) if salt is None else salt
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=MAXMEM, dklen=KEY_LEN)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def hash_problem(stored: object) -> str | None:
    """Why a stored hash cannot be trusted (malformed, weaker than the minimum, too costly), or None."""
    parts = str(stored or "").split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return "not a scrypt hash"
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, want = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
    except ValueError:
        return "malformed"
    if not (SCRYPT_N <= n <= MAX_N and n & (n - 1) == 0 and SCRYPT_R <= r <= MAX_R and SCRYPT_P <= p <= MAX_P):
        return f"scrypt parameters n={n} r={r} p={p} are outside the accepted range"
    if len(salt) < SALT_LEN or len(want) != KEY_LEN:
        return "salt or key too short"
    return None


def verify_password(password: str, stored: object) -> bool:
    """True when ``password`` hashes to ``stored`` (constant-time compare); False for anything malformed
    or weaker than the fixed minimum parameters."""
    if not isinstance(password, str) or hash_problem(stored):
        return False
    _, n, r, p, salt, want = str(stored).split("$")
    try:
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=MAXMEM, dklen=KEY_LEN)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(got, bytes.fromhex(want))


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LEN:
        return f"the password needs at least {MIN_PASSWORD_LEN} characters"
    if password.strip() != password or not password.isprintable():
        return "the password may not start or end with spaces or contain control characters"
    return None


def _changeable_by_this_account(path: Path) -> str | None:
    """The file or folder through which this (non-administrator) account could replace the credentials,
    or None. A credential file the operator's own account can change - a WORKBENCH_CREDENTIALS pointing
    into their home, a file or folder left writable - proves nothing, so it is never trusted (POSIX;
    on Windows the installer's ACLs on ProgramData do this job)."""
    if os.name != "posix" or os.geteuid() == 0:
        return None
    uid, groups = os.geteuid(), {os.getegid(), *os.getgroups()}
    for p in (path, path.parent):
        try:
            st = p.stat()
        except OSError:
            continue
        if ((st.st_uid == uid and st.st_mode & 0o200) or (st.st_gid in groups and st.st_mode & 0o020)
                or st.st_mode & 0o002):
            return str(p)
    return None


# ---------------------------------------------------------------- the store
class CredentialStore:
    """The machine-wide credential file. Reading never raises: a missing or damaged file means
    "no password set" (:meth:`state` says which) and nothing authenticates."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_credentials_path()

    def _read(self) -> tuple[dict[str, str], str]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}, "missing"
        except OSError as exc:
            return {}, f"unreadable ({exc.strerror or exc})"
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            return {}, "damaged (not valid JSON)"
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("roles"), dict):
            return {}, "damaged (not a credential file)"
        roles = {k: v for k, v in data["roles"].items() if k in PASSWORD_ROLES and isinstance(v, str)}
        bad = [k for k, v in roles.items() if hash_problem(v)]
        if bad:
            return {}, f"damaged ({bad[0]}: {hash_problem(roles[bad[0]])})"
        mine = _changeable_by_this_account(self.path)
        if mine:
            return {}, f"not trusted (this account can change {mine})"
        return roles, "ok"

    def state(self) -> str:
        """'ok', 'missing', 'unreadable (…)' or 'damaged (…)'."""
        return self._read()[1]

    def is_set(self, role: str = "engineer") -> bool:
        return role in self._read()[0]

    def roles_set(self) -> list[str]:
        return sorted(self._read()[0], key=RANK.get)

    def authenticate(self, password: str) -> str | None:
        """The highest role whose password this is, or None."""
        roles, _ = self._read()
        for role in sorted(roles, key=RANK.get, reverse=True):
            if verify_password(password, roles[role]):
                return role
        return None

    def can_write(self) -> bool:
        """Whether this process may change the file (an administrator, or a test's own file)."""
        if self.path.exists():
            return os.access(self.path, os.W_OK)
        parent = self.path.parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        return os.access(parent, os.W_OK)

    def set_password(self, role: str, password: str) -> None:
        """Store ``role``'s password (hashed). WorkbenchError when refused or not allowed to write."""
        if role not in PASSWORD_ROLES:
            raise WorkbenchError(f"role {role!r} has no password (roles with one: {', '.join(PASSWORD_ROLES)})")
        problem = password_problem(password)
        if problem:
            raise WorkbenchError(problem)
        roles, state = self._read()
        if state not in ("ok", "missing"):
            roles = {}  # a damaged file is replaced whole by the administrator
        roles[role] = hash_password(password)
        self._write(roles)

    def _write(self, roles: dict[str, str]) -> None:
        from workbench.core.fileio import atomic_write_text

        text = json.dumps({"format": FORMAT, "version": 1, "roles": roles}, indent=2, sort_keys=True) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.path, text)
            if os.name == "posix":
                os.chmod(self.path, 0o644)  # everyone reads, only the owner (root) writes
        except PermissionError:
            raise WorkbenchError(f"cannot write {self.path}: permission denied (run it as an administrator: "
                                 "sudo workbench password set)") from None
        except OSError as exc:
            raise WorkbenchError(f"cannot write {self.path}: {exc.strerror or exc}") from None


def require_engineer_password(store: CredentialStore | None = None) -> CredentialStore:
    """The store, when it holds an engineering password; else WorkbenchError saying how to set one.
    Operator mode is never entered without a way out that only an engineer has."""
    store = store if store is not None else CredentialStore()
    if not store.is_set("engineer"):
        state = store.state()
        why = "no engineering password is set" if state in ("ok", "missing") else f"the credential file is {state}"
        raise WorkbenchError(f"operator mode needs an engineering password and {why} ({store.path}): {SET_HOW}")
    return store


# ---------------------------------------------------------------- failed tries
@dataclass
class Throttle:
    """A growing delay after each wrong password and a lock-out after ``max_tries`` in a row."""

    max_tries: int = MAX_TRIES
    base_delay: float = 1.0
    max_delay: float = 30.0
    lockout_s: float = LOCKOUT_S
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    not_before: float = field(default=0.0)
    locked: bool = False

    def wait_left(self) -> float:
        """Seconds before the next try is accepted (0: now)."""
        left = self.not_before - self.clock()
        if left <= 0 and self.locked:
            self.locked, self.failures = False, 0
        return max(0.0, left)

    def failed(self) -> float:
        """Count a wrong password; the seconds to wait before the next try."""
        self.failures += 1
        if self.failures >= self.max_tries:
            self.locked = True
            delay = self.lockout_s
        else:
            delay = min(self.max_delay, self.base_delay * 2 ** (self.failures - 1))
        self.not_before = self.clock() + delay
        return delay

    def resume(self, failures: int, seconds_since_last: float) -> None:
        """Continue from ``failures`` wrong tries in a row, the last one ``seconds_since_last`` ago (a
        restarted screen keeps its delay and lock-out)."""
        if failures <= 0:
            return
        self.failures = failures - 1
        self.failed()
        self.not_before -= seconds_since_last

    def succeeded(self) -> None:
        self.failures, self.not_before, self.locked = 0, 0.0, False
