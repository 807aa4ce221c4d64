"""The sidecar: what a model needs besides its weights, saved next to it as MODEL.workbench.json.

    {"format": "workbench.model", "schema_version": 1, "task": "detection",
     "preprocess": {"resize": "LETTERBOX", "width": 640, ...},
     "labels": ["person", ...], "postprocess": {"layout": "yolov8", "conf": 0.25, "iou": 0.45},
     "license": "AGPL-3.0", "source": "..."}

Without a sidecar, defaults are inferred from the model: an Ultralytics export (metadata `task` and
`names`) gets the exporter's own convention — detect/segment: letterbox to `imgsz` (pad 114, bilinear),
RGB, ÷255; classify: short side to `imgsz` with Pillow's antialiased bilinear, centre crop, RGB, ÷255 and
no mean/std — other models get defaults from the input shape and output shapes (classification:
stretch + ImageNet mean/std, the torchvision/timm convention). `ModelConfig.origin` says which, and the
nodes and `workbench model info` show it. Every choice is editable and saved back atomically.

A sidecar is checked against the model when it is loaded (dtype, layout/channels, colour vs channel
count, size vs a static input): a mismatch is one line naming the field, not onnxruntime's error.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.fileio import atomic_write_text
from workbench.inference.model import ModelError, ModelInfo
from workbench.inference.preprocess import (ColorOrder, Layout, Preprocess, ResizeFilter, ResizeMode, Scaling,
                                            infer_preprocess)

FORMAT = "workbench.model"
SCHEMA_VERSION = 1
TASKS = ("classification", "detection", "instance_segmentation", "semantic_segmentation", "anomaly",
         "ocr_detection", "ocr_orientation", "ocr_recognition", "unknown")


@dataclass
class ModelConfig:
    task: str = "unknown"
    preprocess: Preprocess = field(default_factory=Preprocess)
    labels: list[str] = field(default_factory=list)
    postprocess: dict[str, Any] = field(default_factory=dict)
    license: str = ""
    source: str = ""
    origin: str = ""  # where the settings come from (not saved): the sidecar, or how they were inferred

    def to_json(self) -> dict:
        return {"format": FORMAT, "schema_version": SCHEMA_VERSION, "task": self.task,
                "preprocess": self.preprocess.to_json(), "labels": self.labels, "postprocess": self.postprocess,
                "license": self.license, "source": self.source}


def sidecar_path(model_path: Path) -> Path:
    model_path = Path(model_path)
    return model_path.with_name(model_path.stem + ".workbench.json")


def parse_config(raw: Any, where: str) -> ModelConfig:
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise ModelError(f"{where}: expected a JSON object")
    if raw.get("format") != FORMAT:
        problems.append(f"format: expected {FORMAT!r}, got {raw.get('format')!r}")
    sv = raw.get("schema_version")
    if isinstance(sv, int) and sv > SCHEMA_VERSION:
        raise ModelError(f"{where}: schema version {sv} is newer than this app reads ({SCHEMA_VERSION})")
    cfg = ModelConfig()
    task = raw.get("task", "unknown")
    if task not in TASKS:
        problems.append(f"task: {task!r} is not one of {', '.join(TASKS)}")
    else:
        cfg.task = task
    cfg.preprocess = Preprocess.from_json(raw.get("preprocess", {}), problems)
    labels = raw.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        problems.append("labels: expected a list of strings")
    else:
        cfg.labels = labels
    post = raw.get("postprocess", {})
    if not isinstance(post, dict):
        problems.append("postprocess: expected an object")
    else:
        cfg.postprocess = post
    for key in ("license", "source"):
        if not isinstance(raw.get(key, ""), str):
            problems.append(f"{key}: expected text")
        else:
            setattr(cfg, key, raw.get(key, ""))
    unknown = set(raw) - {"format", "schema_version", "task", "preprocess", "labels", "postprocess", "license", "source"}
    problems += [f"unknown key {k!r}" for k in sorted(unknown)]
    if problems:
        raise ModelError(f"{where}: " + "; ".join(problems))
    return cfg


ULTRALYTICS_TASKS = {"detect": "detection", "segment": "instance_segmentation", "classify": "classification",
                     "obb": "detection", "pose": "detection"}


def is_ultralytics(info: ModelInfo) -> bool:
    return info.metadata.get("task", "") in ULTRALYTICS_TASKS and "names" in info.metadata


def infer_task(info: ModelInfo) -> tuple[str, dict[str, Any]]:
    """Task and post-processing defaults from Ultralytics metadata or the output shapes."""
    task = info.metadata.get("task", "")
    outs = [o.shape for o in info.outputs]
    if task in ULTRALYTICS_TASKS:
        return ULTRALYTICS_TASKS[task], {}
    if len(outs) == 1 and len(outs[0]) == 2:
        return "classification", {}
    if len(outs) == 2 and len(outs[1]) == 4 and len(outs[0]) == 3:
        return "instance_segmentation", {}
    if len(outs) == 1 and len(outs[0]) == 3:
        return "detection", {}
    if len(outs) == 1 and len(outs[0]) == 4 and info.inputs and len(info.inputs[0].shape) == 4:
        return "semantic_segmentation", {}
    return "unknown", {}


def metadata_imgsz(meta: dict[str, str]) -> tuple[int, int] | None:
    """(width, height) from Ultralytics' `imgsz` metadata ('[640, 640]' = [h, w], or one number)."""
    try:
        v = ast.literal_eval(meta.get("imgsz", "").strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if isinstance(v, int) and v > 0:
        return v, v
    if isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, int) and x > 0 for x in v):
        return int(v[1]), int(v[0])
    return None


def _ultralytics_preprocess(pp: Preprocess, task: str, meta: dict[str, str]) -> None:
    """The exporter's own convention (Ultralytics 8.4 predictors)."""
    pp.color, pp.scaling = ColorOrder.RGB, Scaling.UNIT
    if not (pp.width and pp.height):  # a dynamic-shape export: imgsz says what it was trained at
        size = metadata_imgsz(meta)
        if size:
            pp.width, pp.height = size
    if pp.width and pp.height:
        pp.resize = ResizeMode.CENTER_CROP if task == "classification" else ResizeMode.LETTERBOX
    if task == "classification":
        pp.filter = ResizeFilter.ANTIALIAS  # torchvision Resize on a PIL image, then CenterCrop
    else:
        pp.pad_value, pp.filter = 114, ResizeFilter.LINEAR


def default_config(info: ModelInfo) -> ModelConfig:
    inp = info.inputs[0] if info.inputs else None
    pp = infer_preprocess(inp.shape, inp.dtype) if inp else Preprocess()
    task, post = infer_task(info)
    if is_ultralytics(info) and pp.dtype != "uint8":
        _ultralytics_preprocess(pp, task, info.metadata)
        origin = f"inferred from Ultralytics metadata (task={info.metadata['task']})"
    else:
        if task in ("classification", "semantic_segmentation", "anomaly"):
            pp.resize = ResizeMode.STRETCH if pp.resize is not ResizeMode.NONE else pp.resize
        if task == "classification" and pp.color is not ColorOrder.GRAY and pp.dtype != "uint8":
            pp.scaling = Scaling.IMAGENET  # the most common classification export (torchvision/timm)
        origin = "inferred from the input and output shapes (no sidecar)"
    return ModelConfig(task=task, preprocess=pp, labels=list(info.labels), postprocess=post,
                       license=info.metadata.get("license", ""), source=info.metadata.get("author", ""),
                       origin=origin)


def check_against_model(cfg: ModelConfig, info: ModelInfo, where: str) -> None:
    """One line naming the sidecar field that does not fit the model's image input (dtype, layout, colour, size)."""
    if len(info.inputs) != 1 or len(info.inputs[0].shape) != 4:
        return  # not an image model the nodes can feed: check_image_input says so when it is used
    pp, t = cfg.preprocess, info.inputs[0]
    problems = []
    if t.dtype in ("float32", "float16", "uint8") and pp.dtype != t.dtype:
        problems.append(f"preprocess.dtype is {pp.dtype} but the model's input {t.name} is {t.dtype}")
    nchw = pp.layout is Layout.NCHW
    ch = t.shape[1] if nchw else t.shape[3]
    h, w = (t.shape[2], t.shape[3]) if nchw else (t.shape[1], t.shape[2])
    if isinstance(ch, int) and ch not in (1, 3):
        other = "NHWC" if nchw else "NCHW"
        problems.append(f"preprocess.layout is {pp.layout.name} but input {t.describe()} has {ch} on the "
                        f"channel axis ({other}?)")
    elif isinstance(ch, int) and (ch == 1) != (pp.color is ColorOrder.GRAY):
        problems.append(f"preprocess.color is {pp.color.name} but input {t.describe()} has {ch} channel"
                        + ("s" if ch != 1 else ""))
    if pp.resize is not ResizeMode.NONE:
        for key, want, have in (("width", pp.width, w), ("height", pp.height, h)):
            if want and isinstance(have, int) and have > 0 and want != have:
                problems.append(f"preprocess.{key} is {want} but input {t.describe()} is {have}")
    if problems:
        raise ModelError(f"{where} does not fit {info.path.name}: " + "; ".join(problems))


def load_config(model_path: Path, info: ModelInfo) -> ModelConfig:
    path = sidecar_path(model_path)
    if not path.is_file():
        return default_config(info)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path.name}: cannot read ({exc})") from None
    cfg = parse_config(raw, path.name)
    check_against_model(cfg, info, path.name)
    if not cfg.labels:
        cfg.labels = list(info.labels)
    cfg.origin = f"from the sidecar {path.name}"
    return cfg


def save_config(model_path: Path, cfg: ModelConfig) -> Path:
    path = sidecar_path(model_path)
    text = json.dumps(cfg.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return atomic_write_text(path, text)
