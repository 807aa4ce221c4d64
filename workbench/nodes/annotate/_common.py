"""Shared helpers of the Annotation family. Every drawing node returns an 8-bit BGR copy of its
input (16-bit images are shifted >> 8, float32 0..1 scaled; grey images become colour), and
when a Verdict is linked, draws in its OK or NG colour instead of the node's own colour."""

from __future__ import annotations

import string
from typing import Any

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Color
from workbench.core.templates import SPEC_RE
from workbench.core.types import MeasurementSet, VerdictResult, as_bgr, to_uint8

FONT = cv2.FONT_HERSHEY_SIMPLEX
OK_COLOR = Color(40, 200, 60)
NG_COLOR = Color(230, 40, 40)
PALETTE = [(60, 180, 255), (255, 160, 60), (120, 220, 120), (200, 120, 255), (80, 220, 220), (255, 100, 160),
           (180, 180, 60), (100, 140, 255)]


def canvas(image: np.ndarray) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim not in (2, 3):
        raise NodeInputError(f"expected an image to draw on, got {type(image).__name__}")
    return np.ascontiguousarray(as_bgr(to_uint8(image))).copy()


def pick_color(color: Color, verdict: VerdictResult | None, ok_color: Color, ng_color: Color) -> tuple[int, int, int]:
    if verdict is None:
        return color.bgr
    return (ok_color if verdict.ok else ng_color).bgr


def auto_scale(img: np.ndarray, font_scale: float) -> float:
    return font_scale if font_scale > 0 else max(0.4, min(img.shape[:2]) / 800)


def put_text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, color, thickness: int = 1,
             background: bool = False) -> int:
    """Text with its baseline-left at org (each line below the previous); returns the line height."""
    (tw, th), base = cv2.getTextSize("Ag", FONT, scale, thickness)
    step = th + base + 4
    x, y = org
    for line in text.split("\n"):
        if background:
            (lw, _), _ = cv2.getTextSize(line, FONT, scale, thickness)
            cv2.rectangle(img, (x - 2, y - th - 2), (x + lw + 2, y + base), (0, 0, 0), -1)
        cv2.putText(img, line, (x, y), FONT, scale, color, thickness, cv2.LINE_AA)
        y += step
    return step


def display(v: float) -> float | int:
    return int(v) if float(v).is_integer() and abs(v) < 2 ** 53 else float(v)


def fill_placeholders(text: str, measurements: MeasurementSet | None, extra: dict[str, Any]) -> str:
    """str.format_map over a plain dict of measurement values (never attribute or index access);
    a missing name raises NodeInputError listing the available ones."""
    values: dict[str, Any] = dict(extra)
    if measurements is not None:
        values.update({k: display(v) for k, v in measurements.values.items()})
        values.update({f"{k}_unit": u for k, u in measurements.units.items()})
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise NodeInputError(f"text {text!r}: {exc} (write {{{{ and }}}} for literal braces)") from None
    for _, name, spec, _ in fields:
        if name is None:
            continue
        if not name or not name.replace("_", "a").isalnum():
            raise NodeInputError(f"placeholder {{{name}}}: use a plain measurement name, e.g. {{count}}")
        if spec and "{" in spec:
            raise NodeInputError(f"placeholder {{{name}:{spec}}}: nested placeholders are not supported")
        if spec and not SPEC_RE.fullmatch(spec):  # no {count:>400000000}: bounded widths only
            raise NodeInputError(f"placeholder {{{name}:{spec}}}: format {spec!r} is not allowed "
                                 f"(e.g. {{{name}:.2f}}, width at most 99)")
        if name not in values:
            have = ", ".join(sorted(values)) or "none"
            raise NodeInputError(f"placeholder {{{name}}} has no value (available: {have})")
    try:
        return text.format_map(values)
    except (ValueError, TypeError) as exc:
        raise NodeInputError(f"text {text!r}: {exc}") from None
