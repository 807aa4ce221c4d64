"""The sidecar: what a model needs besides its weights, saved next to it as MODEL.workbench.json.

    {"format": "workbench.model", "schema_version": 1, "task": "detection",
     "preprocess": {"resize": "LETTERBOX", "width": 640, ...},
     "labels": ["person", ...], "postprocess": {"layout": "yolov8", "conf": 0.25, "iou": 0.45},
     "license": "AGPL-3.0", "source": "..."}

Without a sidecar, defaults are inferred from the model (input shape, Ultralytics metadata,
output shapes). Every choice is editable and saved back atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.core.fileio import atomic_write_text
from workbench.inference.model import ModelError, ModelInfo
from workbench.inference.preprocess import ColorOrder, Preprocess, ResizeMode, Scaling, infer_preprocess

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


def infer_task(info: ModelInfo) -> tuple[str, dict[str, Any]]:
    """Task and post-processing defaults from Ultralytics metadata or the output shapes."""
    task = info.metadata.get("task", "")
    ultra = {"detect": "detection", "segment": "instance_segmentation", "classify": "classification",
             "obb": "detection", "pose": "detection"}
    outs = [o.shape for o in info.outputs]
    if task in ultra:
        return ultra[task], {}
    if len(outs) == 1 and len(outs[0]) == 2:
        return "classification", {}
    if len(outs) == 2 and len(outs[1]) == 4 and len(outs[0]) == 3:
        return "instance_segmentation", {}
    if len(outs) == 1 and len(outs[0]) == 3:
        return "detection", {}
    if len(outs) == 1 and len(outs[0]) == 4 and info.inputs and len(info.inputs[0].shape) == 4:
        return "semantic_segmentation", {}
    return "unknown", {}


def default_config(info: ModelInfo) -> ModelConfig:
    inp = info.inputs[0] if info.inputs else None
    pp = infer_preprocess(inp.shape, inp.dtype) if inp else Preprocess()
    task, post = infer_task(info)
    if task in ("classification", "semantic_segmentation", "anomaly"):
        pp.resize = ResizeMode.STRETCH if pp.resize is not ResizeMode.NONE else pp.resize
    if task == "classification" and pp.color is not ColorOrder.GRAY and pp.dtype != "uint8":
        pp.scaling = Scaling.IMAGENET  # the most common classification export (torchvision/timm)
    return ModelConfig(task=task, preprocess=pp, labels=list(info.labels), postprocess=post,
                       license=info.metadata.get("license", ""), source=info.metadata.get("author", ""))


def load_config(model_path: Path, info: ModelInfo) -> ModelConfig:
    path = sidecar_path(model_path)
    if not path.is_file():
        return default_config(info)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path.name}: cannot read ({exc})") from None
    cfg = parse_config(raw, path.name)
    if not cfg.labels:
        cfg.labels = list(info.labels)
    return cfg


def save_config(model_path: Path, cfg: ModelConfig) -> Path:
    path = sidecar_path(model_path)
    text = json.dumps(cfg.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return atomic_write_text(path, text)
