"""`workbench self-test`: does this installation (source or frozen bundle) work here?

    python -m workbench.selftest [--json FILE] [--require-gpu]

Checks, each one a section of the report:

* versions: the app, Python, the platform, the main packages, frozen or not;
* providers: offered by the onnxruntime build vs working here, with the reason when not;
* models: every bundled model (models/**/*.onnx) loads through ``sessions.load_model``;
* pipelines: every bundled example pipeline (resources/pipelines/*.json) runs on its bundled
  sample image and gives the result in ``EXPECTATIONS``;
* gui: the Qt modules the GUI needs import and an offscreen QApplication starts;
* gpu_libraries: with a CUDA build, the CUDA/cuDNN libraries actually loaded in this process
  (/proc/self/maps on Linux, the module list on Windows); in a frozen bundle they must come
  from inside the bundle.

Prints a readable report, writes the JSON report (windowed builds have no console: the file
is the report) and returns 0 only when every check passed. ``--require-gpu`` also fails when
no GPU provider works. Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import platform
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from workbench import __version__

# pipeline file stem -> what its run on its own bundled sample must give
EXPECTATIONS: dict[str, dict[str, Any]] = {
    "coins": {"verdict": "OK", "measurements": {"blobs.count": 24}},
    "ocr_lot_code": {"verdict": "OK", "text_contains": "2026-11-21"},
    "label_orientation": {"verdict": "NG"},
}

# Loaded-library names that belong to the CUDA stack the GPU flavour bundles. The driver
# (libcuda / nvcuda.dll, libnvidia-*) always comes from the system and is listed apart.
CUDA_LIB_PATTERNS = ["libcudart.so*", "libcublas.so*", "libcublasLt.so*", "libcufft.so*", "libcurand.so*",
                     "libcudnn*.so*", "libnvrtc*.so*", "libnvJitLink.so*", "libonnxruntime_providers_cuda.so*",
                     "cudart64_*.dll", "cublas64_*.dll", "cublasLt64_*.dll", "cufft64_*.dll", "curand64_*.dll",
                     "cudnn*64_*.dll", "nvrtc64_*.dll", "nvJitLink*.dll", "onnxruntime_providers_cuda.dll"]
DRIVER_LIB_PATTERNS = ["libcuda.so*", "libnvidia-*.so*", "nvcuda.dll", "nvcuda64.dll"]

MODULES = {  # distribution -> importable module with __version__
    "numpy": "numpy", "opencv-python-headless": "cv2", "onnxruntime": "onnxruntime",
}  # PySide6 and pyqtgraph: checked by check_gui (Qt is imported only under workbench/gui)


class Check:
    def __init__(self, name: str) -> None:
        self.name = name
        self.ok = True
        self.problems: list[str] = []
        self.data: dict[str, Any] = {}
        self.seconds = 0.0

    def fail(self, message: str) -> None:
        self.ok = False
        self.problems.append(message)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "problems": self.problems, "seconds": round(self.seconds, 3), **self.data}


def _one_line(exc: BaseException) -> str:
    text = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {text}"


# ---------------------------------------------------------------- sections

def check_versions(c: Check) -> None:
    from workbench.core.paths import app_root

    pk = {}
    for dist, mod in MODULES.items():
        try:
            m = __import__(mod)
            pk[dist] = str(getattr(m, "__version__", "?"))
        except Exception as exc:  # a missing package is a failure of the bundle
            pk[dist] = f"missing ({_one_line(exc)})"
            c.fail(f"{dist} cannot be imported: {_one_line(exc)}")
    try:
        from workbench.inference.gpu import ort_cuda_version

        cuda = ort_cuda_version() or None
    except Exception:
        cuda = None
    c.data.update({"workbench": __version__, "python": platform.python_version(), "platform": platform.platform(),
                   "frozen": bool(getattr(sys, "frozen", False)), "app_root": str(app_root()),
                   "executable": sys.executable, "packages": pk, "onnxruntime_cuda": cuda})


def check_providers(c: Check, require_gpu: bool) -> None:
    from workbench.inference.gpu import ACCELERATED, CPU, force_cpu, preload_gpu_libraries
    from workbench.inference.providers import offered_providers, probe_all

    statuses = probe_all()
    c.data["offered"] = offered_providers()
    c.data["preload"] = preload_gpu_libraries() or "ok"
    c.data["force_cpu"] = force_cpu()
    c.data["providers"] = [s.as_dict() for s in statuses]
    working = [s.provider for s in statuses if s.works]
    c.data["working"] = working
    if CPU not in working:
        c.fail("the CPU provider does not work: " + next((s.reason for s in statuses if s.provider == CPU), "?"))
    gpu = [p for p in working if p in ACCELERATED]  # Azure (remote) and others are not a GPU
    c.data["gpu"] = gpu[0] if gpu else None
    if not gpu:
        reasons = [f"{s.provider}: {s.reason}" for s in statuses if s.provider in ACCELERATED]
        c.data["gpu_reason"] = "; ".join(reasons) or "this onnxruntime build offers no GPU provider"
        if require_gpu:
            c.fail("--require-gpu: no GPU provider works (" + c.data["gpu_reason"] + ")")


def check_models(c: Check) -> None:
    from workbench.core.paths import models_dir
    from workbench.inference.sessions import load_model

    root = models_dir()
    models = sorted(root.rglob("*.onnx")) if root.is_dir() else []
    c.data["folder"] = str(root)
    if not models:
        c.fail(f"no bundled models under {root}")
    out = []
    for path in models:
        entry: dict[str, Any] = {"model": path.relative_to(root).as_posix()}
        lic = [p.name for p in path.parent.glob("LICENSE*")]
        entry["license"] = lic[0] if lic else None
        if not lic:
            c.fail(f"{entry['model']}: no LICENSE file beside it")
        t0 = time.perf_counter()
        try:
            m = load_model(path)
            entry.update(ok=True, provider=m.provider, device=m.device_label)
        except Exception as exc:
            entry.update(ok=False, error=_one_line(exc))
            c.fail(f"{entry['model']}: {_one_line(exc)}")
        entry["seconds"] = round(time.perf_counter() - t0, 3)
        out.append(entry)
    c.data["models"] = out


def _check_row(name: str, row, expect: dict[str, Any] | None) -> list[str]:
    problems = [f"{name}: {e}" for e in row.errors]
    if row.status != "ok" and not row.errors:
        problems.append(f"{name}: status {row.status}")
    if expect is None:
        return problems
    if "verdict" in expect and row.verdict != expect["verdict"]:
        problems.append(f"{name}: verdict {row.verdict} (expected {expect['verdict']}; reasons: "
                        f"{'; '.join(row.reasons) or 'none'})")
    for key, want in expect.get("measurements", {}).items():
        got = row.measurements.get(key)
        if got != want:
            problems.append(f"{name}: {key} = {got!r} (expected {want!r})")
    if "text_contains" in expect:
        text = "\n".join(row.texts.values())
        if expect["text_contains"] not in text:
            problems.append(f"{name}: text {text!r} does not contain {expect['text_contains']!r}")
    return problems


def check_pipelines(c: Check, expectations: dict[str, dict[str, Any]]) -> None:
    from workbench.core.paths import pipelines_dir, samples_dir
    from workbench.core.pipeline_file import load_pipeline
    from workbench.runtime.batch import BatchRun, default_inputs

    try:  # a source install creates missing samples; a frozen bundle carries them (read-only install)
        from workbench.runtime.samples import ensure_samples

        ensure_samples()
    except Exception as exc:
        c.fail(f"sample images missing in {samples_dir()} and cannot be created: {_one_line(exc)}")
    files = sorted(pipelines_dir().glob("*.json"))
    if not files:
        c.fail(f"no example pipelines in {pipelines_dir()}")
    missing = sorted(set(expectations) - {f.stem for f in files})
    for stem in missing:
        c.fail(f"{stem}: expected an example pipeline {stem}.json in {pipelines_dir()}")
    out = []
    with tempfile.TemporaryDirectory(prefix="workbench-selftest-") as tmp:
        for f in files:
            entry: dict[str, Any] = {"pipeline": f.stem, "expected": expectations.get(f.stem)}
            try:
                pipeline = load_pipeline(f)
                batch = BatchRun(pipeline, Path(tmp) / f.stem)
                inputs = default_inputs(pipeline, batch.source)
                if not inputs:
                    raise RuntimeError(f"its source {batch.source.id} has no bundled input")
                rows = batch.run(inputs)
                entry["results"] = [{"input": Path(r.input).name, "status": r.status, "verdict": r.verdict,
                                     "measurements": r.measurements, "texts": r.texts, "reasons": r.reasons,
                                     "errors": r.errors, "notes": r.notes, "total_ms": r.total_ms} for r in rows]
                problems = [p for r in rows for p in _check_row(f.stem, r, expectations.get(f.stem))]
            except Exception as exc:
                problems = [f"{f.stem}: {_one_line(exc)}"]
            entry["ok"] = not problems
            entry["problems"] = problems
            for p in problems:
                c.fail(p)
            out.append(entry)
    c.data["pipelines"] = out


def check_gui(c: Check) -> None:
    """The GUI's modules are there (a frozen build that excluded too much fails here) and Qt starts."""
    try:
        from workbench.gui.selfcheck import qt_status

        status = qt_status()
    except Exception as exc:
        c.fail(f"GUI modules cannot be imported or Qt does not start: {_one_line(exc)}")
        return
    c.data.update(status)


def loaded_libraries() -> list[str]:
    """Paths of the shared libraries mapped into this process."""
    if sys.platform == "win32":
        return _windows_modules()
    paths: list[str] = []
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.split(maxsplit=5)
                if len(parts) == 6 and parts[5].startswith("/"):
                    p = parts[5].strip()
                    if p not in paths:
                        paths.append(p)
    except OSError:
        pass
    return paths


def _windows_modules() -> list[str]:  # untested here: EnumProcessModules over this process
    import ctypes
    from ctypes import wintypes

    psapi, kernel32 = ctypes.WinDLL("psapi"), ctypes.WinDLL("kernel32")
    proc = kernel32.GetCurrentProcess()
    needed = wintypes.DWORD()
    arr = (wintypes.HMODULE * 4096)()
    if not psapi.EnumProcessModules(proc, arr, ctypes.sizeof(arr), ctypes.byref(needed)):
        return []
    out = []
    buf = ctypes.create_unicode_buffer(32768)
    for i in range(min(needed.value // ctypes.sizeof(wintypes.HMODULE), len(arr))):
        if psapi.GetModuleFileNameExW(proc, arr[i], buf, len(buf)):
            out.append(buf.value)
    return out


def _matches(path: str, patterns: list[str]) -> bool:
    name = os.path.basename(path)
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(name.lower(), p.lower()) for p in patterns)


def check_gpu_libraries(c: Check) -> None:
    import onnxruntime as ort

    from workbench.core.paths import app_root
    from workbench.inference.gpu import CUDA, bundle_gpu_dir, bundle_library_status, preload_gpu_libraries

    preload_gpu_libraries()  # done already by the providers check (and in a bundle by the runtime hook)

    libs = loaded_libraries()
    cuda = [p for p in libs if _matches(p, CUDA_LIB_PATTERNS)]
    driver = [p for p in libs if _matches(p, DRIVER_LIB_PATTERNS)]
    c.data.update(cuda_build=CUDA in ort.get_available_providers(), loaded=cuda, driver=driver)
    if not c.data["cuda_build"]:
        c.data["note"] = "CPU build of onnxruntime: no CUDA libraries expected"
        if cuda:
            c.fail("a CPU build loaded CUDA libraries: " + ", ".join(cuda))
        return
    frozen = bool(getattr(sys, "frozen", False))
    bundle = bundle_gpu_dir()
    c.data["bundle_gpu_dir"] = str(bundle) if bundle else None
    if not frozen:
        c.data["note"] = "source install: the libraries come from the nvidia-* packages or the system"
        return
    if bundle is None:
        c.fail(f"a frozen GPU build without a bundled nvidia/ folder in {app_root()}")
        return
    files = sorted(p for p in bundle.rglob("*") if p.is_file() and _matches(str(p), CUDA_LIB_PATTERNS))
    c.data["bundled"] = [{"file": p.relative_to(bundle).as_posix(), "mb": round(p.stat().st_size / 2**20, 1)}
                         for p in files]
    c.data["bundled_mb"] = round(sum(p.stat().st_size for p in files) / 2**20, 1)
    status = bundle_library_status() or {}
    c.data["preload"] = status
    if status.get("reason"):
        c.fail("the bundle's CUDA libraries: " + status["reason"])
    if not status.get("driver"):
        c.data["note"] = ("no NVIDIA driver here: the bundle's CUDA libraries were loaded to check them "
                          "(they need the driver only to run); models run on CPU")
    root = os.path.normcase(os.path.realpath(app_root()))
    outside = [p for p in cuda if not os.path.normcase(os.path.realpath(p)).startswith(root + os.sep)]
    if outside:
        c.fail("CUDA libraries loaded from outside the bundle: " + ", ".join(outside))
    wanted = {"cudart", "cublas", "cudnn"}
    got = {k for k in wanted if any(re.search(k, os.path.basename(p), re.I) for p in cuda)}
    if wanted - got:
        c.fail("the bundle's CUDA libraries were not loaded: " + ", ".join(sorted(wanted - got)))


# ---------------------------------------------------------------- driver

def check_security(c: Check) -> None:
    """Telemetry off inside this very process (the package or the frozen runtime hook set it); where
    the credential file is and which passwords it holds (informational: a fresh install has none)."""
    import os

    from workbench.core.imagesize import max_image_pixels
    from workbench.runtime.credentials import CredentialStore

    c.data["telemetry_disabled"] = os.environ.get("ORT_DISABLE_TELEMETRY") == "1"
    if not c.data["telemetry_disabled"]:
        c.fail("ORT_DISABLE_TELEMETRY is not 1: onnxruntime would keep a device id and try to send usage events")
    store = CredentialStore()
    c.data.update(credentials=str(store.path), credentials_state=store.state(), passwords=store.roles_set(),
                  max_image_pixels=max_image_pixels())


def run_self_test(json_path: Path | None, require_gpu: bool,
                  expectations: dict[str, dict[str, Any]] | None = None, out=None) -> int:
    """Runs every check, prints the report, writes the JSON report. Returns the exit code."""
    out = out or sys.stdout
    expectations = EXPECTATIONS if expectations is None else expectations
    steps = [("versions", check_versions), ("providers", lambda c: check_providers(c, require_gpu)),
             ("models", check_models), ("pipelines", lambda c: check_pipelines(c, expectations)),
             ("gui", check_gui), ("gpu_libraries", check_gpu_libraries), ("security", check_security)]
    checks: list[Check] = []
    t_all = time.perf_counter()
    for name, fn in steps:
        c = Check(name)
        t0 = time.perf_counter()
        try:
            fn(c)
        except Exception as exc:
            c.fail(f"crashed: {_one_line(exc)}")
            c.data["traceback"] = traceback.format_exc()
        c.seconds = time.perf_counter() - t0
        checks.append(c)
    ok = all(c.ok for c in checks)
    report = {"format": "workbench.self-test", "ok": ok, "require_gpu": require_gpu,
              "seconds": round(time.perf_counter() - t_all, 3), **{c.name: c.as_dict() for c in checks}}
    _print(report, checks, out)
    if json_path is not None:
        json_path = Path(json_path)
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        print(f"report: {json_path}", file=out)
    return 0 if ok else 1


def _print(report: dict, checks: list[Check], out) -> None:
    v = report["versions"]
    w = lambda s="": print(s, file=out)  # noqa: E731
    w(f"Vision Workbench {v.get('workbench')} self-test  (Python {v.get('python')}, {v.get('platform')}"
      f"{', frozen' if v.get('frozen') else ''})")
    for dist, ver in v.get("packages", {}).items():
        w(f"  {dist:24} {ver}")
    p = report["providers"]
    w("Providers (offered by the build -> working here):")
    for s in p.get("providers", []):
        w(f"  {s['provider']:28} {'works' if s['works'] else 'NOT working: ' + s['reason']}")
    if p.get("gpu") is None and "gpu_reason" in p:
        w(f"  running on CPU: {p['gpu_reason']}")
    w("Models:")
    for m in report["models"].get("models", []):
        w(f"  {m['model']:44} " + (f"loads ({m['device']}, {m['seconds']:.2f} s)" if m.get("ok") else
                                   f"FAILS: {m.get('error')}"))
    w("Example pipelines:")
    for e in report["pipelines"].get("pipelines", []):
        for r in e.get("results", []):
            meas = " ".join(f"{k}={x}" for k, x in r["measurements"].items())
            w(f"  {e['pipeline']:20} {r['input']:24} {r['verdict'] or r['status']:3} {meas}  ({r['total_ms']:.0f} ms)")
    g = report["gui"]
    if g.get("ok"):
        w(f"GUI: Qt {g.get('qt')} starts ({g.get('platform_plugin')}); pyqtgraph {g.get('pyqtgraph')}: "
          f"{g.get('pyqtgraph_render')}; ICU: {g.get('qt_icu')}")
    gl = report["gpu_libraries"]
    if gl.get("bundled") is not None:
        w(f"CUDA libraries in the bundle: {len(gl['bundled'])} files, {gl['bundled_mb']:.0f} MB "
          f"({', '.join(b['file'].rsplit('/', 1)[-1] for b in gl['bundled'])})")
        pre = gl.get("preload") or {}
        w(f"  NVIDIA driver: {'present' if pre.get('driver') else 'none'}; loaded from the bundle: "
          f"{len(pre.get('loaded', []))}, failed: {len(pre.get('failed', {}))}"
          + (f" ({pre['reason']})" if pre.get("reason") else ""))
    if gl.get("cuda_build"):
        w("CUDA libraries loaded:" + ("" if gl.get("loaded") else " none"))
        for lib in gl.get("loaded", []):
            w(f"  {lib}")
        if gl.get("note"):
            w(f"  note: {gl['note']}")
    sec = report.get("security", {})
    if "credentials" in sec:
        w(f"Security: telemetry {'off' if sec.get('telemetry_disabled') else 'ON'}; credentials {sec['credentials']} "
          f"({sec['credentials_state']}; passwords: {', '.join(sec['passwords']) or 'none yet'}); "
          f"image limit {sec['max_image_pixels'] / 1e6:.0f} MP")
    w()
    for c in checks:
        w(f"  [{'PASS' if c.ok else 'FAIL'}] {c.name:14} ({c.seconds:.2f} s)")
        for prob in c.problems:
            w(f"         - {prob}")
    w(f"self-test {'PASSED' if report['ok'] else 'FAILED'} in {report['seconds']:.1f} s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="workbench self-test",
                                 description="check that this installation works here (models, pipelines, GPU)")
    ap.add_argument("--json", metavar="FILE", type=Path, help="also write the report as JSON")
    ap.add_argument("--require-gpu", action="store_true", help="fail when no GPU provider works")
    args = ap.parse_args(argv)
    try:
        from workbench.core.threads import configure_threads

        configure_threads()
    except Exception:
        pass
    return run_self_test(args.json, args.require_gpu)


if __name__ == "__main__":
    raise SystemExit(main())
