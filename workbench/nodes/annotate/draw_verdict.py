import enum
from typing import Annotated

import cv2

from workbench.core.params import Color, Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Verdict
from workbench.nodes.annotate._common import NG_COLOR, OK_COLOR, auto_scale, canvas, put_text


class Corner(enum.Enum):
    TOP_LEFT = "top left"
    TOP_RIGHT = "top right"
    BOTTOM_LEFT = "bottom left"
    BOTTOM_RIGHT = "bottom right"


@node("cv.draw_verdict", name="Draw Verdict", category="Annotation")
def draw_verdict(image: Image, verdict: Verdict,
                 ok_color: Color = OK_COLOR, ng_color: Color = NG_COLOR,
                 corner: Corner = Corner.TOP_LEFT,
                 border_width: Annotated[int, Range(0, 100, 1), Help("coloured frame round the image (px), 0 = none")] = 4,
                 show_reasons: bool = True,
                 font_scale: Annotated[float, Range(0, 10, 0.1), Help("0: from the image size")] = 0.0) -> Image:
    """Stamps OK or NG (with the reasons of an NG) in the verdict's colour, with a coloured frame round the image."""
    out = canvas(image)
    c = (ok_color if verdict.ok else ng_color).bgr
    h, w = out.shape[:2]
    if border_width > 0:
        cv2.rectangle(out, (0, 0), (w - 1, h - 1), c, border_width)
    scale = auto_scale(out, font_scale)
    big = scale * 2
    lines = [verdict.label] + (list(verdict.reasons) if show_reasons and not verdict.ok else [])
    sizes = [cv2.getTextSize(t, cv2.FONT_HERSHEY_SIMPLEX, big if i == 0 else scale, 2 if i == 0 else 1)[0]
             for i, t in enumerate(lines)]
    block_w = max(s[0] for s in sizes)
    block_h = sum(s[1] + 10 for s in sizes)
    pad = border_width + 8
    x = pad if corner in (Corner.TOP_LEFT, Corner.BOTTOM_LEFT) else max(pad, w - pad - block_w)
    y = pad if corner in (Corner.TOP_LEFT, Corner.TOP_RIGHT) else max(pad, h - pad - block_h)
    for i, (t, (tw, th)) in enumerate(zip(lines, sizes)):
        y += th
        put_text(out, t, (x, y), big if i == 0 else scale, c, 2 if i == 0 else 1, background=True)
        y += 10
    return out
