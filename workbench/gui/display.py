"""What the viewer shows for a node: an image plus the overlays drawn on it. No widgets here.

* A node with an Image or Mask output shows its first such output; its other outputs
  (regions, detections, measurements, a verdict, text) are drawn over it.
* A node without one (blob analysis, a judge, a model head) shows the image that flowed into
  it — its first image input, followed upstream — with its outputs drawn over that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.core.engine import CACHED, OK, RunResult
from workbench.core.graph import Pipeline
from workbench.core.types import IMAGE, MASK, NO_VALUE


@dataclass
class ViewContent:
    image: np.ndarray | None
    overlays: list[Any] = field(default_factory=list)
    title: str = ""
    status: str = ""
    message: str = ""


def _image_output(pipeline: Pipeline, result: RunResult, node_id: str) -> tuple[str, np.ndarray] | None:
    inst = pipeline.nodes.get(node_id)
    r = result.nodes.get(node_id)
    if inst is None or r is None or r.status not in (OK, CACHED):
        return None
    for port in inst.outputs:
        v = r.outputs.get(port.name)
        if port.type in (IMAGE, MASK) and isinstance(v, np.ndarray):
            return port.name, v
    return None


def upstream_image(pipeline: Pipeline, result: RunResult, node_id: str, _seen: set | None = None) -> np.ndarray | None:
    """The image that flowed into ``node_id`` (first image input, followed upstream)."""
    seen = _seen if _seen is not None else set()
    if node_id in seen:
        return None
    seen.add(node_id)
    inst = pipeline.nodes.get(node_id)
    if inst is None:
        return None
    incoming = pipeline.incoming(node_id)
    ports = sorted(inst.inputs, key=lambda p: (p.type is not IMAGE, p.type is not MASK))
    for port in ports:
        edge = incoming.get(port.name)
        if edge is None:
            continue
        r = result.nodes.get(edge.src)
        v = r.outputs.get(edge.src_port) if r is not None and r.status in (OK, CACHED) else None
        if isinstance(v, np.ndarray) and v.ndim in (2, 3):
            return v
    for port in ports:
        edge = incoming.get(port.name)
        if edge is not None:
            found = upstream_image(pipeline, result, edge.src, seen)
            if found is not None:
                return found
    return None


def view_content(pipeline: Pipeline, result: RunResult | None, node_id: str | None,
                 port: str | None = None) -> ViewContent:
    if result is None or node_id is None or node_id not in pipeline.nodes:
        return ViewContent(None)
    r = result.nodes.get(node_id)
    if r is None:
        return ViewContent(None, title=node_id)
    if r.status not in (OK, CACHED):
        return ViewContent(upstream_image(pipeline, result, node_id), title=node_id, status=r.status,
                           message=r.message)
    inst = pipeline.nodes[node_id]
    chosen = None
    if port is not None and isinstance(r.outputs.get(port), np.ndarray):
        chosen = port, r.outputs[port]
    chosen = chosen or _image_output(pipeline, result, node_id)
    if chosen is not None:
        name, image = chosen
    else:
        name, image = "", upstream_image(pipeline, result, node_id)
    overlays = []
    for p in inst.outputs:
        v = r.outputs.get(p.name, NO_VALUE)
        if p.name == name or v is NO_VALUE or v is None:
            continue
        if p.type in (IMAGE, MASK):
            continue  # a second image is not drawn over the first
        overlays.append(v)
    return ViewContent(image, overlays, f"{node_id}.{name}" if name else node_id, r.status)


# ---------------------------------------------------------------- files dropped on the window
IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"}
VIDEO_EXTS = {".avi", ".mp4", ".mov", ".mkv", ".m4v", ".mpg", ".mpeg", ".wmv"}
TASK_NODES = {"classification": "dl.classify", "detection": "dl.detect",
              "instance_segmentation": "dl.segment_instances", "semantic_segmentation": "dl.segment_semantic",
              "anomaly": "dl.anomaly", "ocr_orientation": "dl.text_orientation"}


def node_for_file(path) -> tuple[str, dict[str, Any]]:
    """The node (type id, params) a dropped file becomes; raises WorkbenchError with the reason."""
    from pathlib import Path

    from workbench.core.errors import WorkbenchError

    p = Path(path)
    if p.is_dir():
        return "io.image_folder", {"folder": str(p)}
    ext = p.suffix.lower()
    if not p.is_file():
        raise WorkbenchError(f"{p.name}: no such file")
    if ext in IMAGE_EXTS:
        return "io.image_file", {"path": str(p)}
    if ext in VIDEO_EXTS:
        return "io.video_file", {"path": str(p)}
    if ext == ".onnx":
        from workbench.inference.model import model_info
        from workbench.inference.sidecar import load_config

        try:
            cfg = load_config(p, model_info(p))
        except Exception as exc:  # a broken model file: one line, the drop adds nothing
            raise WorkbenchError(f"{p.name}: {exc}") from None
        if cfg.task in ("ocr_recognition", "ocr_detection"):
            return "dl.ocr", {("rec_model" if cfg.task == "ocr_recognition" else "det_model"): str(p)}
        node = TASK_NODES.get(cfg.task)
        if node is None:
            raise WorkbenchError(f"{p.name}: cannot tell what the model does (task {cfg.task!r}); "
                                 "add a MODEL.workbench.json sidecar with its task")
        return node, {"model": str(p)}
    if ext == ".json":
        return "", {"open": str(p)}
    raise WorkbenchError(f"{p.name}: not an image, video, folder, ONNX model or pipeline")
