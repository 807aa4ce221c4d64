from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Color, Range
from workbench.core.spec import node
from workbench.core.types import (Detections, Image, Measurements, Regions, Verdict, as_bgr, to_uint8)


@node("cv.draw_overlay", name="Draw Overlay", category="Annotation")
def draw_overlay(image: Image, regions: Regions | None = None, detections: Detections | None = None,
                 measurements: Measurements | None = None, verdict: Verdict | None = None,
                 ok_color: Color = Color(40, 200, 60), ng_color: Color = Color(230, 40, 40),
                 thickness: Annotated[int, Range(1, 20, 1)] = 2, show_labels: bool = True) -> Image:
    """Draws regions, detections, measurements and the OK/NG verdict onto a colour copy of the image."""
    out = as_bgr(to_uint8(image)).copy()
    color = (ng_color if verdict is not None and not verdict.ok else ok_color).bgr
    scale = max(0.4, min(out.shape[:2]) / 800)
    font = cv2.FONT_HERSHEY_SIMPLEX
    if regions is not None and len(regions):
        cv2.drawContours(out, regions.contours, -1, color, thickness, cv2.LINE_AA)
        if show_labels:
            for i, st in enumerate(regions.stats, 1):
                cv2.putText(out, str(i), (int(st["cx"]) - 6, int(st["cy"]) + 5), font, scale, color, 1, cv2.LINE_AA)
    if detections is not None:
        for j in range(len(detections)):
            x1, y1, x2, y2 = (int(round(v)) for v in detections.boxes[j])
            cv2.rectangle(out, (x1, y1), (x2, y2), color, thickness, cv2.LINE_AA)
            if show_labels:
                cid = int(detections.class_ids[j])
                lab = detections.labels[cid] if cid < len(detections.labels) else str(cid)
                cv2.putText(out, f"{lab} {detections.scores[j]:.2f}", (x1, max(12, y1 - 4)), font, scale,
                            color, 1, cv2.LINE_AA)
    y = int(28 * scale) + 6
    if verdict is not None:
        cv2.putText(out, verdict.label, (8, y + int(10 * scale)), font, scale * 1.6, color, 2 + thickness // 2,
                    cv2.LINE_AA)
        y += int(44 * scale)
    if measurements is not None and show_labels:
        for k, v in list(measurements.values.items())[:8]:
            text = f"{k}: {v:g} {measurements.units.get(k, '')}".rstrip()
            cv2.putText(out, text, (8, y), font, scale, (255, 255, 255), 1, cv2.LINE_AA)
            y += int(24 * scale) + 4
    return np.ascontiguousarray(out)
