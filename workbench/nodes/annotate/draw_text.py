from typing import Annotated

from workbench.core.params import Color, Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Measurements, Verdict
from workbench.nodes.annotate._common import (NG_COLOR, OK_COLOR, auto_scale, canvas, fill_placeholders,
                                              pick_color, put_text)


@node("cv.draw_text", name="Draw Text", category="Annotation")
def draw_text(image: Image, measurements: Measurements | None = None, verdict: Verdict | None = None,
              text: Annotated[str, Help("{name} is replaced by a measurement, {name:.2f} formats it, "
                                        "{name_unit} is its unit; {verdict} and {reasons} come from the "
                                        "verdict; \\n starts a new line")] = "Result: {verdict}",
              x: Annotated[int, Range(0, 100_000, 1)] = 8,
              y: Annotated[int, Range(0, 100_000, 1), Help("baseline of the first line")] = 24,
              color: Color = Color(255, 255, 255), ok_color: Color = OK_COLOR, ng_color: Color = NG_COLOR,
              font_scale: Annotated[float, Range(0, 10, 0.1), Help("0: from the image size")] = 0.0,
              thickness: Annotated[int, Range(1, 10, 1)] = 1,
              background: Annotated[bool, Help("dark box behind the text")] = True) -> Image:
    """Writes a text with measurement placeholders (e.g. "count = {count}") onto a colour copy of the image.

    Placeholders are filled from a plain dictionary (no code, no attribute access); a name that is
    not there is an error listing the available names."""
    extra = {"verdict": verdict.label if verdict is not None else "-",
             "reasons": "; ".join(verdict.reasons) if verdict is not None else ""}
    body = fill_placeholders(text.replace("\\n", "\n"), measurements, extra)
    out = canvas(image)
    c = pick_color(color, verdict, ok_color, ng_color)
    put_text(out, body, (x, y), auto_scale(out, font_scale), c, thickness, background)
    return out
