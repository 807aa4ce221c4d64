"""How the app feeds an image to a model and reads its answer, per task — one place for the model tools.

`workbench model bench` times the three stages (prepare, run, decode) with these; `workbench model
quantize` feeds its calibration images through `prepare` (the model's own pre-processing, from its
sidecar or inferred) and compares the FP32 and the quantized model's decoded answers with `agreement`:

* classification, OCR orientation: top-1 agreement (same class);
* detection, instance segmentation: box agreement, F1 of boxes matched one-to-one (same class, IoU ≥ 0.5);
* semantic segmentation: the fraction of pixels with the same class;
* anomaly: correlation of the image scores over the images (Pearson);
* OCR recognition: text agreement (the same string);
* OCR detection, anything else: cosine similarity of the raw outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from workbench.inference.model import ModelError, ModelInfo
from workbench.inference.preprocess import Layout, preprocess
from workbench.inference.sidecar import ModelConfig


def input_size(info: ModelInfo, cfg: ModelConfig) -> tuple[int, int] | None:
    """(width, height) to feed: the config's, else the model's static input size, else None (as is)."""
    pp = cfg.preprocess
    w, h = pp.width, pp.height
    shape = info.inputs[0].shape if info.inputs else ()
    if not (w and h) and len(shape) == 4:
        hh, ww = (shape[1], shape[2]) if pp.layout is Layout.NHWC else (shape[2], shape[3])
        w = w or (ww if isinstance(ww, int) and ww > 0 else 0)
        h = h or (hh if isinstance(hh, int) and hh > 0 else 0)
    return (w, h) if w and h else None


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU matrix of x1,y1,x2,y2 boxes [n, 4] x [m, 4]."""
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(2)
    area = lambda x: np.clip(x[:, 2:] - x[:, :2], 0, None).prod(1)  # noqa: E731
    return inter / (area(a)[:, None] + area(b)[None] - inter + 1e-9)


def box_f1(ref, new, iou: float = 0.5) -> float:
    """F1 of greedy one-to-one matches (same class, IoU ≥ iou) between two DetectionSets; 1 when both empty."""
    n, m = len(ref.scores), len(new.scores)
    if n == 0 and m == 0:
        return 1.0
    if n == 0 or m == 0:
        return 0.0
    ious = _iou(ref.boxes, new.boxes)
    ious[ref.class_ids[:, None] != new.class_ids[None]] = 0
    matched = 0
    for i in np.argsort(-ref.scores):
        j = int(ious[i].argmax())
        if ious[i, j] >= iou:
            matched += 1
            ious[:, j] = 0
    return 2 * matched / (n + m)


def _cosine(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    x = np.concatenate([np.asarray(v, np.float64).ravel() for v in a])
    y = np.concatenate([np.asarray(v, np.float64).ravel() for v in b])
    den = np.linalg.norm(x) * np.linalg.norm(y)
    return float(x @ y / den) if den else float(np.array_equal(x, y))


@dataclass
class Adapter:
    info: ModelInfo
    cfg: ModelConfig

    @property
    def task(self) -> str:
        return self.cfg.task

    @property
    def input_name(self) -> str:
        return self.info.inputs[0].name

    def prepare(self, image: np.ndarray) -> tuple[np.ndarray, Any]:
        """Image (BGR/mono) -> (batch-1 tensor, context for decode)."""
        if self.task.startswith("ocr_"):
            return self._prepare_ocr(image)
        if len(self.info.inputs) != 1:
            raise ModelError(f"{self.info.path.name} has {len(self.info.inputs)} inputs; the model tools feed "
                             "one image")
        return preprocess(image, self.cfg.preprocess, input_size(self.info, self.cfg))

    def _prepare_ocr(self, image: np.ndarray) -> tuple[np.ndarray, Any]:
        from workbench.inference.ocr import OcrParams, _resize_pad, det_input, normalize_image, to_bgr3

        p = OcrParams.from_postprocess(self.cfg.postprocess)
        img = to_bgr3(image)
        if self.task == "ocr_detection":
            img = normalize_image(img, p)[0]
            x = det_input(img, p)
            if x is None:
                raise ModelError("image too small for text detection")
            return x, img.shape[:2]
        if self.task == "ocr_orientation":
            return _resize_pad(img, p.cls_shape[0], p.cls_shape[1])[None], None
        hgt, min_w = p.rec_shape
        width = int(hgt * max(min_w / hgt, img.shape[1] / float(img.shape[0])))
        return _resize_pad(img, hgt, width)[None], None

    def decode(self, outputs: list[np.ndarray], ctx: Any) -> Any:
        """Raw outputs of one image -> what the app's node would make of them."""
        t, post, labels = ctx, self.cfg.postprocess, self.cfg.labels
        if self.task == "classification":
            from workbench.inference.classification import classify

            return classify(outputs[0], labels, 5, str(post.get("softmax", "auto")))
        if self.task == "detection":
            from workbench.inference.detection import decode_detections

            return decode_detections(outputs, labels, t, post)
        if self.task == "instance_segmentation":
            from workbench.inference.segmentation import decode_instances

            return decode_instances(outputs, labels, t, post)
        if self.task == "semantic_segmentation":
            from workbench.inference.segmentation import decode_semantic

            return decode_semantic(outputs, labels, t, post)[1]
        if self.task == "anomaly":
            from workbench.inference.anomaly import decode_anomaly

            return decode_anomaly(outputs, t, post, 0.5, [o.name for o in self.info.outputs]).score
        if self.task == "ocr_recognition":
            from workbench.inference.ocr import ctc_decode

            meta = self.info.metadata
            if "character" not in meta:
                raise ModelError("recognition model has no 'character' metadata (the CTC dictionary)")
            return ctc_decode(outputs[0], ["blank"] + meta["character"].splitlines() + [" "])[0][0]
        if self.task == "ocr_orientation":
            return int(np.asarray(outputs[0]).reshape(-1).argmax())
        return [np.asarray(o) for o in outputs]

    def agreement(self, ref: list[Any], new: list[Any]) -> tuple[float, str]:
        """(value, what it is) comparing decoded answers of a reference and a candidate model, image by image."""
        n = len(ref)
        if n == 0:
            return 0.0, "no images"
        if self.task == "classification":
            return sum(a.class_id == b.class_id for a, b in zip(ref, new)) / n, "top-1 agreement"
        if self.task == "ocr_orientation":
            return sum(a == b for a, b in zip(ref, new)) / n, "top-1 agreement"
        if self.task == "ocr_recognition":
            return sum(a == b for a, b in zip(ref, new)) / n, "text agreement"
        if self.task in ("detection", "instance_segmentation"):
            return float(np.mean([box_f1(a, b) for a, b in zip(ref, new)])), "box agreement (F1, IoU ≥ 0.5)"
        if self.task == "semantic_segmentation":
            return float(np.mean([np.mean(a == b) for a, b in zip(ref, new)])), "pixel agreement"
        if self.task == "anomaly":
            if n < 2 or np.std(ref) == 0 or np.std(new) == 0:
                return float(np.allclose(ref, new, rtol=1e-2)), "score agreement (within 1 %)"
            return float(np.corrcoef(ref, new)[0, 1]), "score correlation"
        return float(np.mean([_cosine(a, b) for a, b in zip(ref, new)])), "output cosine similarity"

