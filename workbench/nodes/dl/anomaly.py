from pathlib import Path
from typing import Annotated, NamedTuple

from workbench.core.params import FileParam, Help, Range
from workbench.core.spec import NodeContext, node
from workbench.core.types import Image, Mask, Measurements, MeasurementSet, Regions, Verdict, VerdictResult
from workbench.inference.anomaly import decode_anomaly
from workbench.inference.sessions import Device
from workbench.nodes.dl._common import FILTER_HELP, MODEL_FILTER, ResizeFilterChoice, load, model_state, run_image


class AnomalyOut(NamedTuple):
    map: Image
    mask: Mask
    regions: Regions
    measurements: Measurements
    verdict: Verdict


@node("dl.anomaly", name="Anomaly Detection (ONNX)", category="Deep Learning", cache_extra=model_state)
def anomaly(image: Image, ctx: NodeContext,
            model: Annotated[Path, FileParam(MODEL_FILTER)] = Path(""),
            device: Device = Device.AUTO,
            resize_filter: Annotated[ResizeFilterChoice, FILTER_HELP] = ResizeFilterChoice.MODEL,
            threshold: Annotated[float, Range(0.0, 1e6, 0.01),
                                 Help("on the normalised 0..1 scale (0.5 = trained threshold) when the sidecar "
                                      "gives min/max, else on the model's raw scale")] = 0.5,
            min_area: Annotated[float, Range(0, 1e9, 1), Help("smallest NG region, pixels")] = 0.0,
            ) -> AnomalyOut:
    """Anomaly detection with an anomalib-style ONNX model: anomaly map at the original size, NG mask and
    regions above the threshold, image score, and a verdict (OK when score < threshold)."""
    loaded, cfg = load(model, device, ctx, resize_filter)
    outputs, t = run_image(loaded, cfg, image)
    res = decode_anomaly(outputs, t, cfg.postprocess, threshold, [o.name for o in loaded.info.outputs], min_area)
    area = sum(r["area"] for r in res.regions.stats)
    m = MeasurementSet().add("score", res.score).add("area", area, "px²").add("regions", len(res.regions))
    ok = res.score < threshold
    reasons = [] if ok else [f"anomaly score {res.score:.4g} >= threshold {threshold:.4g}"]
    return AnomalyOut(res.map, res.mask, res.regions, m, VerdictResult(ok, reasons))
