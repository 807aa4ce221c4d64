from pathlib import Path
from typing import Annotated, NamedTuple

import numpy as np

from workbench.core.params import FileParam, Help, Range
from workbench.core.spec import NodeContext, node
from workbench.core.types import Classification, ClassificationResult, Detections, Image, Measurements, MeasurementSet
from workbench.inference.ocr import OcrParams, crop_quad, orientation_probs, to_bgr3
from workbench.inference.sessions import Device
from workbench.nodes.dl._common import MODEL_FILTER, load
from workbench.nodes.dl._ocr import cls_path, cls_state


class OrientationOut(NamedTuple):
    classification: Classification
    measurements: Measurements


@node("dl.text_orientation", name="Text Orientation (0/180°)", category="Deep Learning", cache_extra=cls_state)
def text_orientation(image: Image, ctx: NodeContext, lines: Detections | None = None,
                     model: Annotated[Path, FileParam(MODEL_FILTER),
                                      Help("0/180° text classifier; empty: the bundled PP-OCR one")] = Path(""),
                     device: Device = Device.AUTO,
                     threshold: Annotated[float, Range(0.5, 1.0, 0.01),
                                          Help("'180' only when its probability exceeds this")] = 0.9,
                     ) -> OrientationOut:
    """Is the text upside down? The PP-OCR orientation classifier as a classification head:
    label '0' (upright) or '180' with its probability.

    With text lines linked (detections with polygons, e.g. from OCR), each line is cut out
    upright and classified, and the probabilities are averaged; without, the whole image is
    classified as one text line (crop it to the line first). With an empty model path it uses
    the bundled classifier (models/ppocr, installed by `workbench models`). Measurements:
    score, upside_down (0/1), lines."""
    loaded, cfg = load(cls_path({"model": model}, ctx), device, ctx)
    p = OcrParams.from_postprocess(cfg.postprocess)
    if len(cfg.labels) == 2:
        p.cls_labels = tuple(cfg.labels)
    img = to_bgr3(image)
    if lines is not None and len(lines) and lines.polygons:
        crops = [crop_quad(img, np.asarray(q, np.float32).reshape(-1, 2)[:4]) for q in lines.polygons
                 if np.asarray(q).size >= 8]
    elif lines is not None and len(lines):
        crops = [img[int(y1):int(np.ceil(y2)), int(x1):int(np.ceil(x2))] for x1, y1, x2, y2 in lines.boxes]
        crops = [c for c in crops if c.size]
    else:
        crops = [img]
    probs = orientation_probs(crops or [img], loaded, p).mean(axis=0)
    up = int(p.cls_labels.index("180")) if "180" in p.cls_labels else 1
    upright = 1 - up
    cid = up if probs[up] > threshold else upright
    top = sorted(((i, p.cls_labels[i], float(probs[i])) for i in range(len(probs))), key=lambda t: -t[2])
    res = ClassificationResult(cid, p.cls_labels[cid], float(probs[cid]), top)
    m = MeasurementSet().add("score", res.score).add("upside_down", int(cid == up)).add("lines", len(crops))
    return OrientationOut(res, m)
