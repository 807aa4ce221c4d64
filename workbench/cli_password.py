"""`workbench password set|status`: the engineering and admin passwords (runtime.credentials).

    sudo workbench password set                 # the engineering password (asked twice)
    sudo workbench password set --role admin    # the admin password
    workbench password status                   # where the file is, which roles have one, who may write it

The file is machine-wide and only an administrator may write it, so `set` is run as root / from an
elevated prompt (or by the installer). Once an admin password exists, `set` asks for it first.
``--stdin`` reads the answers one per line instead of prompting (installers, tests): the admin
password when one is set, then the new password twice.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from workbench.core.errors import WorkbenchError


def add_parser(sub) -> None:
    pw = sub.add_parser("password", help="set the engineering / admin password (machine-wide, as administrator)")
    pw.add_argument("action", choices=("set", "status"))
    pw.add_argument("--role", choices=("engineer", "admin"), default="engineer")
    pw.add_argument("--stdin", action="store_true", help="read the passwords from standard input, one per line")


def _reader(args: argparse.Namespace):
    if args.stdin:
        lines = iter(sys.stdin.read().splitlines())
        return lambda prompt: next(lines, "")
    return getpass.getpass


def cmd_password(args: argparse.Namespace) -> int:
    from workbench.runtime.audit import SET, AuditLog
    from workbench.runtime.credentials import CredentialStore, may, password_problem

    store = CredentialStore()
    if args.action == "status":
        state = store.state()
        print(f"credential file: {store.path} ({state})")
        print(f"passwords set: {', '.join(store.roles_set()) or 'none'}")
        if state == "ok" and store.can_write():
            print("note: this account may change the file; operators' accounts must not (install it as administrator)")
        return 0
    if not store.can_write():
        raise WorkbenchError(f"cannot write {store.path}: run it as an administrator (sudo workbench password set)")
    ask = _reader(args)
    if store.is_set("admin"):
        if not may(store.authenticate(ask("Admin password: ")), "manage_passwords"):
            AuditLog().record("password refused", "", f"wrong admin password for setting the {args.role} password")
            raise WorkbenchError("wrong admin password: the passwords stay as they were")
    new = ask(f"New {args.role} password: ")
    problem = password_problem(new)
    if problem:
        raise WorkbenchError(problem)
    if ask("Repeat it: ") != new:
        raise WorkbenchError("the two passwords differ: nothing was changed")
    store.set_password(args.role, new)
    AuditLog().record(SET, args.role, str(store.path))
    print(f"{args.role} password set in {store.path}")
    return 0
