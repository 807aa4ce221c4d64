"""Build the Vision Workbench one-folder bundle in a clean virtual environment.

    python packaging/build.py --flavour cpu          # onnxruntime (CPU)
    python packaging/build.py --flavour gpu          # onnxruntime-gpu[cuda,cudnn]: CUDA 13 + cuDNN 9 (driver >= 580)
    python packaging/build.py --flavour gpu-cu12     # onnxruntime-gpu<=1.26 + nvidia-*-cu12: older drivers, Pascal/Volta

Steps: a fresh venv in build/venv-<flavour>, installed ONLY from the lock files, with hashes and
--no-deps (locks/tools.txt, locks/bundle-<flavour>-<platform>.txt: the app's dependencies with its
`samples` extra (scikit-image, only to create the sample images), PyInstaller, one onnxruntime (and for
the gpu flavours the NVIDIA wheels); locks/rapidocr.txt: the PP-OCR models ship in it), then the app
itself with --no-deps; the build fails if the venv differs from the lock in any package;
install the models and create the sample images into the source tree; run PyInstaller on
packaging/VisionWorkbench.spec into dist/<flavour>/VisionWorkbench; check the collected files
(no driver, no CUDA in the cpu flavour, CUDA only from the venv's nvidia wheels into the bundle's
nvidia/, no package the app does not run with, every library a library needs is in the bundle or
the system); write build/<flavour>-libraries.json (every collected binary: size, source, origin);
on Linux pack dist/VisionWorkbench-<version>-<flavour>-linux-x86_64.tar.gz; write
build/<flavour>-report.json with sizes and times. `--self-test` runs the frozen self-test
with a bare environment (no Python on PATH, no network where unshare allows) at the end.
The build fails (exit 1) on any problem, on a bundle over its size budget, or a failed self-test.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAME = "VisionWorkbench"
LOCKS = REPO / "locks"  # exact versions + hashes; only scripts/update_deps.py changes them

# What each flavour installs (onnxruntime or onnxruntime-gpu with CUDA 13 / CUDA 12 wheels, and why the cuDNN
# bounds) is written once, in scripts/locks.py; the bundle installs exactly locks/bundle-<flavour>-<platform>.txt.
FLAVOURS = ("cpu", "gpu", "gpu-cu12")
# unpacked, MiB. CUDA 12's libraries carry kernels for Maxwell ... Blackwell (sm_50 ... sm_120), CUDA 13's
# for Turing ... Blackwell only: the same set is ~40% larger (cuBLASLt 715 MB vs 526, cuDNN 1 GB vs 471 MB).
BUDGET_MB = {"cpu": 350, "gpu": 2560, "gpu-cu12": 3328}
# Library names that must never be in a bundle (the NVIDIA driver comes from the PC) ...
NEVER = ("libcuda.so", "nvcuda.dll", "libnvidia-")
# ... and CUDA libraries that must not be in the cpu flavour at all, nor outside nvidia/ in the gpu ones.
CUDA_NAMES = ("cudart", "cublas", "cudnn", "cufft", "curand", "nvrtc", "nvjitlink", "cusparse", "cusolver",
              "nvinfer", "nvonnxparser")
# Packages in the build venv the app does not run with (scikit-image & co. create the samples at build time)
NOT_IN_BUNDLE = ("scipy", "skimage", "PIL", "imageio", "tifffile", "networkx", "pytest", "setuptools", "pip")
# Libraries a bundle may need and not carry: they come from the PC (driver, TensorRT, the C library, GL)
FROM_THE_PC = ("libcuda.so*", "libnvinfer*", "libnvonnxparser*", "libc.so*", "libm.so*", "libdl.so*", "librt.so*",
               "libpthread.so*", "ld-linux*", "libutil.so*", "libresolv.so*", "libGL.so*", "libEGL.so*",
               "libOpenGL.so*", "libGLX.so*", "libGLESv2.so*", "libvulkan.so*")


def say(msg: str) -> None:
    print(f"[build] {msg}", flush=True)


def run(cmd: list[str], **kw) -> None:
    say("$ " + " ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def lock_file(lock_dir: Path, flavour: str) -> Path:
    plat = "windows" if os.name == "nt" else "linux"
    return lock_dir / f"bundle-{flavour}-{plat}.txt"


def install_locked(py: Path, lock: Path) -> None:
    """Exact versions with hashes, nothing resolved here: --no-deps, since the lock lists every package."""
    if not lock.exists():
        raise SystemExit(f"[build] no lock file {lock}: run python3 scripts/update_deps.py --relock")
    run([py, "-m", "pip", "install", "-q", "--require-hashes", "--no-deps", "-r", lock])


def make_venv(flavour: str, reuse: bool, lock_dir: Path) -> Path:
    venv = REPO / "build" / f"venv-{flavour}"
    py = venv_python(venv)
    if reuse and py.exists():
        say(f"reusing {venv} (reinstalling the app only)")
        run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--force-reinstall", str(REPO)])
        return py
    if venv.exists():
        shutil.rmtree(venv)
    run([sys.executable, "-m", "venv", venv])
    install_locked(py, lock_dir / "tools.txt")
    install_locked(py, lock_file(lock_dir, flavour))
    install_locked(py, lock_dir / "rapidocr.txt")  # PP-OCR models ship in it; --no-deps: it would pull opencv-python
    run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", str(REPO)])
    return py


def lock_mismatch(py: Path, lock_dir: Path, flavour: str) -> list[str]:
    """What the build venv holds that its lock does not say (pip freeze must equal the lock)."""
    sys.path.insert(0, str(REPO / "scripts"))
    import locks

    want = {n: v for n, v, _m in locks.read_pins(lock_file(lock_dir, flavour))}
    want.update({n: v for n, v, _m in locks.read_pins(lock_dir / "rapidocr.txt")})
    want.update({n: v for n, v, _m in locks.read_pins(lock_dir / "tools.txt")})
    out = subprocess.run([py, "-m", "pip", "list", "--format", "json"], capture_output=True, text=True).stdout
    have = {locks.canonical(d["name"]): d["version"] for d in json.loads(out)}
    have.pop("vision-workbench", None)
    return [f"{n}: installed {have.get(n, 'nothing')}, lock says {want.get(n, 'nothing')}"
            for n in sorted(set(want) | set(have)) if want.get(n) != have.get(n)]


def prepare_data(py: Path) -> None:
    """Models and samples go INTO the source tree (models/, resources/samples/) that the spec bundles."""
    code = ("from workbench.inference.bundled import install_ocr_models\n"
            "from workbench.runtime.samples import ensure_samples\n"
            "for p in install_ocr_models() + ensure_samples(): print(p)\n")
    env = dict(os.environ, PYTHONPATH=str(REPO))  # the source tree's workbench: app_root() = the repo
    run([py, "-c", code], cwd=REPO, env=env)


def manifest_path(flavour: str) -> Path:
    return REPO / "build" / f"pyinstaller-{flavour}" / "manifest.json"


def freeze(py: Path, flavour: str, console: bool) -> Path:
    dist = REPO / "dist" / flavour
    work = REPO / "build" / f"pyinstaller-{flavour}"
    env = dict(os.environ, WORKBENCH_FLAVOUR=flavour, WORKBENCH_CONSOLE="1" if console else "0",
               WORKBENCH_MANIFEST=str(manifest_path(flavour)))
    env.pop("PYTHONPATH", None)
    run([py, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN", "--distpath", dist,
         "--workpath", work, REPO / "packaging" / f"{NAME}.spec"], cwd=REPO, env=env)
    return dist / NAME


def elf_needed(path: Path) -> list[str] | None:
    """DT_NEEDED of a 64-bit little-endian ELF file (None if it is not one)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
                return None
            phoff, = struct.unpack_from("<Q", head, 32)
            phentsize, phnum = struct.unpack_from("<HH", head, 54)
            f.seek(phoff)
            ph = f.read(phentsize * phnum)
            loads, dynamic = [], None
            for i in range(phnum):
                p_type, _, off, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", ph, i * phentsize)
                if p_type == 1:
                    loads.append((vaddr, filesz, off))
                elif p_type == 2:
                    dynamic = (off, filesz)
            if dynamic is None:
                return []
            f.seek(dynamic[0])
            dyn = f.read(dynamic[1])
            needed, strtab = [], None
            for i in range(0, len(dyn) - 15, 16):
                tag, val = struct.unpack_from("<qQ", dyn, i)
                if tag == 0:
                    break
                if tag == 1:
                    needed.append(val)
                elif tag == 5:
                    strtab = val
            base = next((off + strtab - vaddr for vaddr, size, off in loads if vaddr <= (strtab or -1) < vaddr + size),
                        None)
            if base is None:
                return []
            out = []
            for n in needed:
                f.seek(base + n)
                out.append(f.read(256).split(b"\0", 1)[0].decode("utf-8", "replace"))
            return out
    except OSError:
        return None


def elf_symbols(path: Path, defined: bool) -> dict[str, tuple[int, int]] | set[str]:
    """Dynamic symbols of an ELF file with binutils' nm: {name: (address, size)} of the defined ones, or the
    set of undefined names. Empty when nm is missing."""
    args = ["nm", "-D", "-S" if defined else "-u"] + (["--defined-only"] if defined else []) + [str(path)]
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return {} if defined else set()
    if not defined:
        return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4:
            syms[parts[3]] = (int(parts[0], 16), int(parts[1], 16))
    return syms


# ICU's data (libicudata, 30 MB) serves every ICU service; Qt calls only these (checked against what the
# bundled libraries import before trimming): case mapping, calendar/time zone names, converters, collation.
ICU_APIS_KEPT = ("u_strToLower", "u_strToUpper", "ucal_", "ucnv_", "UCNV_", "ucol_")
# Data only other services read: break iteration, units, currencies, language names, transliteration,
# rule-based number formatting. Regions (time zone location names) stay. Time zone display names stay for
# the app's languages only (others fall back to "GMT+01:00"); collation and converters stay whole.
ICU_DATA_DROPPED = ("brkitr/", "unit/", "curr/", "lang/", "translit/", "rbnf/")
ICU_ZONE_ALWAYS = ("root", "pool", "res_index", "tzdbNames")


def _icu_item_dropped(name: str, drop: tuple[str, ...], zone_languages: tuple[str, ...] | None) -> bool:
    rel = name.split("/", 1)[-1]
    if rel.startswith(drop):
        return True
    if zone_languages is not None and rel.startswith("zone/"):
        stem = rel[5:].rsplit(".", 1)[0]
        langs = {lang.split("_")[0] for lang in zone_languages}
        return stem not in ICU_ZONE_ALWAYS and stem.split("_")[0] not in langs
    return False


def trim_icu_package(data: bytes, drop: tuple[str, ...] = ICU_DATA_DROPPED,
                     zone_languages: tuple[str, ...] | None = None) -> tuple[bytes, list[str]]:
    """An ICU common data package ("CmnD") without the items whose name (after the package name) starts with
    one of ``drop`` and, with ``zone_languages``, without the time zone names of other languages. Item bytes
    are copied as they are; the table of contents stays sorted."""
    hsize, = struct.unpack_from("<H", data, 0)
    if data[2:4] != b"\xda\x27" or data[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    count, = struct.unpack_from("<I", data, hsize)
    entries = [struct.unpack_from("<II", data, hsize + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_off, data_off) in enumerate(entries):
        end = entries[i + 1][1] if i + 1 < count else len(data) - hsize
        start = hsize + name_off
        name = data[start:data.index(b"\0", start)]
        items.append((name, data[hsize + data_off:hsize + end]))
    kept = [(n, b) for n, b in items if not _icu_item_dropped(n.decode(), drop, zone_languages)]
    removed = [n.decode() for n, _ in items if _icu_item_dropped(n.decode(), drop, zone_languages)]
    names = b"".join(n + b"\0" for n, _ in kept)
    toc_len = 4 + 8 * len(kept)
    first = toc_len + len(names)
    first += -(hsize + first) % 16
    toc, blobs, offset, name_at = [], [], first, toc_len
    for n, b in kept:
        toc.append(struct.pack("<II", name_at, offset))
        name_at += len(n) + 1
        pad = -(len(b)) % 16
        blobs.append(b + b"\0" * pad)
        offset += len(b) + pad
    head = data[:hsize] + struct.pack("<I", len(kept)) + b"".join(toc) + names
    head += b"\0" * (hsize + first - len(head))
    return head + b"".join(blobs), removed


def trim_icu_library(src: Path, out_dir: Path, zone_languages: tuple[str, ...] | None = None) -> tuple[Path, dict]:
    """libicudata.so.NN rebuilt with trim_icu_package's data (gcc assembles it). Returns (path, info)."""
    syms = elf_symbols(src, defined=True)
    name = next((s for s in syms if s.startswith("icudt") and s.endswith("_dat")), None)
    if name is None:
        raise RuntimeError(f"no icudt*_dat symbol in {src}")
    raw = src.read_bytes()
    vaddr, size = syms[name]
    offset = next(off + vaddr - va for va, sz, off in _elf_loads(raw) if va <= vaddr < va + sz)
    package, removed = trim_icu_package(raw[offset:offset + size], zone_languages=zone_languages)
    out_dir.mkdir(parents=True, exist_ok=True)
    dat = out_dir / f"{name[:-4]}l.dat"
    dat.write_bytes(package)
    asm = out_dir / "icudata.S"
    asm.write_text(f"""    .section .rodata
    .globl {name}
    .type {name}, @object
    .balign 16
{name}:
    .incbin "{dat}"
    .size {name}, . - {name}
    .section .note.GNU-stack,"",@progbits
""", encoding="ascii")
    lib = out_dir / src.name
    subprocess.run(["gcc", "-shared", "-nostdlib", "-o", str(lib), f"-Wl,-soname,{src.name}", str(asm)], check=True,
                   capture_output=True, text=True)
    return lib, {"removed_items": len(removed), "before_mb": round(size / 2**20, 1),
                 "after_mb": round(len(package) / 2**20, 1), "dropped": list(ICU_DATA_DROPPED),
                 "zone_names_kept_for": list(zone_languages) if zone_languages is not None else "all"}


def _elf_loads(raw: bytes) -> list[tuple[int, int, int]]:
    phoff, = struct.unpack_from("<Q", raw, 32)
    phentsize, phnum = struct.unpack_from("<HH", raw, 54)
    out = []
    for i in range(phnum):
        p_type, _, off, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", raw, phoff + i * phentsize)
        if p_type == 1:
            out.append((vaddr, filesz, off))
    return out


def system_libraries() -> set[str]:
    """Library names the system's dynamic linker knows (ldconfig -p), empty if it cannot say."""
    for exe in ("ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig"):
        try:
            out = subprocess.run([exe, "-p"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        return {line.split(" (", 1)[0].strip() for line in out.splitlines()[1:] if " => " in line}
    return set()


def check_dependencies(bundle: Path) -> tuple[list[str], dict[str, list[str]]]:
    """Every library that a bundled library needs is in the bundle, comes from the PC by design
    (FROM_THE_PC) or is a library of this system. Returns (problems, {needed from the system: [by whom]})."""
    names = {p.name for p in bundle.rglob("*")}
    system = system_libraries()
    from_system: dict[str, list[str]] = {}
    problems = []
    for p in sorted(bundle.rglob("*")):
        if not p.is_file() or p.is_symlink() or not (".so" in p.name or p.name == NAME):
            continue
        for need in elf_needed(p) or []:
            if need in names or any(fnmatch.fnmatch(need, pat) for pat in FROM_THE_PC):
                continue
            if need in system:
                from_system.setdefault(need, []).append(p.relative_to(bundle).as_posix())
            else:
                problems.append(f"{p.relative_to(bundle).as_posix()} needs {need}: neither in the bundle nor "
                                f"on this system")
    return problems, {k: v[:3] + ([f"... {len(v) - 3} more"] if len(v) > 3 else []) for k, v in
                      sorted(from_system.items())}


def check_manifest(flavour: str, bundle: Path) -> tuple[list[str], dict]:
    """The spec's list of collected binaries: nothing of the GPU stack from outside the venv (a build
    machine's own CUDA must not leak in); writes build/<flavour>-libraries.json."""
    path = manifest_path(flavour)
    if not path.is_file():
        return [f"no manifest of collected binaries ({path})"], {}
    man = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    rows = [r for r in man["binaries"] if r["type"] != "SYMLINK"]
    for r in rows:
        name = r["path"].rsplit("/", 1)[-1].lower()
        gpu_stack = name.startswith(NEVER) or any(k in name for k in CUDA_NAMES) or "onnxruntime" in name
        if gpu_stack and not r["origin"].startswith("venv"):
            problems.append(f"{r['path']} comes from outside the build venv: {r['source']}")
        if not (bundle / "_internal" / r["path"]).exists() and not (bundle / r["path"]).exists():
            problems.append(f"{r['path']} is in the manifest but not in the bundle")
    by_origin: dict[str, dict] = {}
    for r in rows:
        o = by_origin.setdefault(r["origin"], {"files": 0, "mb": 0.0})
        o["files"] += 1
        o["mb"] += r["size"] / 2**20
    for o in by_origin.values():
        o["mb"] = round(o["mb"], 1)
    libs = sorted(({"path": r["path"], "mb": round(r["size"] / 2**20, 2), "origin": r["origin"],
                    "source": r["source"]} for r in rows), key=lambda r: -r["mb"])
    out = REPO / "build" / f"{flavour}-libraries.json"
    out.write_text(json.dumps({"flavour": flavour, "venv": man["venv"], "by_origin": by_origin,
                               "binaries": libs, "dropped": man["dropped"]}, indent=1), encoding="utf-8")
    cuda = [r for r in libs if r["path"].startswith("nvidia/")]
    summary = {"manifest": str(out), "binaries_by_origin": by_origin, "dropped_by_the_spec": len(man["dropped"]),
               "icu": {k: v for k, v in man.get("icu", {}).items() if k != "apis_used"},
               "system_binaries": sorted(r["path"] for r in libs if r["origin"] == "system")}
    if cuda:
        summary["cuda_libraries"] = {r["path"]: r["mb"] for r in cuda}
        summary["cuda_mb"] = round(sum(r["mb"] for r in cuda), 1)
    return problems, summary


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
    internal = bundle / "_internal"
    for pkg in NOT_IN_BUNDLE:
        if (internal / pkg).is_dir() or list(internal.glob(f"{pkg}.libs")) or list(internal.glob(f"{pkg}-*.dist-info")):
            problems.append(f"{pkg} is in the bundle, but the app does not run with it")
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
    info: dict = {"files": len(files), "largest_mb": top}
    if sys.platform.startswith("linux"):
        dep_problems, from_system = check_dependencies(bundle)
        problems += dep_problems
        info["needed_from_the_system"] = from_system
        man_problems, man = check_manifest(flavour, bundle)
        problems += man_problems
        info["libraries"] = man
    return problems, info


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
    ap.add_argument("--lock-dir", default=str(LOCKS), help="where the lock files are (default: locks/)")
    ap.add_argument("--windowed", action="store_true", help="no console window (Windows GUI build)")
    ap.add_argument("--no-archive", action="store_true", help="skip the tar.gz")
    ap.add_argument("--self-test", action="store_true", help="run the frozen self-test with no Python on PATH")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(REPO))
    t0 = time.perf_counter()
    report: dict = {"flavour": args.flavour, "python": sys.version.split()[0], "platform": sys.platform}
    lock_dir = Path(args.lock_dir).resolve()
    py = make_venv(args.flavour, args.reuse_venv, lock_dir)
    t_env = time.perf_counter()
    prepare_data(py)
    bundle = freeze(py, args.flavour, console=not args.windowed)
    t_freeze = time.perf_counter()
    problems, files = check_files(bundle, args.flavour)
    problems += [f"not the locked version: {m}" for m in lock_mismatch(py, lock_dir, args.flavour)]
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
    if "cuda_mb" in files.get("libraries", {}):
        say(f"CUDA/cuDNN libraries in nvidia/: {len(files['libraries']['cuda_libraries'])} files, "
            f"{files['libraries']['cuda_mb']} MB")
    for p in problems:
        say("PROBLEM: " + p)
    if not report["within_budget"]:
        say(f"PROBLEM: {report['size_mb']} MB is over the budget of {report['budget_mb']} MB")
    failed = bool(problems) or not report["within_budget"] or (
        args.self_test and report["self_test"]["exit_code"] != 0)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
