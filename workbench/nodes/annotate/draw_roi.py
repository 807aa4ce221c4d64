from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Color, Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import Image, Verdict
from workbench.nodes.annotate._common import NG_COLOR, OK_COLOR, auto_scale, canvas, pick_color, put_text


@node("cv.draw_roi", name="Draw ROI", category="Annotation")
def draw_roi(image: Image, verdict: Verdict | None = None, roi: Roi | None = None,
             label: Annotated[str, Help("text written at the ROI's top-left corner")] = "",
             color: Color = Color(255, 200, 0), ok_color: Color = OK_COLOR, ng_color: Color = NG_COLOR,
             thickness: Annotated[int, Range(1, 20, 1)] = 2,
             font_scale: Annotated[float, Range(0, 10, 0.1), Help("0: from the image size")] = 0.0) -> Image:
    """Outlines a region of interest (rectangle, rotated rectangle, circle, annulus or polygon) on a colour copy of the image.

    Without an ROI the whole image is outlined. Use the same ROI as the inspection node to show
    where it looked."""
    out = canvas(image)
    c = pick_color(color, verdict, ok_color, ng_color)
    h, w = out.shape[:2]
    pts = roi.points() if roi is not None else np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    if roi is not None and roi.shape in ("circle", "annulus"):
        cx, cy, *radii = roi.values
        for r in radii:  # an annulus: both of its circles
            if r > 0:
                cv2.circle(out, (int(round(cx)), int(round(cy))), int(round(r)), c, thickness, cv2.LINE_AA)
    else:
        cv2.polylines(out, [np.round(pts).astype(np.int32).reshape(-1, 1, 2)], True, c, thickness, cv2.LINE_AA)
    if label:
        scale = auto_scale(out, font_scale)
        x, y = int(pts[:, 0].min()), int(pts[:, 1].min())
        put_text(out, label, (max(0, x), max(int(16 * scale), y - 4)), scale, c, 1, background=True)
    return out
