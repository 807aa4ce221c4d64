"""The installs are locked: the venv the tests run in holds exactly the lock files' versions, every
lock pin has hashes, the locks satisfy pyproject.toml's ranges, the bundles ship the versions the tests
ran with, and the install scripts install nothing that is not hashed."""

import importlib.metadata as md
import os
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import locks as L  # noqa: E402

# scripts/update_deps.py runs this suite in a scratch venv made from the NEW locks it computed
SCRATCH = os.environ.get("WORKBENCH_LOCK_DIR")
ENV_LOCKS = ("tools", L.APP_LOCK, "model-wheels")


def lock_file(name: str) -> Path:
    return Path(SCRATCH) / f"{name}.txt" if SCRATCH else L.current_lock(name)
BUNDLES = sorted(p.stem for p in L.LOCKS.glob("bundle-*.txt"))


def _installed() -> dict[str, str]:
    have = {L.canonical(d.metadata["Name"]): d.version for d in md.distributions()}
    have.pop("vision-workbench", None)
    return have


def test_the_venv_holds_exactly_the_locked_versions():
    want: dict[str, str] = {}
    for name in ENV_LOCKS:
        want.update(L.pins_for_here(lock_file(name)))
    have = _installed()
    wrong = {n: (have.get(n), want.get(n)) for n in set(want) | set(have) if have.get(n) != want.get(n)}
    assert not wrong, "installed vs locked (run bash scripts/setup.sh): " + ", ".join(
        f"{n} {h} != {w}" for n, (h, w) in sorted(wrong.items()))


@pytest.mark.parametrize("lock", list(ENV_LOCKS) + ["update-tools"] + BUNDLES)
def test_every_pin_is_exact_and_hashed(lock):
    text = (lock_file(lock)).read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1] if text.startswith("#") else text)
    pins = [b for b in blocks if re.match(r"[A-Za-z0-9]", b)]
    assert pins, f"{lock}: no pins"
    for b in pins:
        assert "==" in b.split("\\")[0], f"{lock}: not an exact pin: {b.splitlines()[0]}"
        assert "--hash=sha256:" in b, f"{lock}: no hash for {b.splitlines()[0]}"


def _satisfied(reqs: list[str], pins: dict[str, str], what: str) -> None:
    for r in reqs:
        req = Requirement(r)
        if req.marker is not None and not req.marker.evaluate():
            continue
        name = L.canonical(req.name)
        assert name in pins, f"{what}: {req.name} is not in the lock"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"{what}: {req.name} {pins[name]} does not satisfy {req.specifier} (pyproject.toml)"


def test_app_lock_satisfies_pyproject():
    pins = L.pins_for_here(lock_file(L.APP_LOCK))
    _satisfied(L.app_requirements(["test", "samples"]), pins, "requirements.txt")


@pytest.mark.parametrize("lock", [b for b in BUNDLES if b.endswith("-linux")])
def test_linux_bundles_ship_the_tested_versions(lock):
    """A package the bundle shares with the tested set has the tested version (same Python, same OS)."""
    app = L.pins_for_here(lock_file(L.APP_LOCK))
    bundle = {n: v for n, v, _m in L.read_pins(lock_file(lock))}
    differ = {n: (bundle[n], app[n]) for n in set(app) & set(bundle) if app[n] != bundle[n]}
    assert not differ, f"{lock} vs requirements.txt: {differ}"
    flavour = lock[len("bundle-"):-len("-linux")]
    drop = ("onnxruntime",) if L.FLAVOURS[flavour] else ()
    _satisfied(L.app_requirements(["samples"], drop) + [L.PYINSTALLER], bundle, lock)
    runtime = "onnxruntime-gpu" if drop else "onnxruntime"
    assert runtime in bundle and ("onnxruntime" not in bundle or not drop), f"{lock}: wrong onnxruntime"


def test_the_lock_list_is_complete():
    """Every lock scripts/locks.py defines exists (and no stray one): the update script writes them all."""
    defined = {lk.path.name for lk in L.all_locks()}
    present = {p.name for p in L.LOCKS.glob("*.txt")} - {"hold.txt"} | {"requirements.txt"}
    assert defined == present


@pytest.mark.parametrize("script", ["scripts/setup.sh", "packaging/build.py"])
def test_install_scripts_install_only_hashed_locks(script):
    text = (REPO / script).read_text(encoding="utf-8")
    installs = [ln for ln in text.splitlines() if re.search(r"pip(i|\"|,|\s).*install|pipi ", ln)
                and not ln.strip().startswith(("#", "pipi()"))]
    assert installs, f"{script}: no install found (has the script changed shape?)"
    for ln in installs:
        hashed = "--require-hashes" in ln or "install_locked" in ln
        own = "--no-deps" in ln and ("-e ." in ln or "str(REPO)" in ln or "REPO]" in ln)
        assert hashed or own, f"{script}: installs without hashes: {ln.strip()}"
