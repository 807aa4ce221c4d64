"""Model tools, Qt-free: what a model is and how the app will run it (`inspect_model`), and how fast it runs
here, stage by stage (`bench_model`). The CLI (`workbench model info|bench`) and the GUI's Model panel
show what these return.

Benchmark: the three stages the app runs per image — prepare (the model's pre-processing), run (the
onnxruntime session), decode (the task's head) — timed separately over `runs` iterations after `warmup`
ones; latency = their sum per image (median, p95, mean), throughput = images per second at the median.
A second measurement runs a batch of `batch` images in one call when the model's batch axis is dynamic.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.inference.adapters import Adapter, input_size
from workbench.inference.model import ModelError, ModelInfo, check_file, model_info, runtime_max_ir
from workbench.inference.providers import ProviderStatus
from workbench.inference.sidecar import ModelConfig, default_config, load_config

Progress = Callable[[str, int, int], None]  # (stage, done, total)
Cancel = Callable[[], bool]


class Cancelled(WorkbenchError):
    """The user cancelled a long model operation."""


def check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise Cancelled("cancelled")


# ---------------------------------------------------------------- info
@dataclass
class ModelReport:
    info: ModelInfo
    config: ModelConfig
    config_error: str = ""  # the sidecar's problem (then the inferred defaults are shown)
    head: str = ""
    providers: list[ProviderStatus] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        i = self.info
        meta = {k: (v if len(v) <= 200 else v[:200] + f"… ({len(v)} characters)") for k, v in i.metadata.items()}
        return {"path": str(i.path), "size_bytes": i.size, "ir_version": i.ir_version,
                "runtime_max_ir": runtime_max_ir(), "opsets": i.opsets, "producer": i.producer,
                "inputs": [asdict(t) | {"text": t.describe()} for t in i.inputs],
                "outputs": [asdict(t) | {"text": t.describe()} for t in i.outputs],
                "metadata": meta, "labels": len(self.config.labels), "task": self.config.task, "head": self.head,
                "preprocess": self.config.preprocess.to_json() | {"text": self.config.preprocess.describe()},
                "preprocess_origin": self.config.origin, "config_error": self.config_error,
                "postprocess": self.config.postprocess,
                "providers": [p.as_dict() for p in self.providers]}

    def lines(self) -> list[str]:
        """The report as text lines (CLI and GUI)."""
        i, d = self.info, self.as_dict()
        out = [f"{i.path.name}  ({i.size / 1e6:.2f} MB)",
               f"  ONNX IR {i.ir_version} (this onnxruntime reads up to {d['runtime_max_ir']}), opsets "
               + ", ".join(f"{k} {v}" for k, v in sorted(i.opsets.items()))
               + (f", producer {i.producer}" if i.producer else "")]
        out += ["  inputs:"] + [f"    {t.describe()}" for t in i.inputs]
        out += ["  outputs:"] + [f"    {t.describe()}" for t in i.outputs]
        if d["metadata"]:
            out.append("  metadata:")
            out += [f"    {k}: {' '.join(str(v).split())[:100]}" for k, v in sorted(d["metadata"].items())]
        out.append(f"  head: {self.head}")
        if self.config_error:
            out.append(f"  sidecar problem: {self.config_error}")
        pre = self.config.preprocess.describe()
        if self.config.task.startswith("ocr_"):  # the OCR steps prepare their crops themselves
            pre = "PP-OCR's own" + (f": {self.config.postprocess['_note']}" if "_note" in self.config.postprocess
                                    else " (see the sidecar's postprocess)")
        out.append(f"  pre-processing ({self.config.origin}): {pre}")
        if self.providers:
            out.append("  runs here on:")
            out += [f"    {p.provider:28} {'yes' if p.works else 'no: ' + p.reason}" for p in self.providers]
        return out


_LAYOUT_TEXT = {"yolov8": "YOLOv8/YOLO11 output [1, 4+C, N], NMS by the app",
                "yolov5": "YOLOv5 output [1, N, 5+C] (objectness), NMS by the app",
                "end2end": "end-to-end output [1, K, 6] (x1, y1, x2, y2, score, class), NMS done in the model"}


def _static(shape) -> bool:
    return all(isinstance(d, int) and d > 0 for d in shape)


def describe_head(info: ModelInfo, cfg: ModelConfig) -> str:
    """What the app recognises in the model's outputs, in one line."""
    task, outs, nl = cfg.task, info.outputs, len(cfg.labels)
    labels = f", {nl} labels" if nl else ", no labels (class numbers shown)"
    if not outs:
        return "no outputs"
    if task == "detection":
        from workbench.inference.detection import resolve_layout

        if not _static(outs[0].shape):
            return f"detection{labels}; layout chosen from the output shape at the first run"
        try:
            layout = resolve_layout(tuple(outs[0].shape), cfg.postprocess, nl)
        except ModelError as exc:
            return f"detection, NOT decodable: {exc}"
        return f"detection, {_LAYOUT_TEXT[layout]}{labels}"
    if task == "instance_segmentation":
        nm = outs[1].shape[1] if len(outs) > 1 and len(outs[1].shape) == 4 else "?"
        return f"instance segmentation (YOLOv8-seg: boxes + {nm} mask coefficients + prototypes){labels}"
    if task == "classification":
        n = outs[0].shape[-1]
        return f"classification, {n if isinstance(n, int) else '?'} classes{labels}; softmax applied when the " \
               f"output is not already probabilities"
    if task == "semantic_segmentation":
        return f"semantic segmentation, per-pixel classes{labels}"
    if task == "anomaly":
        return "anomaly detection: anomaly map (+ image score), anomalib-style"
    if task == "ocr_detection":
        return "PP-OCR text detection (DB probability map)"
    if task == "ocr_orientation":
        return "PP-OCR text orientation (0° / 180°)"
    if task == "ocr_recognition":
        chars = info.metadata.get("character", "")
        return f"PP-OCR text recognition (CTC, {len(chars.splitlines())} characters)"
    return "not recognised: add a sidecar (MODEL.workbench.json) naming its task"


def model_providers(path: Path, data: bytes, info: ModelInfo) -> list[ProviderStatus]:
    """Which providers of this build really run this model here (session + a warm-up run on zeros)."""
    import onnxruntime as ort

    from workbench.inference.gpu import CPU, CUDA, TENSORRT, diagnose_cuda, preload_gpu_libraries, provider_order
    from workbench.inference.sessions import _warm_feed, create_session

    out = []
    for provider in provider_order(ort.get_available_providers()):
        if provider in (CUDA, TENSORRT):
            preload_gpu_libraries()
        try:
            sess = create_session(data, provider, path.name)
        except ModelError as exc:
            out.append(ProviderStatus(provider, False, str(exc)))
            continue
        if sess.get_providers()[0] != provider:
            why = diagnose_cuda() if provider in (CUDA, TENSORRT) else ""
            out.append(ProviderStatus(provider, False, why or "unavailable on this machine"))
            continue
        try:
            sess.run(None, _warm_feed(info))
        except Exception as exc:  # an op the provider cannot run, a shape it refuses
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            out.append(ProviderStatus(provider, False, f"warm-up run failed: {first[:200]}"))
            continue
        out.append(ProviderStatus(provider, True, "" if provider != CPU else "always"))
    return out


def config_for(path: Path, info: ModelInfo) -> tuple[ModelConfig, str]:
    """The config the nodes would use, or the inferred defaults plus the sidecar's problem."""
    try:
        return load_config(path, info), ""
    except ModelError as exc:
        return default_config(info), str(exc)


def inspect_model(path: str | Path, probe: bool = True) -> ModelReport:
    from workbench.inference.gpu import CPU
    from workbench.inference.sessions import create_session

    path = Path(path)
    data = check_file(path)
    info = model_info(path, create_session(data, CPU, path.name))
    cfg, problem = config_for(path, info)
    return ModelReport(info, cfg, problem, describe_head(info, cfg),
                       model_providers(path, data, info) if probe else [])


# ---------------------------------------------------------------- benchmark
def stats(ms: list[float]) -> dict[str, float]:
    a = np.asarray(ms, np.float64)
    return {"median": float(np.median(a)), "p95": float(np.percentile(a, 95)), "mean": float(a.mean()),
            "min": float(a.min())} if a.size else {}


def open_session(path: Path, device: str = "cpu", threads: int | None = None):
    """(session, provider) for the benchmark: the CPU, or the GPU when it really works (else one clear line)."""
    from workbench.inference.gpu import CPU
    from workbench.inference.sessions import _accelerated_attempt, create_session

    data = check_file(path)
    if device == "cpu":
        return create_session(data, CPU, path.name, threads), CPU
    if device != "gpu":
        raise ModelError(f"device: {device!r} is not one of cpu, gpu")
    sess, provider, reason = _accelerated_attempt(path, data)
    if sess is None:
        raise ModelError(f"GPU not usable here: {reason}")
    return sess, provider


def sample_image() -> tuple[np.ndarray, str]:
    """A real photo for the benchmark: the coins sample when present, else a generated 1280×720 scene."""
    import cv2

    from workbench.core.paths import samples_dir

    for name in ("coins.png", "chelsea.png", "camera.png"):
        p = samples_dir() / name
        if p.is_file():
            img = cv2.imread(str(p), cv2.IMREAD_COLOR)
            if img is not None:
                return img, str(p)
    y, x = np.mgrid[0:720, 0:1280]
    img = np.dstack([(x * 255 // 1279), (y * 255 // 719), ((x + y) % 256)]).astype(np.uint8)
    cv2.circle(img, (640, 360), 150, (255, 255, 255), -1)
    return img, "generated 1280×720 test scene"


def _time_batch(sess, adapter: Adapter, image: np.ndarray, n: int) -> tuple[float, float, float]:
    """(prepare, run, decode) ms for n images in one run call (n = 1: the usual per-image path)."""
    t0 = time.perf_counter()
    prepared = [adapter.prepare(image) for _ in range(n)]
    x = prepared[0][0] if n == 1 else np.concatenate([p[0] for p in prepared])
    t1 = time.perf_counter()
    outs = sess.run(None, {adapter.input_name: x})
    t2 = time.perf_counter()
    for k, (_, ctx) in enumerate(prepared):
        adapter.decode([o[k:k + 1] if n > 1 else o for o in outs], ctx)
    t3 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t1) * 1000, (t3 - t2) * 1000


def _measure(sess, adapter, image, n, runs, warmup, progress, cancel, label) -> dict[str, Any]:
    pre, run, dec = [], [], []
    for i in range(warmup + runs):
        check_cancel(cancel)
        a, b, c = _time_batch(sess, adapter, image, n)
        if i >= warmup:
            pre.append(a), run.append(b), dec.append(c)
        if progress:
            progress(label, i + 1, warmup + runs)
    total = [a + b + c for a, b, c in zip(pre, run, dec)]
    med = float(np.median(total))
    return {"batch": n, "latency_ms": stats(total), "throughput_ips": n * 1000.0 / med if med else 0.0,
            "stages_ms": {"prepare": stats(pre), "run": stats(run), "decode": stats(dec)}}


def bench_model(path: str | Path, device: str = "cpu", threads: int | None = None, runs: int = 30,
                warmup: int = 3, batch: int = 8, image: np.ndarray | None = None, image_name: str = "",
                progress: Progress | None = None, cancel: Cancel | None = None) -> dict[str, Any]:
    """Latency and throughput of the app's path (prepare → run → decode) on one image, batch 1 and `batch`."""
    from workbench.inference.sessions import ort_threads

    path = Path(path)
    if runs < 1 or warmup < 0 or batch < 1:
        raise ModelError("runs must be ≥ 1, warmup ≥ 0 and batch ≥ 1")
    sess, provider = open_session(path, device, threads)
    info = model_info(path, sess)
    cfg, problem = config_for(path, info)
    if problem:
        raise ModelError(problem)
    adapter = Adapter(info, cfg)
    if image is None:
        image, image_name = sample_image()
    res: dict[str, Any] = {
        "model": str(path), "task": cfg.task, "provider": provider, "device": device,
        "threads": threads or ort_threads(), "runs": runs, "warmup": warmup,
        "image": image_name or f"{image.shape[1]}×{image.shape[0]} image", "image_size": list(image.shape[:2][::-1]),
        "input_size": list(input_size(info, cfg) or image.shape[:2][::-1]),
    }
    res["batch1"] = _measure(sess, adapter, image, 1, runs, warmup, progress, cancel, "batch 1")
    b0 = info.inputs[0].shape[0] if info.inputs and info.inputs[0].shape else 1
    if batch > 1 and isinstance(b0, int) and b0 > 0:
        res["batchN"] = {"batch": batch, "skipped": f"the model's batch size is fixed at {b0}"}
    elif batch > 1:
        try:
            res["batchN"] = _measure(sess, adapter, image, batch, max(3, runs // batch), min(warmup, 1), progress,
                                     cancel, f"batch {batch}")
        except Cancelled:
            raise
        except Exception as exc:  # a model exported with a dynamic batch axis that still runs only 1
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            res["batchN"] = {"batch": batch, "skipped": f"batch run failed: {first[:200]}"}
    return res


def bench_lines(res: dict[str, Any]) -> list[str]:
    """The benchmark as text lines."""
    out = [f"{Path(res['model']).name} on {res['provider'].replace('ExecutionProvider', '')}, "
           f"{res['threads']} thread(s), {res['runs']} runs after {res['warmup']} warm-up; image {res['image']} "
           f"-> input {res['input_size'][0]}×{res['input_size'][1]}"]
    for key in ("batch1", "batchN"):
        r = res.get(key)
        if not r:
            continue
        if "skipped" in r:
            out.append(f"  batch {r['batch']}: skipped ({r['skipped']})")
            continue
        lat, st = r["latency_ms"], r["stages_ms"]
        out.append(f"  batch {r['batch']}: latency median {lat['median']:.2f} ms, p95 {lat['p95']:.2f} ms; "
                   f"throughput {r['throughput_ips']:.1f} images/s")
        out.append("    stages (median ms): " + ", ".join(f"{k} {v['median']:.2f}" for k, v in st.items()))
    return out
