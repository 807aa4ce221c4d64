from pathlib import Path
from typing import Annotated, NamedTuple

from workbench.core.params import FileParam, Help, Range
from workbench.core.spec import NodeContext, node
from workbench.core.types import Detections, Image, Measurements, MeasurementSet
from workbench.inference.detection import decode_detections
from workbench.inference.sessions import Device
from workbench.nodes.dl._common import FILTER_HELP, MODEL_FILTER, ResizeFilterChoice, load, model_state, run_image


class DetectOut(NamedTuple):
    detections: Detections
    measurements: Measurements


@node("dl.detect", name="Detect Objects (ONNX)", category="Deep Learning", cache_extra=model_state)
def detect(image: Image, ctx: NodeContext,
           model: Annotated[Path, FileParam(MODEL_FILTER)] = Path(""),
           device: Device = Device.AUTO,
           resize_filter: Annotated[ResizeFilterChoice, FILTER_HELP] = ResizeFilterChoice.MODEL,
           min_score: Annotated[float, Range(0.0, 1.0, 0.01), Help("detections scoring less are dropped")] = 0.25,
           max_overlap: Annotated[float, Range(0.0, 1.0, 0.01),
                                 Help("NMS IoU: boxes overlapping more are duplicates")] = 0.45,
           max_objects: Annotated[int, Range(1, 10000, 1)] = 300,
           class_agnostic: Annotated[bool, Help("NMS across classes, not per class")] = False,
           ) -> DetectOut:
    """Detects objects with a YOLO ONNX model (YOLOv5, YOLOv8/YOLO11 or end-to-end YOLOv10/YOLO26 outputs,
    detected from the output shape or set in the sidecar); boxes in original image pixels."""
    loaded, cfg = load(model, device, ctx, resize_filter)
    outputs, t = run_image(loaded, cfg, image)
    det = decode_detections(outputs, cfg.labels, t, cfg.postprocess, conf=min_score, iou=max_overlap,
                           max_det=max_objects, class_agnostic=class_agnostic)
    return DetectOut(det, MeasurementSet().add("count", len(det)))
