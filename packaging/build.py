"""Build the Vision Workbench one-folder bundle in a clean virtual environment.

    python packaging/build.py --flavour cpu          # onnxruntime (CPU)
    python packaging/build.py --flavour gpu          # onnxruntime-gpu[cuda,cudnn]: CUDA 13 + cuDNN 9 (driver >= 580)
    python packaging/build.py --flavour gpu-cu12     # onnxruntime-gpu<=1.26 + nvidia-*-cu12: older drivers, Pascal/Volta

Steps: a fresh venv in build/venv-<flavour>; pip install the app, PyInstaller, one onnxruntime
(and for the gpu flavours the NVIDIA wheels), rapidocr-onnxruntime --no-deps (the PP-OCR models
ship in it); install the models and create the sample images into the source tree; run
PyInstaller on packaging/VisionWorkbench.spec into dist/<flavour>/VisionWorkbench; check the
collected files (no driver, no CUDA in the cpu flavour, CUDA only from the bundle's nvidia/);
on Linux pack dist/VisionWorkbench-<version>-<flavour>-linux-x86_64.tar.gz; write
build/<flavour>-report.json with sizes and times. `--self-test` runs the frozen self-test
with a bare environment (no Python on PATH) at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAME = "VisionWorkbench"
RAPIDOCR = "rapidocr-onnxruntime==1.4.4"
PYINSTALLER = "pyinstaller>=6.10"

FLAVOURS = {
    # pip requirement sets installed after the app (which pulls the CPU onnxruntime)
    "cpu": {"remove": [], "add": []},
    "gpu": {"remove": ["onnxruntime"], "add": ["onnxruntime-gpu[cuda,cudnn]>=1.28"]},
    "gpu-cu12": {"remove": ["onnxruntime"],
                 "add": ["onnxruntime-gpu>=1.20,<=1.26", "nvidia-cuda-runtime-cu12", "nvidia-cublas-cu12",
                         "nvidia-cufft-cu12", "nvidia-curand-cu12", "nvidia-cudnn-cu12>=9,<10",
                         "nvidia-cuda-nvrtc-cu12"]},
}
BUDGET_MB = {"cpu": 350, "gpu": 2560, "gpu-cu12": 2560}
# Library names that must never be in a bundle (the NVIDIA driver comes from the PC) ...
NEVER = ("libcuda.so", "nvcuda.dll", "libnvidia-")
# ... and CUDA libraries that must not be in the cpu flavour at all, nor outside nvidia/ in the gpu ones.
CUDA_NAMES = ("cudart", "cublas", "cudnn", "cufft", "curand", "nvrtc", "nvjitlink", "cusparse", "cusolver")


def say(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def run(cmd: list[str], **kw) -> None:
    say("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def make_venv(flavour: str, reuse: bool) -> Path:
    venv = REPO / "build" / f"venv-{flavour}"
    py = venv_python(venv)
    if reuse and py.exists():
        say(f"reusing {venv} (reinstalling the app only)")
        run([py, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(REPO)])
        return py
    if venv.exists():
        shutil.rmtree(venv)
    run([sys.executable, "-m", "venv", venv])
    pip = [py, "-m", "pip", "install", "-q"]
    run(pip + ["--upgrade", "pip"])
    run(pip + [str(REPO), PYINSTALLER])
    f = FLAVOURS[flavour]
    if f["remove"]:
        run([py, "-m", "pip", "uninstall", "-y", *f["remove"]])
    if f["add"]:
        run(pip + f["add"])
    run(pip + ["--no-deps", RAPIDOCR])
    return py


def prepare_data(py: Path) -> None:
    """Models and samples go INTO the source tree (models/, resources/samples/) that the spec bundles."""
    code = ("from workbench.inference.bundled import install_ocr_models\n"
            "from workbench.core.samples import ensure_samples\n"
            "for p in install_ocr_models() + ensure_samples(): print(p)\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))  # the source tree's workbench: app_root() = the repo
    run([py, "-c", code], cwd=REPO, env=env)


def freeze(py: Path, flavour: str, console: bool) -> Path:
    dist = REPO / "dist" / flavour
    work = REPO / "build" / f"pyinstaller-{flavour}"
    env = dict(os.environ, WORKBENCH_FLAVOUR=flavour, WORKBENCH_CONSOLE="1" if console else "0")
    env.pop("PYTHONPATH", None)
    run([py, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN", "--distpath", dist,
         "--workpath", work, REPO / "packaging" / f"{NAME}.spec"], cwd=REPO, env=env)
    return dist / NAME


def check_files(bundle: Path, flavour: str) -> tuple[list[str], dict]:
    problems = []
    files = [p for p in bundle.rglob("*") if p.is_file() or p.is_symlink()]
    for p in files:
        rel = p.relative_to(bundle).as_posix()
        name = p.name.lower()
        if name.startswith(NEVER):
            problems.append(f"driver library in the bundle: {rel}")
        if any(k in name for k in CUDA_NAMES) and (name.endswith((".dll",)) or ".so" in name):
            if flavour == "cpu":
                problems.append(f"CUDA library in the cpu flavour: {rel}")
            elif "/nvidia/" not in f"/{rel}" and "onnxruntime" not in name:
                problems.append(f"CUDA library outside nvidia/ (from the build machine?): {rel}")
        if p.is_symlink():
            target = os.path.realpath(p)
            if not target.startswith(str(bundle.resolve())):
                problems.append(f"link out of the bundle: {rel} -> {target}")
    for need in ("resources/pipelines", "resources/samples", "resources/translations", "models"):
        if not list(bundle.rglob(need.split("/")[-1])):
            problems.append(f"missing in the bundle: {need}")
    lics = list(bundle.rglob("models/**/LICENSE*"))
    if not lics:
        problems.append("no model licenses in the bundle")
    sizes: dict[str, int] = {}
    for p in files:
        if p.is_file() and not p.is_symlink():
            rel = p.relative_to(bundle).parts
            key = "/".join(rel[:3]) if rel[0] == "_internal" and len(rel) > 2 else "/".join(rel[:2])
            sizes[key] = sizes.get(key, 0) + p.stat().st_size
    top = dict(sorted(((k, round(v / 2**20, 1)) for k, v in sizes.items()), key=lambda kv: -kv[1])[:25])
    return problems, {"files": len(files), "largest_mb": top}


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def make_tarball(bundle: Path, flavour: str) -> Path:
    from workbench import __version__  # the source tree's version

    out = bundle.parent.parent / f"{NAME}-{__version__}-{flavour}-linux-x86_64.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=NAME)
    return out


def frozen_self_test(bundle: Path, flavour: str) -> dict:
    exe = bundle / (NAME + (".exe" if os.name == "nt" else ""))
    report = REPO / "build" / f"{flavour}-selftest.json"
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "QT_QPA_PLATFORM": "offscreen"}
    cmd = [str(exe), "self-test", "--json", str(report)]
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
        cmd = ["unshare", "-rn", *cmd]  # no network at all
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd="/", capture_output=True, text=True)
    print(proc.stdout[-6000:], proc.stderr[-3000:], sep="\n")
    return {"command": " ".join(cmd), "exit_code": proc.returncode, "seconds": round(time.perf_counter() - t0, 1),
            "report": str(report), "no_network": cmd[0] == "unshare"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flavour", choices=sorted(FLAVOURS), default="cpu")
    ap.add_argument("--reuse-venv", action="store_true", help="keep build/venv-<flavour> (faster, for iterating)")
    ap.add_argument("--windowed", action="store_true", help="no console window (Windows GUI build)")
    ap.add_argument("--no-archive", action="store_true", help="skip the tar.gz")
    ap.add_argument("--self-test", action="store_true", help="run the frozen self-test with no Python on PATH")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    t0 = time.perf_counter()
    report: dict = {"flavour": args.flavour, "python": sys.version.split()[0], "platform": sys.platform}
    py = make_venv(args.flavour, args.reuse_venv)
    t_env = time.perf_counter()
    prepare_data(py)
    bundle = freeze(py, args.flavour, console=not args.windowed)
    t_freeze = time.perf_counter()
    problems, files = check_files(bundle, args.flavour)
    size = dir_size(bundle)
    report.update(bundle=str(bundle), size_mb=round(size / 2**20, 1), budget_mb=BUDGET_MB[args.flavour],
                  within_budget=size / 2**20 <= BUDGET_MB[args.flavour], problems=problems, **files,
                  venv_seconds=round(t_env - t0, 1), freeze_seconds=round(t_freeze - t_env, 1))
    freeze_txt = subprocess.run([py, "-m", "pip", "freeze"], capture_output=True, text=True).stdout
    report["packages"] = freeze_txt.split()
    if sys.platform.startswith("linux") and not args.no_archive:
        tgz = make_tarball(bundle, args.flavour)
        report.update(archive=str(tgz), archive_mb=round(tgz.stat().st_size / 2**20, 1))
    report["build_seconds"] = round(time.perf_counter() - t0, 1)
    if args.self_test:
        report["self_test"] = frozen_self_test(bundle, args.flavour)
    out = REPO / "build" / f"{args.flavour}-report.json"
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    say(f"{bundle}: {report['size_mb']} MB unpacked (budget {report['budget_mb']} MB), {files['files']} files"
        + (f"; {report['archive']}: {report['archive_mb']} MB" if "archive" in report else "")
        + f"; built in {report['build_seconds']} s -> {out}")
    for p in problems:
        say("PROBLEM: " + p)
    failed = bool(problems) or (args.self_test and report["self_test"]["exit_code"] != 0)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
