"""Segmentation heads: YOLOv8-seg instances, and per-pixel semantic segmentation.

Instance (YOLOv8-seg / YOLO11-seg): ``output0 [1, 4+C+nm, N]`` (boxes, class scores, nm = 32 mask
coefficients) and ``output1 [1, nm, mh, mw]`` (prototypes). After the detection steps (threshold, class-wise
NMS, max_det), each kept box's mask is ``sigmoid(coeffs @ protos)`` at prototype resolution; it is sampled
straight into the original image (one affine warp per box that undoes the prototype stride and the letterbox,
computed only inside the box — the mask is cropped to the box), thresholded (0.5), and stored as an H×W
uint8 0/255 mask per box, with the polygon of its largest contour. A detection whose mask is empty
(nothing above the threshold inside its box) is dropped, as Ultralytics does; ``keep_empty=True`` keeps it
(node parameter ``keep_empty_masks``).

Semantic: ``[1, C, H, W]`` scores (``[1, H, W, C]`` with ``postprocess["layout"] = "nhwc"``, or detected when the
last axis equals the labels count), per-pixel argmax → class index map; ``C == 1`` (or ``[1, H, W]`` floats):
sigmoid (when the values are not already in 0..1) and a threshold → class 1 / 0; an integer ``[1, H, W]`` output
is taken as the class map itself. The class map is mapped back to the original size with nearest interpolation.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from workbench.core.types import DetectionSet
from workbench.inference.detection import _shape_text, candidates, label_list, nms, scale_normalized
from workbench.inference.model import ModelError
from workbench.inference.preprocess import Transform


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def split_seg_outputs(outputs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(detections [1, 4+C+nm, N], prototypes [1, nm, mh, mw]) from the outputs, whatever their order."""
    shapes = ", ".join(_shape_text(np.shape(o)) for o in outputs)
    dets = [o for o in outputs if np.ndim(o) == 3]
    protos = [o for o in outputs if np.ndim(o) == 4]
    if len(outputs) < 2 or not dets or not protos:
        raise ModelError(f"instance segmentation head: expected outputs [1, 4+C+32, N] and [1, 32, mh, mw], "
                         f"got {shapes or 'none'}")
    det, proto = np.asarray(dets[0]), np.asarray(protos[0])
    nm = proto.shape[1]
    if det.shape[0] != 1 or proto.shape[0] != 1 or det.shape[1] < 4 + 1 + nm:
        raise ModelError(f"instance segmentation head: expected outputs [1, 4+C+{nm}, N] and [1, {nm}, mh, mw], "
                         f"got {shapes}")
    return det, proto


def _box_mask(prob: np.ndarray, box: np.ndarray, t: Transform, thr: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The mask inside one box (original pixels): a warp from the prototype grid, thresholded. Returns the patch
    (uint8 0/255) and its top-left corner."""
    mh, mw = prob.shape
    x1, y1 = round(float(box[0])), round(float(box[1]))
    x2, y2 = round(float(box[2])), round(float(box[3]))
    x1, y1 = max(0, x1), max(0, y1)
    x2, y2 = min(t.orig_w, x2), min(t.orig_h, y2)
    if x2 <= x1 or y2 <= y1:
        return np.zeros((0, 0), np.uint8), (x1, y1)
    # original pixel centre u + 0.5 -> input p = (u + 0.5 - crop) * scale + pad -> proto p * mw / input_w - 0.5
    kx, ky = mw / t.input_w, mh / t.input_h
    ax, ay = t.scale_x * kx, t.scale_y * ky
    bx = ((x1 + 0.5 - t.crop_x) * t.scale_x + t.pad_x) * kx - 0.5
    by = ((y1 + 0.5 - t.crop_y) * t.scale_y + t.pad_y) * ky - 0.5
    m = np.array([[ax, 0, bx], [0, ay, by]], np.float64)
    patch = cv2.warpAffine(prob, m, (x2 - x1, y2 - y1), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                           borderMode=cv2.BORDER_REPLICATE)
    return np.where(patch > thr, np.uint8(255), np.uint8(0)), (x1, y1)


def largest_polygon(mask: np.ndarray, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """(K, 2) float32 polygon of the largest external contour; (0, 2) when the mask is empty."""
    if mask.size == 0:
        return np.zeros((0, 2), np.float32)
    cs, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE, offset=offset)
    if not cs:
        return np.zeros((0, 2), np.float32)
    return max(cs, key=cv2.contourArea).reshape(-1, 2).astype(np.float32)


def decode_instances(outputs: list[np.ndarray], labels: list[str], transform: Transform,
                     post: dict[str, Any] | None = None, conf: float = 0.25, iou: float = 0.45, max_det: int = 300,
                     class_agnostic: bool = False, mask_threshold: float = 0.5, keep_empty: bool = False
                     ) -> DetectionSet:
    """YOLOv8-seg outputs -> DetectionSet with boxes, per-box H×W masks and polygons in original pixels.
    Detections with an empty mask are dropped unless keep_empty (Ultralytics drops them)."""
    post = post or {}
    det, proto = split_seg_outputs(outputs)
    nm, mh, mw = proto.shape[1:]
    nc = det.shape[1] - 4 - nm
    if labels and nc != len(labels):
        raise ModelError(f"instance segmentation output {_shape_text(det.shape)} has {nc} classes "
                         f"(4 + C + {nm} rows) but the model has {len(labels)} labels: "
                         f"expected [1, {4 + len(labels) + nm}, N]")
    boxes, scores, ids, coeffs = candidates(det, "yolov8", conf, extra=nm)
    boxes = scale_normalized(boxes, post, transform)
    keep = nms(boxes, scores, iou, None if class_agnostic else ids, max_det)
    boxes, scores, ids, coeffs = boxes[keep], scores[keep], ids[keep], coeffs[keep]
    orig = transform.boxes_to_original(boxes)
    h, w = transform.orig_h, transform.orig_w
    masks, polys, kept = [], [], []
    if len(keep):
        prob = sigmoid(coeffs @ proto[0].reshape(nm, -1).astype(np.float32)).reshape(-1, mh, mw)
        for i in range(len(keep)):
            patch, (x0, y0) = _box_mask(prob[i].astype(np.float32), orig[i], transform, mask_threshold)
            if not keep_empty and not patch.any():
                continue
            full = np.zeros((h, w), np.uint8)
            full[y0:y0 + patch.shape[0], x0:x0 + patch.shape[1]] = patch
            masks.append(full)
            polys.append(largest_polygon(patch, (x0, y0)))
            kept.append(i)
    orig, scores, ids = orig[kept], scores[kept], ids[kept]
    return DetectionSet(orig.astype(np.float32).reshape(-1, 4), scores.astype(np.float32), ids.astype(np.int32),
                        label_list(ids, labels), masks, polys)


# ---------------------------------------------------------------- semantic
def class_map(output: np.ndarray, num_labels: int = 0, post: dict[str, Any] | None = None,
              threshold: float = 0.5) -> tuple[np.ndarray, int]:
    """(class index map H×W int32 at model resolution, number of classes) from a semantic output."""
    post = post or {}
    a = np.asarray(output)
    st = _shape_text(a.shape)
    if a.ndim == 4 and a.shape[0] == 1:
        a = a[0]
        nhwc = str(post.get("layout", "auto")).lower() == "nhwc" or (
            num_labels > 1 and a.shape[2] == num_labels and a.shape[0] != num_labels)
        if nhwc:
            a = a.transpose(2, 0, 1)
    elif a.ndim == 3 and a.shape[0] == 1:
        if np.issubdtype(a.dtype, np.integer):
            return a[0].astype(np.int32), max(num_labels, int(a.max()) + 1 if a.size else 1)
        a = a[:, :, :]  # [1, H, W] scores: one channel
    else:
        raise ModelError(f"semantic segmentation head: expected [1, C, H, W] or [1, H, W], got {st}")
    c = a.shape[0]
    if num_labels and c > 1 and c != num_labels:
        raise ModelError(f"semantic segmentation output {st} has {c} classes but the model has {num_labels} labels")
    if c == 1:
        p = a[0].astype(np.float32)
        act = str(post.get("activation", "auto")).lower()
        if act == "sigmoid" or (act == "auto" and (p.min() < 0 or p.max() > 1)):
            p = sigmoid(p)
        return (p > threshold).astype(np.int32), 2
    return a.argmax(0).astype(np.int32), c


def class_index(target: str, labels: list[str], num_classes: int) -> int | None:
    """The class chosen by a param: '' -> None (every class but 0), a label, or an index."""
    target = target.strip()
    if not target:
        return None
    if target in labels:
        return labels.index(target)
    if target.lstrip("-").isdigit():
        i = int(target)
        if 0 <= i < num_classes:
            return i
        raise ModelError(f"class {i} is out of range: the model has {num_classes} classes (0..{num_classes - 1})")
    known = ", ".join(labels[:10]) + (", ..." if len(labels) > 10 else "")
    raise ModelError(f"unknown class {target!r}" + (f": labels are {known}" if labels else ": the model has no labels"))


def decode_semantic(outputs: list[np.ndarray], labels: list[str], transform: Transform,
                    post: dict[str, Any] | None = None, target: str = "", threshold: float = 0.5
                    ) -> tuple[np.ndarray, np.ndarray, int]:
    """(mask of the target class H×W uint8 0/255, class index image H×W uint8, class id or -1) in original size."""
    if not outputs:
        raise ModelError("the model has no outputs")
    cmap, nc = class_map(outputs[0], len(labels), post, threshold)
    if nc > 256:
        raise ModelError(f"semantic segmentation: {nc} classes do not fit a uint8 class image (at most 256)")
    cls = class_index(target, labels, nc)
    small = cmap.astype(np.uint8)
    if (transform.input_w, transform.input_h) != (small.shape[1], small.shape[0]):
        # the output grid is not the input size (a strided head): bring it to the input grid first
        small = cv2.resize(small, (transform.input_w, transform.input_h), interpolation=cv2.INTER_NEAREST)
    classes = transform.map_to_original(small, interpolation=cv2.INTER_NEAREST)
    mask = np.where(classes != 0 if cls is None else classes == cls, np.uint8(255), np.uint8(0))
    return mask, classes, -1 if cls is None else cls
