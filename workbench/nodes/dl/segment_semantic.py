from pathlib import Path
from typing import Annotated, NamedTuple

import numpy as np

from workbench.core.params import FileParam, Help, Range
from workbench.core.spec import NodeContext, node
from workbench.core.types import Image, Mask, Measurements, MeasurementSet
from workbench.inference.segmentation import decode_semantic
from workbench.inference.sessions import Device
from workbench.nodes.dl._common import FILTER_HELP, MODEL_FILTER, ResizeFilterChoice, load, model_state, run_image


class SegmentSemanticOut(NamedTuple):
    mask: Mask
    classes: Image
    measurements: Measurements


@node("dl.segment_semantic", name="Segment Pixels (ONNX)", category="Deep Learning", cache_extra=model_state)
def segment_semantic(image: Image, ctx: NodeContext,
                     model: Annotated[Path, FileParam(MODEL_FILTER)] = Path(""),
                     device: Device = Device.AUTO,
                     resize_filter: Annotated[ResizeFilterChoice, FILTER_HELP] = ResizeFilterChoice.MODEL,
                     target: Annotated[str, Help("class label or index for the mask; empty: every class but 0")] = "",
                     threshold: Annotated[float, Range(0.0, 1.0, 0.01), Help("one-channel models")] = 0.5,
                     ) -> SegmentSemanticOut:
    """Semantic segmentation with an ONNX model: per-pixel argmax (or a threshold for one-channel models) →
    the mask of the chosen class and the class index image (uint8), both at the original size."""
    loaded, cfg = load(model, device, ctx, resize_filter)
    outputs, t = run_image(loaded, cfg, image)
    mask, classes, _ = decode_semantic(outputs, cfg.labels, t, cfg.postprocess, target, threshold)
    area = float(np.count_nonzero(mask))
    m = MeasurementSet().add("area", area, "px²").add("fraction", area / max(1, mask.size))
    return SegmentSemanticOut(mask, classes, m)
