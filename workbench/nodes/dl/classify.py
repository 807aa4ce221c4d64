from pathlib import Path
from typing import Annotated, NamedTuple

from workbench.core.params import FileParam, Help, Range
from workbench.core.spec import NodeContext, node
from workbench.core.types import Classification, Image, Measurements, MeasurementSet
from workbench.inference.classification import classify as classify_head
from workbench.inference.model import ModelError
from workbench.inference.sessions import Device
from workbench.nodes.dl._common import FILTER_HELP, MODEL_FILTER, ResizeFilterChoice, load, model_state, run_image


class ClassifyOut(NamedTuple):
    classification: Classification
    measurements: Measurements


@node("dl.classify", name="Classify (ONNX)", category="Deep Learning", cache_extra=model_state)
def classify(image: Image, ctx: NodeContext,
             model: Annotated[Path, FileParam(MODEL_FILTER)] = Path(""),
             device: Device = Device.AUTO,
             resize_filter: Annotated[ResizeFilterChoice, FILTER_HELP] = ResizeFilterChoice.MODEL,
             top_k: Annotated[int, Range(1, 100, 1)] = 5,
             min_score: Annotated[float, Range(0.0, 1.0, 0.01), Help("below it the label is 'unknown'")] = 0.0,
             ) -> ClassifyOut:
    """Classifies the whole image with an ONNX model; pre-processing and labels come from its sidecar."""
    loaded, cfg = load(model, device, ctx, resize_filter)
    if len(loaded.info.outputs) < 1:
        raise ModelError("the model has no outputs")
    outputs, _ = run_image(loaded, cfg, image)
    res = classify_head(outputs[0], cfg.labels, top_k, str(cfg.postprocess.get("softmax", "auto")))
    if res.score < min_score:
        res.label = "unknown"
    m = MeasurementSet().add("score", res.score).add("class_id", res.class_id)
    return ClassifyOut(res, m)
