import enum
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import Detections, Image, Measurements, MeasurementSet
from workbench.nodes.matching._common import check_image, detections, float01, gray


class MatchMethod(enum.Enum):
    CCOEFF_NORMED = cv2.TM_CCOEFF_NORMED
    CCORR_NORMED = cv2.TM_CCORR_NORMED
    SQDIFF_NORMED = cv2.TM_SQDIFF_NORMED


class TemplateOut(NamedTuple):
    detections: Detections
    measurements: Measurements


def _iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of box a against boxes b (x1, y1, x2, y2)."""
    w = np.clip(np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0]), 0, None)
    h = np.clip(np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1]), 0, None)
    inter = w * h
    area = (a[2] - a[0]) * (a[3] - a[1])
    return inter / (area + (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1]) - inter)


def _subpixel(res: np.ndarray, y: int, x: int) -> tuple[float, float]:
    """Parabola vertex through the peak and its neighbours, per axis."""
    def off(m, c, p):
        d = m - 2 * c + p
        return float(np.clip(0.5 * (m - p) / d, -0.5, 0.5)) if d < 0 else 0.0
    dx = off(res[y, x - 1], res[y, x], res[y, x + 1]) if 0 < x < res.shape[1] - 1 else 0.0
    dy = off(res[y - 1, x], res[y, x], res[y + 1, x]) if 0 < y < res.shape[0] - 1 else 0.0
    return x + dx, y + dy


@node("cv.template_match", name="Template Match", category="Matching")
def template_match(image: Image, template: Image, method: MatchMethod = MatchMethod.CCOEFF_NORMED,
                   min_score: Annotated[float, Range(0, 1, 0.01), Help("1 = perfect match")] = 0.8,
                   max_matches: Annotated[int, Range(1, 10000, 1)] = 10,
                   nms_overlap: Annotated[float, Range(0, 1, 0.05),
                                          Help("matches overlapping a better one by more than this "
                                               "(intersection over union) are dropped")] = 0.3,
                   roi: Roi | None = None) -> TemplateOut:
    """Finds every place where the template appears (normalised cross-correlation), best first,
    with non-maximum suppression.

    Colour is matched in colour only when both inputs are colour, otherwise in gray; bit depths are
    brought to a common 0..1 scale. The search covers the ROI's bounding box. Measurements: count,
    and best_score, best_x, best_y (top-left, sub-pixel), best_cx, best_cy of the highest peak
    (reported even when it is below min score). Scores of SQDIFF_NORMED are 1 - difference.
    """
    check_image(image, "image")
    check_image(template, "template")
    colour = image.ndim == 3 and template.ndim == 3 and image.shape[2] >= 3 and template.shape[2] >= 3
    img = float01(image[:, :, :3] if colour else gray(image))
    tpl = float01(template[:, :, :3] if colour else gray(template))
    x0, y0 = 0, 0
    if roi is not None:
        x0, y0, w, h = roi.bounds(image.shape)
        img = img[y0:y0 + h, x0:x0 + w]
    th, tw = tpl.shape[:2]
    if img.shape[0] < th or img.shape[1] < tw:
        where = "the ROI" if roi is not None else "the image"
        raise NodeInputError(f"template ({tw}x{th}) is larger than {where} ({img.shape[1]}x{img.shape[0]})")
    res = cv2.matchTemplate(np.ascontiguousarray(img), np.ascontiguousarray(tpl), method.value)
    if method is MatchMethod.SQDIFF_NORMED:
        res = 1.0 - res
    res = np.nan_to_num(res, nan=0.0, posinf=0.0, neginf=0.0)  # flat windows
    peak = cv2.dilate(res, np.ones((3, 3), np.uint8))
    ys, xs = np.nonzero((res >= peak) & (res >= min_score))
    order = np.argsort(-res[ys, xs])[: max(1000, 20 * max_matches)]
    kept: list[tuple[float, float, float]] = []
    boxes = np.zeros((0, 4), np.float64)
    for k in order:
        y, x = int(ys[k]), int(xs[k])
        box = np.array([x, y, x + tw, y + th], np.float64)
        if len(boxes) and _iou(box, boxes).max() > nms_overlap:
            continue
        sx, sy = _subpixel(res, y, x)
        kept.append((sx + x0, sy + y0, float(res[y, x])))
        boxes = np.vstack([boxes, box])
        if len(kept) >= max_matches:
            break
    det = detections([[x, y, x + tw, y + th] for x, y, _ in kept], [s for *_, s in kept], ["match"] * len(kept))
    m = MeasurementSet().add("count", len(kept))
    by, bx = np.unravel_index(int(np.argmax(res)), res.shape)
    bxs, bys = _subpixel(res, int(by), int(bx))
    m.add("best_score", float(res[by, bx])).add("best_x", bxs + x0, "px").add("best_y", bys + y0, "px")
    m.add("best_cx", bxs + x0 + (tw - 1) / 2, "px").add("best_cy", bys + y0 + (th - 1) / 2, "px")
    return TemplateOut(det, m)
