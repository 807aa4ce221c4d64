import re
from pathlib import Path
from typing import Annotated, NamedTuple

import numpy as np

from workbench.core.errors import ParamError
from workbench.core.params import FileParam, Help, Range
from workbench.core.spec import NodeContext, node
from workbench.core.types import DetectionSet, Detections, Image, Measurements, MeasurementSet, String
from workbench.inference.ocr import OcrParams, read_text
from workbench.inference.sessions import Device
from workbench.nodes.dl._common import MODEL_FILTER, load
from workbench.nodes.dl._ocr import ocr_paths, ocr_state


class OcrOut(NamedTuple):
    detections: Detections
    text: String
    measurements: Measurements


@node("dl.ocr", name="OCR (PP-OCR)", category="Deep Learning", cache_extra=ocr_state)
def ocr(image: Image, ctx: NodeContext,
        det_model: Annotated[Path, FileParam(MODEL_FILTER), Help("text detection (DB); empty with rec_model "
                                                                  "empty: the bundled PP-OCR models")] = Path(""),
        cls_model: Annotated[Path, FileParam(MODEL_FILTER), Help("0/180° classifier; empty: bundled one "
                                                                  "with bundled models, else none")] = Path(""),
        rec_model: Annotated[Path, FileParam(MODEL_FILTER), Help("text recognition (CTC)")] = Path(""),
        device: Device = Device.AUTO,
        orientation: Annotated[bool, Help("turn upside-down lines before reading (needs the classifier)")] = True,
        box_threshold: Annotated[float, Range(0.0, 1.0, 0.01), Help("mean text probability a box needs")] = 0.5,
        text_score: Annotated[float, Range(0.0, 1.0, 0.01), Help("lines read with a lower score are dropped")] = 0.5,
        match: Annotated[str, Help("regular expression; measurement 'match' = 1 when a line or the "
                                   "whole text contains it")] = "",
        ) -> OcrOut:
    """Reads printed text with PP-OCR models: text lines found (DB detection), turned upright
    (orientation classifier), read (CRNN + CTC with the model's dictionary).

    With all model paths empty it uses the bundled PP-OCR models in models/ppocr (installed by
    `workbench models` from the rapidocr-onnxruntime package). Detections: one per line, its
    text as label, the quadrilateral as polygon, the recognition score. Text: the lines joined
    by newlines, top to bottom then left to right. Measurements: count, mean_score, and match
    (0/1) when a pattern is given."""
    pattern = None
    if match:
        try:
            pattern = re.compile(match)
        except re.error as exc:
            raise ParamError(f"match: not a valid regular expression ({exc})") from None
    params = {"det_model": det_model, "cls_model": cls_model, "rec_model": rec_model}
    det_p, cls_p, rec_p = ocr_paths(params, ctx, orientation)
    det, det_cfg = load(det_p, device, ctx)
    rec, rec_cfg = load(rec_p, device, ctx)
    cls, cls_cfg = load(cls_p, device, ctx) if cls_p is not None else (None, None)
    p = OcrParams.from_postprocess(det_cfg.postprocess, cls_cfg.postprocess if cls_cfg else {}, rec_cfg.postprocess)
    if cls_cfg is not None and len(cls_cfg.labels) == len(p.cls_labels):
        p.cls_labels = tuple(cls_cfg.labels)
    p.box_thresh, p.text_score = float(box_threshold), float(text_score)
    lines = read_text(image, det, cls, rec, p)
    n = len(lines)
    quads = [ln.quad.astype(np.float32) for ln in lines]
    boxes = (np.array([[q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()] for q in quads], np.float32)
             if n else np.zeros((0, 4), np.float32))
    texts = [ln.text for ln in lines]
    dets = DetectionSet(boxes, np.array([ln.score for ln in lines], np.float32), np.arange(n, dtype=np.int32),
                        texts, polygons=quads)
    joined = "\n".join(texts)
    m = MeasurementSet().add("count", n).add("mean_score", float(np.mean(dets.scores)) if n else 0.0)
    if pattern is not None:
        m.add("match", int(any(pattern.search(t) for t in texts) or bool(pattern.search(joined))))
    return OcrOut(dets, joined, m)
