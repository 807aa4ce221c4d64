"""`workbench model info|bench|quantize`: the model tools on the command line (logic in workbench.inference).

    workbench model info MODEL [--json] [--no-probe]
    workbench model bench MODEL [--device cpu|gpu] [--threads N] [--runs N] [--warmup N] [--batch N]
                                [--image FILE] [--output FILE.json] [--json]
    workbench model quantize MODEL --calib DIR --output OUT.onnx [--eval DIR] [--dynamic | --fp16]
                                   [--calibration minmax|percentile|entropy] [--keep-fp32 NODE,...]
                                   [--threads N] [--json FILE.json]

Progress goes to stderr; Ctrl+C cancels (exit 130) and leaves no partial output file.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.core.errors import WorkbenchError


def add_parser(sub) -> None:
    m = sub.add_parser("model", help="inspect, benchmark and quantize an ONNX model")
    ms = m.add_subparsers(dest="model_command", metavar="info|bench|quantize")
    ms.required = True
    i = ms.add_parser("info", help="inputs/outputs, opset and IR, metadata, the head and pre-processing the app "
                                   "will use, the providers that run it here")
    i.add_argument("model")
    i.add_argument("--json", action="store_true", help="print JSON")
    i.add_argument("--no-probe", action="store_true", help="do not try the model on each provider")
    b = ms.add_parser("bench", help="latency (median/p95) and throughput, batch 1 and a larger batch, per stage")
    b.add_argument("model")
    b.add_argument("--device", choices=["cpu", "gpu"], default="cpu")
    b.add_argument("--threads", type=int, metavar="N", help="onnxruntime intra-op threads (default: the app's)")
    b.add_argument("--runs", type=int, default=30, metavar="N", help="timed runs (default 30)")
    b.add_argument("--warmup", type=int, default=3, metavar="N", help="untimed runs first (default 3)")
    b.add_argument("--batch", type=int, default=8, metavar="N", help="the larger batch (default 8; 1: skip)")
    b.add_argument("--image", metavar="FILE", help="image to feed (default: a sample photo)")
    b.add_argument("--output", "-o", metavar="FILE.json", help="write the figures as JSON")
    b.add_argument("--json", action="store_true", help="print JSON")
    q = ms.add_parser("quantize", help="INT8 (static, calibrated; dynamic fallback) or FP16 copy of a model, "
                                       "with its speed ratio and agreement measured")
    q.add_argument("model")
    q.add_argument("--calib", metavar="DIR", help="calibration images (read through the model's pre-processing)")
    q.add_argument("--output", "-o", metavar="OUT.onnx", required=True)
    q.add_argument("--eval", metavar="DIR", help="held-out images for the comparison (default: every 4th "
                                                 "calibration image is held out)")
    kind = q.add_mutually_exclusive_group()
    kind.add_argument("--dynamic", action="store_true", help="dynamic INT8 (no calibration)")
    kind.add_argument("--fp16", action="store_true", help="FP16 (for GPUs)")
    q.add_argument("--calibration", choices=["minmax", "percentile", "entropy"], default="minmax",
                   help="how activation ranges are chosen (default minmax)")
    q.add_argument("--keep-fp32", metavar="NODE[,NODE]", default="",
                   help="Conv/MatMul/Gemm nodes to leave in FP32 (besides the first and the last)")
    q.add_argument("--threads", type=int, metavar="N", help="onnxruntime threads for the comparison")
    q.add_argument("--json", metavar="FILE.json", help="also write the result as JSON")


class _Bars:
    """One tqdm bar per stage, on stderr."""

    def __init__(self) -> None:
        self.stage, self.bar = "", None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total or None, desc=stage, unit="", file=sys.stderr, leave=False,
                            disable=not sys.stderr.isatty())
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _positive(value, what: str) -> None:
    if value is not None and value < 1:
        raise WorkbenchError(f"{what} must be at least 1, got {value}")


def cmd_model(args: argparse.Namespace) -> int:
    return {"info": _info, "bench": _bench, "quantize": _quantize}[args.model_command](args)


def _info(args) -> int:
    from workbench.inference.model_tools import inspect_model

    rep = inspect_model(args.model, probe=not args.no_probe)
    if args.json:
        print(json.dumps(rep.as_dict(), indent=2, ensure_ascii=False))
    else:
        print("\n".join(rep.lines()))
    return 0


def _bench(args) -> int:
    import cv2

    from workbench.inference.model_tools import bench_lines, bench_model

    _positive(args.threads, "--threads")
    _positive(args.runs, "--runs")
    _positive(args.batch, "--batch")
    image, name = None, ""
    if args.image:
        image = cv2.imread(args.image, cv2.IMREAD_UNCHANGED)
        if image is None:
            raise WorkbenchError(f"cannot read image: {args.image}")
        name = Path(args.image).name
    bars = _Bars()
    try:
        res = bench_model(args.model, args.device, args.threads, args.runs, max(0, args.warmup), args.batch, image,
                          name, progress=bars)
    finally:
        bars.close()
    if args.output:
        from workbench.core.fileio import atomic_write_text

        atomic_write_text(Path(args.output), json.dumps(res, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(res, indent=2, ensure_ascii=False) if args.json else "\n".join(bench_lines(res)))
    return 0


def _quantize(args) -> int:
    from workbench.inference.quantize import quantize_model

    _positive(args.threads, "--threads")
    mode = "fp16" if args.fp16 else "dynamic" if args.dynamic else "int8"
    bars = _Bars()
    try:
        keep = [k for k in args.keep_fp32.split(",") if k.strip()]
        res = quantize_model(args.model, args.output, args.calib, args.eval, mode, args.threads,
                             calibration=args.calibration, keep_fp32=keep, progress=bars)
    finally:
        bars.close()
    if args.json:
        from workbench.core.fileio import atomic_write_text

        atomic_write_text(Path(args.json), json.dumps(res.as_dict(), indent=2, ensure_ascii=False) + "\n")
    print("\n".join(res.lines()))
    return 0
