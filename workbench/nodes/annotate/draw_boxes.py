from typing import Annotated

import cv2

from workbench.core.params import Color, Help, Range
from workbench.core.spec import node
from workbench.core.types import Detections, Image, Verdict
from workbench.nodes.annotate._common import (NG_COLOR, OK_COLOR, PALETTE, auto_scale, canvas, pick_color,
                                              put_text)


@node("cv.draw_boxes", name="Draw Boxes", category="Annotation")
def draw_boxes(image: Image, detections: Detections, verdict: Verdict | None = None,
               color: Color = Color(255, 200, 0),
               color_by_class: Annotated[bool, Help("one colour per class (when no verdict is linked)")] = True,
               ok_color: Color = OK_COLOR, ng_color: Color = NG_COLOR,
               thickness: Annotated[int, Range(1, 20, 1)] = 2,
               show_labels: bool = True, show_scores: bool = True,
               font_scale: Annotated[float, Range(0, 10, 0.1), Help("0: from the image size")] = 0.0) -> Image:
    """Draws detection boxes with their labels and scores onto a colour copy of the image."""
    out = canvas(image)
    scale = auto_scale(out, font_scale)
    for j in range(len(detections)):
        x1, y1, x2, y2 = (int(round(float(v))) for v in detections.boxes[j])
        cid = int(detections.class_ids[j]) if j < len(detections.class_ids) else 0
        c = pick_color(color, verdict, ok_color, ng_color)
        if verdict is None and color_by_class:
            c = PALETTE[cid % len(PALETTE)]
        cv2.rectangle(out, (x1, y1), (x2, y2), c, thickness, cv2.LINE_AA)
        parts = []
        if show_labels:
            parts.append(detections.labels[cid] if 0 <= cid < len(detections.labels) else str(cid))
        if show_scores and j < len(detections.scores):
            parts.append(f"{float(detections.scores[j]):.2f}")
        if parts:
            put_text(out, " ".join(parts), (x1, max(int(14 * scale), y1 - 4)), scale, c, 1, background=True)
    return out
