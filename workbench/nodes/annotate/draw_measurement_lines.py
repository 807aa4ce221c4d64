import enum
from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Color, Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Measurements, Regions, Verdict
from workbench.nodes.annotate._common import (NG_COLOR, OK_COLOR, auto_scale, canvas, display, pick_color,
                                              put_text)


class Connect(enum.Enum):
    PAIRS = "1-2, 3-4, ... (caliper pairs)"
    CHAIN = "1-2-3-... in order"
    NONE = "marks only"


def _label(m, name: str, i: int) -> str | None:
    if m is None or not name:
        return None
    for key in (f"{name}_{i}", name):
        if key in m.values:
            unit = m.units.get(key, "")
            return f"{display(round(m.values[key], 2))}{(' ' + unit) if unit else ''}"
    return None


@node("cv.draw_measurement_lines", name="Draw Measurement Lines", category="Annotation")
def draw_measurement_lines(image: Image, points: Regions, measurements: Measurements | None = None,
                           verdict: Verdict | None = None,
                           connect: Connect = Connect.PAIRS,
                           label: Annotated[str, Help("measurement shown on connection i: <label>_<i> if it "
                                                      "exists, else <label>; empty: none")] = "width",
                           color: Color = Color(0, 220, 255), ok_color: Color = OK_COLOR, ng_color: Color = NG_COLOR,
                           thickness: Annotated[int, Range(1, 20, 1)] = 1,
                           font_scale: Annotated[float, Range(0, 10, 0.1), Help("0: from the image size")] = 0.0,
                           ) -> Image:
    """Draws measured points (e.g. caliper edges) with dimension lines between them and their values.

    Each region is drawn as its own mark (edge segment or cross at its centroid cx, cy); connections
    join the centroids and are labelled from the linked Measurements (width_0, width_1, ...)."""
    out = canvas(image)
    c = pick_color(color, verdict, ok_color, ng_color)
    scale = auto_scale(out, font_scale)
    centres = []
    for i, k in enumerate(points.contours):
        st = points.stats[i] if i < len(points.stats) else {}
        p = np.asarray(k, np.float64).reshape(-1, 2)
        x, y = st.get("cx", p[:, 0].mean()), st.get("cy", p[:, 1].mean())
        centres.append((int(round(x)), int(round(y))))
        if len(p) >= 2:
            cv2.polylines(out, [np.round(p).astype(np.int32).reshape(-1, 1, 2)], False, c, thickness + 1, cv2.LINE_AA)
        cv2.drawMarker(out, centres[-1], c, cv2.MARKER_CROSS, max(6, int(10 * scale)), thickness, cv2.LINE_AA)
    if connect is Connect.PAIRS:
        links = [(centres[i], centres[i + 1]) for i in range(0, len(centres) - 1, 2)]
    elif connect is Connect.CHAIN:
        links = list(zip(centres, centres[1:]))
    else:
        links = []
    for i, (a, b) in enumerate(links):
        cv2.line(out, a, b, c, thickness, cv2.LINE_AA)  # a dimension line: no tip (OpenCV 5.1 refuses tipLength=0)
        text = _label(measurements, label, i)
        if text:
            mid = ((a[0] + b[0]) // 2, (a[1] + b[1]) // 2 - 6)
            put_text(out, text, mid, scale, c, 1, background=True)
    return out
