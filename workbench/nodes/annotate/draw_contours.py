from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Color, Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Regions, Verdict
from workbench.nodes.annotate._common import NG_COLOR, OK_COLOR, auto_scale, canvas, pick_color, put_text


@node("cv.draw_contours", name="Draw Contours", category="Annotation")
def draw_contours(image: Image, regions: Regions, verdict: Verdict | None = None,
                  color: Color = Color(255, 200, 0), ok_color: Color = OK_COLOR, ng_color: Color = NG_COLOR,
                  thickness: Annotated[int, Range(1, 20, 1)] = 2,
                  fill: Annotated[float, Range(0, 1, 0.05), Help("opacity of the filled interior, 0 = none")] = 0.0,
                  show_index: Annotated[bool, Help("number each region at its centroid")] = False,
                  font_scale: Annotated[float, Range(0, 10, 0.1), Help("0: from the image size")] = 0.0) -> Image:
    """Draws region outlines (optionally filled, optionally numbered) onto a colour copy of the image."""
    out = canvas(image)
    c = pick_color(color, verdict, ok_color, ng_color)
    contours = [np.asarray(k, np.int32).reshape(-1, 1, 2) for k in regions.contours]
    if fill > 0 and contours:
        layer = out.copy()
        cv2.drawContours(layer, contours, -1, c, -1, cv2.LINE_AA)
        out = cv2.addWeighted(layer, fill, out, 1 - fill, 0)
    cv2.drawContours(out, contours, -1, c, thickness, cv2.LINE_AA)
    if show_index:
        scale = auto_scale(out, font_scale)
        for i, k in enumerate(contours):
            st = regions.stats[i] if i < len(regions.stats) else {}
            p = k.reshape(-1, 2)
            x, y = st.get("cx", p[:, 0].mean()), st.get("cy", p[:, 1].mean())
            put_text(out, str(i + 1), (int(x) - 5, int(y) + 5), scale, c, 1, background=True)
    return out
