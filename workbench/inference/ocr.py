"""OCR with PP-OCR models: DB text detection, 0/180° orientation, CRNN recognition with CTC.

Pure numpy/cv2; the steps and defaults follow RapidOCR 1.4.4 (which packages the PP-OCR models
as ONNX), so the same image gives the same reading:

1. The image is brought to 3-channel BGR; a side over ``max_side_len`` is reduced, one under
   ``min_side_len`` enlarged; a very flat or very low image is padded top and bottom.
2. Detection: the short side is scaled to ``limit_side_len`` (multiples of 32), the input
   normalised to [-1, 1], the probability map thresholded at ``thresh`` and dilated 2×2;
   each contour's minimum-area rectangle is scored by the mean probability inside it, kept
   when ≥ ``box_thresh``, expanded ("unclipped") by area·unclip_ratio/perimeter and scaled
   back. The expansion is the offset of the rectangle by that distance (what a round-join
   polygon offset gives for a rectangle), done here without pyclipper/shapely.
3. Each quadrilateral is warped upright (perspective, cubic), turned 90° when much taller
   than wide, optionally classified 0°/180° and turned when '180' scores over ``cls_thresh``.
4. Recognition: crops sorted by aspect ratio, batched (same padded width within a batch),
   height 48; the output [N, T, C] is decoded greedily: argmax per step, repeats collapsed,
   blanks (index 0) dropped; class i (1..len(dict)) is dict[i-1], the last class is a space.
   The score is the mean probability of the kept steps. Lines under ``text_score`` are dropped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import cv2
import numpy as np

from workbench.inference.model import ModelError


class Runner(Protocol):  # LoadedModel satisfies it
    info: object

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]: ...


@dataclass
class OcrParams:
    # whole image (RapidOCR "Global")
    max_side_len: int = 2000
    min_side_len: int = 30
    min_height: int = 30
    width_height_ratio: float = 8.0  # wider than this (w/h) -> pad top/bottom; -1 disables
    text_score: float = 0.5
    # detection
    limit_side_len: int = 736
    limit_type: str = "min"  # "min": scale the short side up to it; "max": the long side down to it
    thresh: float = 0.3
    box_thresh: float = 0.5
    max_candidates: int = 1000
    unclip_ratio: float = 1.6
    use_dilation: bool = True
    min_size: int = 3
    # orientation
    cls_thresh: float = 0.9
    cls_labels: tuple[str, ...] = ("0", "180")
    cls_shape: tuple[int, int] = (48, 192)  # height, width
    cls_batch: int = 6
    # recognition
    rec_shape: tuple[int, int] = (48, 320)  # height, minimum padded width
    rec_batch: int = 6

    @classmethod
    def from_postprocess(cls, *dicts: dict) -> "OcrParams":
        """Defaults overridden by the sidecars' postprocess settings (unknown keys ignored)."""
        p = cls()
        for d in dicts:
            for k, v in (d or {}).items():
                if k.startswith("_") or not hasattr(p, k) or v is None:
                    continue
                cur = getattr(p, k)
                try:
                    setattr(p, k, tuple(v) if isinstance(cur, tuple) else type(cur)(v))
                except (TypeError, ValueError):
                    raise ModelError(f"postprocess.{k}: cannot use {v!r}") from None
        return p


class OcrLine(NamedTuple):
    quad: np.ndarray  # (4, 2) float32, clockwise from top-left, original image pixels
    text: str
    score: float


# ---------------------------------------------------------------- image helpers

def to_bgr3(image: np.ndarray) -> np.ndarray:
    img = np.asarray(image)
    if img.dtype != np.uint8:
        if np.issubdtype(img.dtype, np.floating) and img.size and float(img.max()) <= 1.0:
            img = img * 255.0
        img = np.clip(img, 0, 255).astype(np.uint8)
    if img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 1):
        return cv2.cvtColor(img.reshape(img.shape[:2]), cv2.COLOR_GRAY2BGR)
    if img.ndim == 3 and img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if img.ndim == 3 and img.shape[2] == 3:
        return img
    raise ModelError(f"OCR needs a gray or colour image, got an array of shape {tuple(img.shape)}")


def _resize_to_32(img: np.ndarray, ratio: float) -> np.ndarray | None:
    h, w = img.shape[:2]
    rh, rw = int(round(int(h * ratio) / 32) * 32), int(round(int(w * ratio) / 32) * 32)
    if rh <= 0 or rw <= 0:
        return None
    return cv2.resize(img, (rw, rh))


def normalize_image(image: np.ndarray, p: OcrParams) -> tuple[np.ndarray, float, float, int]:
    """Whole-image preparation: (image, ratio_h, ratio_w, top padding); original = (p - pad) * ratio."""
    img = image
    h, w = img.shape[:2]
    ratio_h = ratio_w = 1.0
    if max(h, w) > p.max_side_len:
        r = p.max_side_len / (h if h > w else w)
        img = _resize_to_32(img, r)
        if img is None:
            raise ModelError(f"image {w}x{h} is too small to read")
        ratio_h, ratio_w = h / img.shape[0], w / img.shape[1]
    h2, w2 = img.shape[:2]
    if min(h2, w2) < p.min_side_len:
        r = p.min_side_len / (h2 if h2 < w2 else w2)
        img = _resize_to_32(img, r)
        if img is None:
            raise ModelError(f"image {w}x{h} is too small to read")
        ratio_h, ratio_w = h2 / img.shape[0], w2 / img.shape[1]
    h3, w3 = img.shape[:2]
    pad = 0
    flat = p.width_height_ratio != -1 and w3 / h3 > p.width_height_ratio
    if h3 <= p.min_height or flat:
        new_h = max(int(w3 / p.width_height_ratio), p.min_height) * 2
        pad = int(abs(new_h - h3) / 2)
        img = cv2.copyMakeBorder(img, pad, pad, 0, 0, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    return img, ratio_h, ratio_w, pad


# ---------------------------------------------------------------- detection (DB)

def det_input(img: np.ndarray, p: OcrParams) -> np.ndarray | None:
    h, w = img.shape[:2]
    if p.limit_type == "max":
        ratio = p.limit_side_len / max(h, w) if max(h, w) > p.limit_side_len else 1.0
    else:
        ratio = p.limit_side_len / min(h, w) if min(h, w) < p.limit_side_len else 1.0
    resized = _resize_to_32(img, ratio)
    if resized is None:
        return None
    x = (resized.astype(np.float32) * np.float32(1 / 255.0) - np.float32(0.5)) / np.float32(0.5)
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def mini_box(contour: np.ndarray) -> tuple[np.ndarray, float]:
    """The minimum-area rectangle as 4 points (top-left, top-right, bottom-right, bottom-left) and its short side."""
    rect = cv2.minAreaRect(contour)
    pts = sorted(list(cv2.boxPoints(rect)), key=lambda x: x[0])
    i1, i4 = (0, 1) if pts[1][1] > pts[0][1] else (1, 0)
    i2, i3 = (2, 3) if pts[3][1] > pts[2][1] else (3, 2)
    return np.array([pts[i1], pts[i2], pts[i3], pts[i4]]), min(rect[1])


def box_score_fast(pred: np.ndarray, box: np.ndarray) -> float:
    h, w = pred.shape[:2]
    box = box.copy()
    xmin = np.clip(np.floor(box[:, 0].min()).astype(np.int32), 0, w - 1)
    xmax = np.clip(np.ceil(box[:, 0].max()).astype(np.int32), 0, w - 1)
    ymin = np.clip(np.floor(box[:, 1].min()).astype(np.int32), 0, h - 1)
    ymax = np.clip(np.ceil(box[:, 1].max()).astype(np.int32), 0, h - 1)
    mask = np.zeros((ymax - ymin + 1, xmax - xmin + 1), np.uint8)
    box[:, 0] -= xmin
    box[:, 1] -= ymin
    cv2.fillPoly(mask, box.reshape(1, -1, 2).astype(np.int32), 1)
    return cv2.mean(pred[ymin:ymax + 1, xmin:xmax + 1], mask)[0]


def _cround(v: float) -> float:
    return float(int(v - 0.5) if v < 0 else int(v + 0.5))  # Clipper's Round


def _offset_round(v: np.ndarray, delta: float, steps_per_rad: float, sin_s: float, cos_s: float) -> np.ndarray:
    """Clipper's closed-polygon offset with round joins (ClipperOffset::OffsetPoint/DoRound)."""
    n = len(v)
    nxt = np.roll(v, -1, axis=0)
    d = nxt - v
    lens = np.hypot(d[:, 0], d[:, 1])
    lens[lens == 0] = 1.0
    normals = np.stack([d[:, 1] / lens, -d[:, 0] / lens], axis=1)
    out: list[tuple[float, float]] = []
    k = n - 1
    for j in range(n):
        nk, nj = normals[k], normals[j]
        sin_a = nk[0] * nj[1] - nj[0] * nk[1]
        cos_a = nk[0] * nj[0] + nk[1] * nj[1]
        sx, sy = v[j]
        if abs(sin_a * delta) < 1.0 and cos_a > 0:
            out.append((_cround(sx + nk[0] * delta), _cround(sy + nk[1] * delta)))
        else:
            sin_a = max(-1.0, min(1.0, sin_a))
            if sin_a * delta < 0:
                out += [(_cround(sx + nk[0] * delta), _cround(sy + nk[1] * delta)), (sx, sy),
                        (_cround(sx + nj[0] * delta), _cround(sy + nj[1] * delta))]
            else:
                a = math.atan2(sin_a, cos_a)
                steps = max(int(_cround(steps_per_rad * abs(a))), 1)
                x, y = float(nk[0]), float(nk[1])
                for _ in range(steps):
                    out.append((_cround(sx + x * delta), _cround(sy + y * delta)))
                    x, y = x * cos_s - sin_s * y, x * sin_s + y * cos_s
                out.append((_cround(sx + nj[0] * delta), _cround(sy + nj[1] * delta)))
        k = j
    return np.array(out, np.float64)


def _area(p: np.ndarray) -> float:
    return 0.5 * float(np.dot(p[:, 0], np.roll(p[:, 1], -1)) - np.dot(p[:, 1], np.roll(p[:, 0], -1)))


def unclip(box: np.ndarray, ratio: float) -> np.ndarray:
    """Expand a polygon outwards by distance = area·ratio/perimeter, with round corners.

    Reproduces pyclipper's PyclipperOffset (JT_ROUND, ET_CLOSEDPOLYGON, arc tolerance 0.25)
    as RapidOCR uses it, without pyclipper: vertices truncated to integers, offset points
    rounded, so the minimum-area rectangle of the result is the same to the pixel."""
    pts = np.asarray(box, np.float64).reshape(-1, 2)
    perim = float(np.linalg.norm(pts - np.roll(pts, -1, axis=0), axis=1).sum())
    if perim <= 0:
        return pts.astype(np.float32)
    delta = abs(_area(pts)) * ratio / perim
    v = np.trunc(pts)
    if delta <= 0 or len(v) < 3:
        return v.astype(np.float32)
    steps = math.pi / math.acos(1 - 0.25 / delta) if delta > 0.25 else 1.0
    steps = min(steps, delta * math.pi)
    sin_s, cos_s = math.sin(2 * math.pi / steps), math.cos(2 * math.pi / steps)
    out = _offset_round(v, delta, steps / (2 * math.pi), sin_s, cos_s)
    if abs(_area(out)) < abs(_area(v)):  # went inwards: the other orientation
        out = _offset_round(v[::-1].copy(), delta, steps / (2 * math.pi), sin_s, cos_s)
    return out.astype(np.float32)


def db_boxes(pred: np.ndarray, dest_w: int, dest_h: int, p: OcrParams) -> tuple[np.ndarray, np.ndarray]:
    """Text boxes from a DB probability map [H, W] (or [N, 1, H, W]), in dest pixels: (K, 4, 2) int32 + scores."""
    pred = np.asarray(pred, np.float32)
    if pred.ndim == 4:
        pred = pred[0, 0]
    height, width = pred.shape
    bitmap = (pred > p.thresh).astype(np.uint8)
    if p.use_dilation:
        bitmap = cv2.dilate(bitmap, np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(bitmap * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    boxes, scores = [], []
    for contour in contours[:p.max_candidates]:
        points, sside = mini_box(contour)
        if sside < p.min_size:
            continue
        score = box_score_fast(pred, points.reshape(-1, 2))
        if p.box_thresh > score:
            continue
        box, sside = mini_box(unclip(points, p.unclip_ratio).reshape(-1, 1, 2))
        if sside < p.min_size + 2:
            continue
        box[:, 0] = np.clip(np.round(box[:, 0] / width * dest_w), 0, dest_w)
        box[:, 1] = np.clip(np.round(box[:, 1] / height * dest_h), 0, dest_h)
        boxes.append(box.astype(np.int32))
        scores.append(float(score))
    return np.array(boxes, np.int32).reshape(-1, 4, 2), np.array(scores, np.float32)


def order_clockwise(pts: np.ndarray) -> np.ndarray:
    xs = pts[np.argsort(pts[:, 0]), :]
    left, right = xs[:2], xs[2:]
    tl, bl = left[np.argsort(left[:, 1]), :]
    tr, br = right[np.argsort(right[:, 1]), :]
    return np.array([tl, tr, br, bl], np.float32)


def filter_boxes(boxes: np.ndarray, scores: np.ndarray, h: int, w: int) -> tuple[list[np.ndarray], list[float]]:
    out, sc = [], []
    for box, s in zip(boxes, scores):
        b = order_clockwise(box.astype(np.float32))
        b[:, 0] = np.trunc(np.clip(b[:, 0], 0, w - 1))
        b[:, 1] = np.trunc(np.clip(b[:, 1], 0, h - 1))
        if int(np.linalg.norm(b[0] - b[1])) <= 3 or int(np.linalg.norm(b[0] - b[3])) <= 3:
            continue
        out.append(b)
        sc.append(float(s))
    return out, sc


def reading_order(boxes: list[np.ndarray]) -> list[int]:
    """Indices top-to-bottom, then left-to-right for boxes whose tops are within 10 px."""
    idx = sorted(range(len(boxes)), key=lambda i: (boxes[i][0][1], boxes[i][0][0]))
    for i in range(len(idx) - 1):
        for j in range(i, -1, -1):
            a, b = boxes[idx[j]], boxes[idx[j + 1]]
            if abs(b[0][1] - a[0][1]) < 10 and b[0][0] < a[0][0]:
                idx[j], idx[j + 1] = idx[j + 1], idx[j]
            else:
                break
    return idx


def detect_text(img: np.ndarray, det: Runner, p: OcrParams) -> tuple[list[np.ndarray], list[float]]:
    """Quads (4, 2) float32 in ``img`` pixels, in reading order, with their detection scores."""
    x = det_input(img, p)
    if x is None:
        return [], []
    out = det.run({det.info.inputs[0].name: x})[0]
    if out.ndim != 4 or out.shape[1] != 1 or out.shape[0] != 1:
        raise ModelError(f"text detection: expected a probability map [1, 1, H, W], got {list(out.shape)}")
    h, w = img.shape[:2]
    boxes, scores = db_boxes(out, w, h, p)
    quads, scores = filter_boxes(boxes, scores, h, w)
    order = reading_order(quads)
    return [quads[i] for i in order], [scores[i] for i in order]


# ---------------------------------------------------------------- crops, orientation

def crop_quad(img: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The quadrilateral warped to an upright rectangle; turned 90° when it is much taller than wide."""
    pts = np.asarray(quad, np.float32)
    cw = int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3])))
    ch = int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2])))
    dst = np.array([[0, 0], [cw, 0], [cw, ch], [0, ch]], np.float32)
    m = cv2.getPerspectiveTransform(pts, dst)
    crop = cv2.warpPerspective(img, m, (cw, ch), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    if crop.shape[0] * 1.0 / crop.shape[1] >= 1.5:
        crop = np.rot90(crop)
    return crop


def _resize_pad(img: np.ndarray, height: int, width: int) -> np.ndarray:
    h, w = img.shape[:2]
    rw = min(width, int(math.ceil(height * (w / float(h)))))
    resized = cv2.resize(img, (rw, height)).astype(np.float32)
    resized = (resized.transpose(2, 0, 1) / 255 - 0.5) / 0.5
    out = np.zeros((3, height, width), np.float32)
    out[:, :, :rw] = resized
    return out


def orientation_probs(crops: list[np.ndarray], cls: Runner, p: OcrParams) -> np.ndarray:
    """[n, len(cls_labels)] class probabilities per crop (crops sorted by aspect ratio and batched)."""
    out = np.zeros((len(crops), len(p.cls_labels)), np.float32)
    if not crops:
        return out
    order = np.argsort(np.array([c.shape[1] / float(c.shape[0]) for c in crops]))
    name = cls.info.inputs[0].name
    for beg in range(0, len(crops), p.cls_batch):
        ids = order[beg:beg + p.cls_batch]
        batch = np.stack([_resize_pad(crops[i], p.cls_shape[0], p.cls_shape[1]) for i in ids])
        prob = cls.run({name: batch})[0]
        if prob.ndim != 2 or prob.shape[0] != len(ids) or prob.shape[1] != len(p.cls_labels):
            raise ModelError(f"orientation classifier: expected [{len(ids)}, {len(p.cls_labels)}] "
                             f"probabilities, got {list(prob.shape)}")
        out[ids] = prob
    return out


def classify_orientation(crops: list[np.ndarray], cls: Runner, p: OcrParams) -> list[tuple[str, float]]:
    """(label, score) per crop: '0' upright, '180' upside down."""
    probs = orientation_probs(crops, cls, p)
    return [(p.cls_labels[int(r.argmax())], float(r.max())) for r in probs]


def apply_orientation(crops: list[np.ndarray], labels: list[tuple[str, float]], p: OcrParams) -> list[np.ndarray]:
    return [cv2.rotate(c, cv2.ROTATE_180) if "180" in lab and s > p.cls_thresh else c
            for c, (lab, s) in zip(crops, labels)]


# ---------------------------------------------------------------- recognition (CTC)

def charset(rec: Runner) -> list[str]:
    """CTC classes: 'blank', the dictionary from the model's 'character' metadata, then ' '."""
    meta = getattr(rec.info, "metadata", {}) or {}
    if "character" not in meta:
        raise ModelError("recognition model has no 'character' metadata (the CTC dictionary)")
    return ["blank"] + meta["character"].splitlines() + [" "]


def ctc_decode(probs: np.ndarray, chars: list[str]) -> list[tuple[str, float]]:
    """Greedy CTC on [N, T, C] probabilities: argmax per step, repeats collapsed, blanks (0) dropped;
    score = mean probability of the kept steps (0 when none)."""
    probs = np.asarray(probs)
    if probs.ndim != 3 or probs.shape[2] != len(chars):
        raise ModelError(f"text recognition: expected [N, T, {len(chars)}] (dictionary + blank + space), "
                         f"got {list(probs.shape)}")
    idx = probs.argmax(axis=2)
    prob = probs.max(axis=2)
    out = []
    for b in range(idx.shape[0]):
        sel = np.ones(idx.shape[1], bool)
        sel[1:] = idx[b, 1:] != idx[b, :-1]
        sel &= idx[b] != 0
        conf = prob[b][sel]
        text = "".join(chars[i] for i in idx[b][sel])
        out.append((text, float(np.mean(conf)) if conf.size else 0.0))
    return out


def recognize(crops: list[np.ndarray], rec: Runner, p: OcrParams, chars: list[str] | None = None
              ) -> list[tuple[str, float]]:
    chars = chars or charset(rec)
    res: list[tuple[str, float]] = [("", 0.0)] * len(crops)
    if not crops:
        return res
    ratios = np.array([c.shape[1] / float(c.shape[0]) for c in crops])
    order = np.argsort(ratios)
    name = rec.info.inputs[0].name
    hgt, min_w = p.rec_shape
    for beg in range(0, len(crops), p.rec_batch):
        ids = order[beg:beg + p.rec_batch]
        max_ratio = max([min_w / hgt] + [float(ratios[i]) for i in ids])
        width = int(hgt * max_ratio)
        batch = np.stack([_resize_pad(crops[i], hgt, width) for i in ids])
        for k, r in zip(ids, ctc_decode(rec.run({name: batch})[0], chars)):
            res[k] = r
    return res


# ---------------------------------------------------------------- pipeline

def read_text(image: np.ndarray, det: Runner, cls: Runner | None, rec: Runner,
              params: OcrParams | None = None) -> list[OcrLine]:
    """Every text line of the image in reading order: (quad in original pixels, text, score)."""
    p = params or OcrParams()
    src = to_bgr3(image)
    raw_h, raw_w = src.shape[:2]
    img, ratio_h, ratio_w, pad = normalize_image(src, p)
    quads, _ = detect_text(img, det, p)
    if not quads:
        return []
    crops = [crop_quad(img, q) for q in quads]
    if cls is not None:
        crops = apply_orientation(crops, classify_orientation(crops, cls, p), p)
    texts = recognize(crops, rec, p)
    lines = []
    for q, (text, score) in zip(quads, texts):
        if score < p.text_score:
            continue
        o = q.astype(np.float32).copy()
        o[:, 1] -= pad
        o[:, 0] *= ratio_w
        o[:, 1] *= ratio_h
        o = np.maximum(o, 0)
        o[:, 0] = np.minimum(o[:, 0], raw_w)
        o[:, 1] = np.minimum(o[:, 1], raw_h)
        lines.append(OcrLine(o, text, float(score)))
    return lines


def orientation_of(image: np.ndarray, cls: Runner, params: OcrParams | None = None) -> tuple[str, float]:
    """The classifier's answer for one crop (the whole image): ('0' | '180', probability)."""
    return classify_orientation([to_bgr3(image)], cls, params or OcrParams())[0]
