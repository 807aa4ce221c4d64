from pathlib import Path
from typing import Annotated, NamedTuple

import numpy as np

from workbench.core.params import FileParam, Help, Range
from workbench.core.spec import NodeContext, node
from workbench.core.types import Detections, Image, Mask, Measurements, MeasurementSet
from workbench.inference.segmentation import decode_instances
from workbench.inference.sessions import Device
from workbench.nodes.dl._common import FILTER_HELP, MODEL_FILTER, ResizeFilterChoice, load, model_state, run_image


class SegmentInstancesOut(NamedTuple):
    detections: Detections
    mask: Mask
    measurements: Measurements


@node("dl.segment_instances", name="Segment Instances (ONNX)", category="Deep Learning", cache_extra=model_state)
def segment_instances(image: Image, ctx: NodeContext,
                      model: Annotated[Path, FileParam(MODEL_FILTER)] = Path(""),
                      device: Device = Device.AUTO,
                      resize_filter: Annotated[ResizeFilterChoice, FILTER_HELP] = ResizeFilterChoice.MODEL,
                      min_score: Annotated[float, Range(0.0, 1.0, 0.01),
                                          Help("detections scoring less are dropped")] = 0.25,
                      max_overlap: Annotated[float, Range(0.0, 1.0, 0.01),
                                            Help("NMS IoU: boxes overlapping more are duplicates")] = 0.45,
                      max_objects: Annotated[int, Range(1, 10000, 1)] = 300,
                      mask_threshold: Annotated[float, Range(0.0, 1.0, 0.01)] = 0.5,
                      class_agnostic: Annotated[bool, Help("NMS across classes, not per class")] = False,
                      keep_empty_masks: Annotated[bool, Help("keep detections whose mask is empty "
                                                             "(Ultralytics drops them)")] = False,
                      ) -> SegmentInstancesOut:
    """Instance segmentation with a YOLOv8-seg / YOLO11-seg ONNX model: boxes, one mask and polygon per object
    (original pixels), and the union of all masks. Detections whose mask is empty are dropped, as Ultralytics
    does, unless keep_empty_masks."""
    loaded, cfg = load(model, device, ctx, resize_filter)
    outputs, t = run_image(loaded, cfg, image)
    det = decode_instances(outputs, cfg.labels, t, cfg.postprocess, conf=min_score, iou=max_overlap,
                           max_det=max_objects, class_agnostic=class_agnostic,
                           mask_threshold=mask_threshold, keep_empty=keep_empty_masks)
    union = np.zeros((t.orig_h, t.orig_w), np.uint8)
    for m in det.masks or []:
        np.maximum(union, m, out=union)
    area = float(np.count_nonzero(union))
    return SegmentInstancesOut(det, union, MeasurementSet().add("count", len(det)).add("area", area, "px²"))
