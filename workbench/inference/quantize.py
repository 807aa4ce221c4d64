"""Quantize a model and say what it costs: INT8 (static QDQ, calibrated on the user's images through the
model's own pre-processing; dynamic INT8 as the fallback) or FP16 (for GPUs), with onnxruntime.quantization.

The result is measured in the same run: the speed ratio against the FP32 model (same session settings,
runs interleaved image by image, the median of each image's runs summed over the images), and the
agreement of the decoded answers (see `adapters.Adapter.agreement`), on held-out images (every 4th
image of the folder when it holds at least 8, or a separate --eval folder), else on the calibration
images. The sidecar is copied beside the output (QDQ and FP16 with float32 I/O keep the input dtype).

What is quantized: the compute operators (Conv, MatMul, Gemm), except the first and the last of them (the
stem sees raw pixels, the head's small differences decide the answer: both stay FP32 when the model has
more than three) and any named with `keep_fp32`; element-wise operators stay FP32 between them (QDQ around
every Add/Mul cost agreement and speed on the PP-OCR recogniser). Calibration: MinMax (works with inputs of
varying size), or percentile / entropy (histograms: the inputs are padded along the last axis to one size
when only that axis varies, as the OCR recogniser's batches are). Dynamic INT8 quantizes MatMul/Gemm only
(dynamic ConvInteger ran 3.9 × slower than FP32 on the recogniser).

onnxruntime.quantization needs the `onnx` package (≈ 31 MB installed, 17 MB of it backend test data;
the `quantize` extra); without it the command says so in one line. Static INT8 needs per-channel
`DequantizeLinear` (opset ≥ 13): older models are converted with onnx's version converter first.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from workbench.inference.adapters import Adapter
from workbench.inference.model import ModelError, check_file, model_info
from workbench.inference.model_tools import Cancel, Cancelled, Progress, check_cancel, config_for
from workbench.inference.sidecar import sidecar_path

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
MODES = ("int8", "dynamic", "fp16")
CALIBRATIONS = ("minmax", "percentile", "entropy")
COMPUTE_OPS = ["Conv", "MatMul", "Gemm"]


def require_onnx():
    try:
        import onnx  # noqa: F401
        import onnxruntime.quantization  # noqa: F401
    except ImportError as exc:
        raise ModelError("quantize needs the 'onnx' package, which is not installed here "
                         f"({exc}): install it with pip install 'onnx>=1.16' (the app's [quantize] extra)") from None
    import onnx

    return onnx


def list_images(folder: str | Path) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise ModelError(f"image folder not found: {folder}")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTS and p.is_file())
    if not files:
        raise ModelError(f"no images in {folder} (looked for {', '.join(sorted(IMAGE_EXTS))})")
    return files


@dataclass
class QuantizeResult:
    output: str
    method: str
    fallback: str  # why static INT8 was not used, when it was asked for
    calib_images: int
    eval_images: int
    eval_on: str  # "held-out" | "calibration" | "sample image"
    fp32_ms: float
    quant_ms: float
    ratio: float  # quantized / FP32 latency of the run stage
    agreement: float
    agreement_kind: str
    size_in: int
    size_out: int
    sidecar: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        out = [f"wrote {self.output} ({self.method}; {self.size_in / 1e6:.2f} MB -> {self.size_out / 1e6:.2f} MB)"]
        if self.fallback:
            out.append(f"  static INT8 not used: {self.fallback}")
        out.append(f"  speed: {self.quant_ms:.2f} ms vs FP32 {self.fp32_ms:.2f} ms per image = "
                   f"{self.ratio:.2f} × the FP32 time ({self.eval_images} {self.eval_on} image(s))")
        out.append(f"  {self.agreement_kind}: {self.agreement * 100:.1f} %")
        out.append(f"  sidecar: {self.sidecar}" if self.sidecar else "  no sidecar to copy (defaults are inferred)")
        return out


def _read_tensors(files: list[Path], adapter: Adapter, progress: Progress | None, cancel: Cancel | None,
                  stage: str) -> list[tuple[np.ndarray, Any]]:
    import cv2

    out = []
    for i, f in enumerate(files):
        check_cancel(cancel)
        img = cv2.imread(str(f), cv2.IMREAD_UNCHANGED)
        if img is not None:
            out.append(adapter.prepare(img))
        if progress:
            progress(stage, i + 1, len(files))
    if not out:
        raise ModelError(f"none of the {len(files)} image(s) could be read")
    return out


class _Reader:
    """onnxruntime's CalibrationDataReader protocol, with progress and cancel between images."""

    def __init__(self, name: str, tensors: list[np.ndarray], progress: Progress | None, cancel: Cancel | None):
        self.name, self.tensors, self.progress, self.cancel = name, tensors, progress, cancel
        self.i = 0

    def get_next(self):
        check_cancel(self.cancel)
        if self.i >= len(self.tensors):
            return None
        x = self.tensors[self.i]
        self.i += 1
        if self.progress:
            self.progress("calibrating", self.i, len(self.tensors))
        return {self.name: x}

    def rewind(self):
        self.i = 0

    def set_range(self, start_index: int, end_index: int):  # part of the reader interface
        pass


def _prepared_source(onnx, src: Path, tmp: Path) -> tuple[Path, bool]:
    """(model file to quantize, per-channel possible): opset raised to 13 when older, then ORT's pre-processing
    (graph optimisation + shape inference); each step skipped when it fails."""
    from onnxruntime.quantization.shape_inference import quant_pre_process

    m = onnx.load(str(src))
    opset = next((o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), 0)
    per_channel = opset >= 13
    cur = src
    if not per_channel:
        try:
            from onnx import version_converter

            conv = version_converter.convert_version(m, 13)
            cur = tmp / "opset13.onnx"
            onnx.save(conv, str(cur))
            per_channel = True
        except Exception:  # a model the converter cannot handle: per-tensor QDQ works at any opset ≥ 10
            cur = src
    try:
        quant_pre_process(str(cur), str(tmp / "pre.onnx"), skip_symbolic_shape=True)
        return tmp / "pre.onnx", per_channel
    except Exception:
        return cur, per_channel


def _fp32_nodes(onnx, model: Path, keep_fp32: list[str]) -> list[str]:
    """Compute nodes left in FP32: the first and the last (when there are more than three) and keep_fp32."""
    nodes = [n for n in onnx.load(str(model), load_external_data=False).graph.node if n.op_type in COMPUTE_OPS]
    names = {n.name for n in nodes}
    unknown = [k for k in keep_fp32 if k not in names]
    if unknown:
        raise ModelError(f"keep_fp32: no Conv/MatMul/Gemm node named {', '.join(map(repr, unknown))} in {model.name}")
    out = list(keep_fp32)
    if len(nodes) > 3:
        out += [n.name for n in (nodes[0], nodes[-1]) if n.name and n.name not in out]
    return out


def _uniform(tensors: list[np.ndarray], method: str) -> list[np.ndarray]:
    """Histogram calibration needs one shape: pad along the last axis when only that axis varies."""
    shapes = {t.shape for t in tensors}
    if len(shapes) <= 1:
        return tensors
    if len({s[:-1] for s in shapes}) != 1:
        raise ModelError(f"{method} calibration needs inputs of one size, and this model's vary "
                         f"({len(shapes)} shapes): use minmax")
    width = max(s[-1] for s in shapes)
    out = []
    for t in tensors:
        pad = np.zeros(t.shape[:-1] + (width,), t.dtype)
        pad[..., :t.shape[-1]] = t
        out.append(pad)
    return out


def _quantize(onnx, src: Path, dst: Path, mode: str, name: str, calib: list[np.ndarray], opts: dict,
              progress: Progress | None, cancel: Cancel | None, tmp: Path) -> tuple[str, str]:
    """Writes dst; returns (method, fallback reason)."""
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_dynamic, quantize_static

    if mode == "fp16":
        from onnxruntime.transformers.float16 import convert_float_to_float16

        onnx.save(convert_float_to_float16(onnx.load(str(src)), keep_io_types=True), str(dst))
        return "FP16 weights and activations, float32 input/output (for GPUs)", ""
    fallback = ""
    if mode == "int8":
        pre, per_channel = _prepared_source(onnx, src, tmp)
        method = opts.get("calibration", "minmax")
        fp32 = _fp32_nodes(onnx, pre, list(opts.get("keep_fp32") or []))
        data = calib if method == "minmax" else _uniform(calib, method)
        cm = {"minmax": CalibrationMethod.MinMax, "percentile": CalibrationMethod.Percentile,
              "entropy": CalibrationMethod.Entropy}[method]
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # the histogram calibrators print their steps
                quantize_static(str(pre), str(dst), _Reader(name, data, progress, cancel),
                                quant_format=QuantFormat.QDQ, op_types_to_quantize=COMPUTE_OPS,
                                nodes_to_exclude=fp32, per_channel=per_channel,
                                activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                                calibrate_method=cm)
            pc = "per-channel" if per_channel else "per-tensor"
            return (f"static INT8 QDQ ({pc} weights, {method} calibration on {len(calib)} image(s), "
                    f"{len(fp32)} compute node(s) kept FP32)"), ""
        except (Cancelled, ModelError):
            raise
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            fallback = f"{type(exc).__name__}: {first[:200]}; fell back to dynamic INT8"
    check_cancel(cancel)
    if progress:
        progress("quantizing", 0, 0)
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm"])
    return "dynamic INT8 (MatMul/Gemm weights INT8, activations quantized at run time)", fallback


def _keep_metadata(onnx, src: Path, dst: Path) -> None:
    """The quantized file keeps the original's metadata (labels, task, character dictionary, ...)."""
    a, b = onnx.load(str(src), load_external_data=False), onnx.load(str(dst))
    have = {p.key for p in b.metadata_props}
    missing = [p for p in a.metadata_props if p.key not in have]
    if missing:
        for p in missing:
            b.metadata_props.add(key=p.key, value=p.value)
        onnx.save(b, str(dst))


def compare(src: Path, dst: Path, adapter: Adapter, tensors: list[tuple[np.ndarray, Any]], threads: int | None,
            repeats: int, progress: Progress | None, cancel: Cancel | None) -> tuple[float, float, float, str]:
    """(fp32 ms, quantized ms, agreement, kind): runs interleaved per image, each image's median summed."""
    from workbench.inference.gpu import CPU
    from workbench.inference.sessions import create_session

    a = create_session(check_file(src), CPU, src.name, threads)
    b = create_session(check_file(dst), CPU, dst.name, threads)
    name = adapter.input_name
    fa, fb, ra, rb = [], [], [], []
    for i, (x, ctx) in enumerate(tensors):
        ta, tb = [], []
        for _ in range(repeats):
            check_cancel(cancel)
            t0 = time.perf_counter()
            oa = a.run(None, {name: x})
            t1 = time.perf_counter()
            ob = b.run(None, {name: x})
            t2 = time.perf_counter()
            ta.append(t1 - t0)
            tb.append(t2 - t1)
        fa.append(np.median(ta) * 1000)
        fb.append(np.median(tb) * 1000)
        ra.append(adapter.decode(oa, ctx))
        rb.append(adapter.decode(ob, ctx))
        if progress:
            progress("comparing", i + 1, len(tensors))
    agree, kind = adapter.agreement(ra, rb)
    n = len(tensors)
    return float(np.sum(fa)) / n, float(np.sum(fb)) / n, agree, kind


def _split(files: list[Path], eval_dir: str | Path | None) -> tuple[list[Path], list[Path], str]:
    if eval_dir is not None:
        return files, list_images(eval_dir), "held-out"
    if len(files) >= 8:
        return [f for i, f in enumerate(files) if i % 4 != 3], files[3::4], "held-out"
    return files, files, "calibration"


def _check_paths(src: Path, output: Path, mode: str, calib_dir) -> None:
    if mode not in MODES:
        raise ModelError(f"mode: {mode!r} is not one of {', '.join(MODES)}")
    if output.suffix.lower() != ".onnx":
        raise ModelError(f"output must be an .onnx file: {output}")
    if output.resolve() == src.resolve():
        raise ModelError("output must not be the input model")
    if not output.parent.is_dir():
        raise ModelError(f"output folder not found: {output.parent}")
    if mode == "int8" and calib_dir is None:
        raise ModelError("static INT8 needs calibration images: give --calib DIR (or --dynamic)")


def quantize_model(path: str | Path, output: str | Path, calib_dir: str | Path | None = None,
                   eval_dir: str | Path | None = None, mode: str = "int8", threads: int | None = None,
                   repeats: int = 3, max_calib: int = 200, calibration: str = "minmax",
                   keep_fp32: list[str] | None = None, progress: Progress | None = None,
                   cancel: Cancel | None = None) -> QuantizeResult:
    """Quantize `path` into `output` and measure speed and agreement against the original (see module doc)."""
    src, output = Path(path), Path(output)
    _check_paths(src, output, mode, calib_dir)
    if calibration not in CALIBRATIONS:
        raise ModelError(f"calibration: {calibration!r} is not one of {', '.join(CALIBRATIONS)}")
    onnx = require_onnx()
    from workbench.inference.model_tools import sample_image

    info = model_info(src)
    cfg, problem = config_for(src, info)
    if problem:
        raise ModelError(problem)
    adapter = Adapter(info, cfg)
    if calib_dir is not None:
        cal_files, eval_files, eval_on = _split(list_images(calib_dir), eval_dir)
        calib = _read_tensors(cal_files[:max_calib], adapter, progress, cancel, "reading calibration images")
        evals = _read_tensors(eval_files, adapter, progress, cancel, "reading evaluation images")
    else:
        calib, evals, eval_on = [], [adapter.prepare(sample_image()[0])], "sample image"
    with tempfile.TemporaryDirectory(prefix="wb-quant-") as tmpdir:
        tmp = Path(tmpdir)
        part = tmp / "out.onnx"
        opts = {"calibration": calibration, "keep_fp32": keep_fp32}
        method, fallback = _quantize(onnx, src, part, mode, adapter.input_name, [c[0] for c in calib], opts,
                                     progress, cancel, tmp)
        _keep_metadata(onnx, src, part)
        fp, q, agree, kind = compare(src, part, adapter, evals, threads, repeats, progress, cancel)
        staged = output.with_name(output.name + ".part")  # the output appears whole or not at all
        shutil.copyfile(part, staged)
        os.replace(staged, output)
    side = ""
    if sidecar_path(src).is_file():
        shutil.copyfile(sidecar_path(src), sidecar_path(output))
        side = str(sidecar_path(output))
    return QuantizeResult(str(output), method, fallback, len(calib), len(evals), eval_on, fp, q,
                          q / fp if fp else 0.0, agree, kind, src.stat().st_size, output.stat().st_size, side)

