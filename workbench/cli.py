"""The `workbench` command line.

    workbench [gui [PIPELINE] [--screenshot FILE.png]]
    workbench run PIPELINE [--input FILE|DIR] [--output DIR] [--set NODE.PARAM=VALUE]...
    workbench validate PIPELINE
    workbench nodes [--json]
    workbench info [--json]
    workbench samples
    workbench models [--force]

Every error prints as one line; --debug shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sys
from importlib import metadata
from pathlib import Path

from workbench import __version__
from workbench.core.errors import PipelineError, WorkbenchError

EXIT_OK, EXIT_PROBLEMS, EXIT_ERROR, EXIT_INTERNAL, EXIT_CANCELLED = 0, 1, 2, 3, 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbench", description="Vision Workbench: machine-vision pipelines.")
    p.add_argument("--version", action="version", version=f"workbench {__version__}")
    p.add_argument("--debug", action="store_true", help="show tracebacks and debug logging")
    sub = p.add_subparsers(dest="command")

    g = sub.add_parser("gui", help="open the desktop workbench (the default command)")
    g.add_argument("pipeline", nargs="?", help="pipeline file to open (default: the bundled demo)")
    g.add_argument("--screenshot", metavar="FILE.png", help="open, run once, save a PNG of the window and exit")

    r = sub.add_parser("run", help="run a pipeline headless over a file or a folder of images")
    r.add_argument("pipeline")
    r.add_argument("--input", "-i", metavar="FILE|DIR", help="image file or folder (default: the pipeline's own source)")
    r.add_argument("--output", "-o", metavar="DIR", help="where results.jsonl/.csv and saved images go "
                                                          "(default: ./results/<pipeline name>)")
    r.add_argument("--set", action="append", default=[], metavar="NODE.PARAM=VALUE", help="override a parameter")
    r.add_argument("--source", metavar="NODE", help="source node that receives --input (default: the first)")
    r.add_argument("--quiet", "-q", action="store_true", help="print only the summary")

    v = sub.add_parser("validate", help="check a pipeline file and list every problem")
    v.add_argument("pipeline")

    n = sub.add_parser("nodes", help="print the node catalog")
    n.add_argument("--json", action="store_true")
    n.add_argument("--markdown", action="store_true", help="the reference as Markdown (docs/nodes.md)")
    n.add_argument("--lang", default="en", help="language of names and categories: en, zh_CN")

    i = sub.add_parser("info", help="versions and the inference providers that work here")
    i.add_argument("--json", action="store_true")

    sub.add_parser("samples", help="create the sample images (from installed packages)")
    mo = sub.add_parser("models", help="install the bundled models (PP-OCR from the rapidocr package) into models/")
    mo.add_argument("--force", action="store_true", help="copy again even when present")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    cmd = args.command or "gui"
    try:
        from workbench.core.threads import configure_threads

        configure_threads()
        return {"gui": cmd_gui, "run": cmd_run, "validate": cmd_validate, "nodes": cmd_nodes,
                "info": cmd_info, "samples": cmd_samples, "models": cmd_models}[cmd](args)
    except KeyboardInterrupt:
        print("cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    except WorkbenchError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # unexpected: still one line unless --debug
        if args.debug:
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        print(f"error: internal error: {type(exc).__name__}: {first} (run with --debug for details)",
              file=sys.stderr)
        return EXIT_INTERNAL


# ---------------------------------------------------------------- commands
def cmd_gui(args) -> int:
    from workbench.core.paths import demo_pipeline

    path = Path(getattr(args, "pipeline", None) or demo_pipeline())
    try:
        from workbench.gui.app import run_gui
    except ImportError as exc:
        raise WorkbenchError(f"the GUI cannot start: {exc} (run the setup script)") from None
    return run_gui(path, screenshot=getattr(args, "screenshot", None))


def _apply_sets(pipeline, sets: list[str]) -> None:
    for item in sets:
        target, sep, value = item.partition("=")
        nid, dot, pname = target.partition(".")
        if not sep or not dot:
            raise WorkbenchError(f"--set {item!r}: expected NODE.PARAM=VALUE")
        inst = pipeline.nodes.get(nid)
        if inst is None:
            raise WorkbenchError(f"--set {item!r}: no node {nid!r} (nodes: {', '.join(pipeline.nodes)})")
        p = inst.spec.param(pname)
        if p is None:
            names = ", ".join(q.name for q in inst.spec.params)
            raise WorkbenchError(f"--set {item!r}: {inst.type} has no parameter {pname!r} (parameters: {names})")
        pipeline.set_param(nid, pname, p.parse_text(value))


def _collect_inputs(input_arg: str | None, pipeline, source) -> list[Path]:
    from workbench.core.imageio import IMAGE_EXTENSIONS
    from workbench.runtime.batch import default_inputs

    if input_arg is None:
        inputs = default_inputs(pipeline, source)
        if not inputs:
            raise WorkbenchError(f"source {source.id} has no input set: give --input FILE|DIR")
        return inputs
    p = Path(input_arg)
    if p.is_dir():
        files = sorted((f for f in p.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_EXTENSIONS),
                       key=lambda f: f.name.lower())
        if not files:
            raise WorkbenchError(f"no image files in {p} (looked for {', '.join(IMAGE_EXTENSIONS)})")
        return files
    if not p.exists():
        raise WorkbenchError(f"input not found: {p}")
    return [p]


def cmd_run(args) -> int:
    from tqdm import tqdm

    from workbench.core.pipeline_file import load_pipeline
    from workbench.core.spec import CancelToken
    from workbench.runtime.batch import BatchRun

    pipeline = load_pipeline(args.pipeline)
    _apply_sets(pipeline, args.set)
    out = Path(args.output) if args.output else Path.cwd() / "results" / Path(args.pipeline).stem
    batch = BatchRun(pipeline, out, args.source)
    inputs = _collect_inputs(args.input, pipeline, batch.source)
    cancel = CancelToken()
    bar = tqdm(total=len(inputs), unit="img", file=sys.stderr, disable=len(inputs) < 2 or None,
               dynamic_ncols=True, leave=False)

    def on_row(_i, row) -> None:
        bar.update(1)
        if not args.quiet:
            meas = "  ".join(f"{k}={_fmt(v)}" for k, v in row.measurements.items())
            status = row.verdict or ("ERROR" if row.errors else "-")
            line = f"{Path(row.input).name}: {status}  {meas}  ({row.total_ms:.1f} ms)".rstrip()
            for key, text in row.texts.items():
                line += f"\n  {key}: {text!r}"
            for err in row.errors:
                line += f"\n  error: {err}"
            for reason in row.reasons:
                line += f"\n  NG: {reason}"
            tqdm.write(line, file=sys.stdout)

    interrupted = False
    try:
        rows = batch.run(inputs, cancel, on_row)
    except KeyboardInterrupt:
        cancel.cancel()
        interrupted = True
        rows = batch.rows
    finally:
        bar.close()
    n_ok = sum(r.verdict == "OK" for r in rows)
    n_ng = sum(r.verdict == "NG" for r in rows)
    n_err = sum(r.status == "error" for r in rows)
    print(f"{len(rows)} input{'s' if len(rows) != 1 else ''}: {n_ok} OK, {n_ng} NG, {n_err} error"
          f"{'s' if n_err != 1 else ''} -> {out / 'results.jsonl'}")
    if interrupted:
        print("cancelled: the results above were written", file=sys.stderr)
        return EXIT_CANCELLED
    return EXIT_OK


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def cmd_validate(args) -> int:
    from workbench.core.pipeline_file import load_pipeline

    try:
        pipeline = load_pipeline(args.pipeline)
    except PipelineError as exc:
        for prob in exc.problems:
            print(f"{args.pipeline}: {prob}")
        print(f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"{args.pipeline}: OK ({len(pipeline.nodes)} nodes, {len(pipeline.edges)} edges)")
    return EXIT_OK


def cmd_nodes(args) -> int:
    from workbench.core.registry import default_registry

    reg = default_registry()
    if args.markdown:
        from workbench.core.catalog import nodes_markdown

        sys.stdout.write(nodes_markdown(reg))
        return EXIT_OK
    if args.json:
        print(json.dumps([s.describe() for s in reg], indent=2, ensure_ascii=False))
        return EXIT_OK
    from workbench.core.i18n import LANGUAGES, tr

    if args.lang not in LANGUAGES:
        raise WorkbenchError(f"unknown language {args.lang!r} (available: {', '.join(LANGUAGES)})")
    category = None
    for s in reg:
        if s.category != category:
            category = s.category
            print(f"\n[{tr(category, args.lang)}]")
        ins = ", ".join(f"{p.name}: {p.type.name}{'?' if p.optional else ''}" for p in s.inputs)
        outs = ", ".join(f"{p.name}: {p.type.name}" for p in s.outputs)
        print(f"  {s.id}  {tr(s.name, args.lang)}  ({ins}) -> ({outs})")
        for p in s.params:
            d = p.describe()
            extra = ""
            if "choices" in d:
                extra = " {" + "|".join(d["choices"]) + "}"
            elif "min" in d or "max" in d:
                extra = f" [{d.get('min', '')}..{d.get('max', '')}]"
            label = f" ({tr(p.label, args.lang)})" if args.lang != "en" else ""
            print(f"      {p.name}{label}: {p.kind} = {d['default']!r}{extra}")
    for err in reg.load_errors:
        print(f"warning: {err}", file=sys.stderr)
    return EXIT_OK


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def cmd_info(args) -> int:
    import cv2

    from workbench.inference.gpu import force_cpu, ort_cuda_version
    from workbench.inference.providers import offered_providers, probe_all
    from workbench.inference.sessions import ort_threads

    info = {
        "workbench": __version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {d: _version(d) for d in ("numpy", "opencv-python-headless", "onnxruntime",
                                              "onnxruntime-gpu", "PySide6-Essentials", "pyqtgraph",
                                              "scikit-image")},
        "providers_offered": offered_providers(),
        "providers": [s.as_dict() for s in probe_all()],
        "onnxruntime_cuda": ort_cuda_version() or None,
        "force_cpu": force_cpu(),
        "ort_threads": ort_threads(),
        "opencv_threads": cv2.getNumThreads(),
    }
    if args.json:
        print(json.dumps(info, indent=2))
        return EXIT_OK
    print(f"Vision Workbench {info['workbench']}  (Python {info['python']}, {info['platform']})")
    for dist, ver in info["packages"].items():
        print(f"  {dist:24} {ver}")
    print(f"Threads: onnxruntime {info['ort_threads']} per session, OpenCV {info['opencv_threads']}"
          + ("; CPU forced by WORKBENCH_FORCE_CPU" if info["force_cpu"] else ""))
    print("Inference providers (offered by the build -> working here):")
    for s in info["providers"]:
        print(f"  {s['provider']:28} {'works' if s['works'] else 'NOT working: ' + s['reason']}")
    return EXIT_OK


def cmd_samples(args) -> int:
    from workbench.core.samples import ensure_samples

    for p in ensure_samples():
        print(p)
    return EXIT_OK


def cmd_models(args) -> int:
    from workbench.inference.bundled import install_ocr_models

    for p in install_ocr_models(force=args.force):
        print(p)
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
