from typing import Annotated

import cv2

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from ._common import Border, fill

Px = Annotated[int, Range(0, 100000, 1)]


@node("cv.pad", name="Pad", category="Geometry")
def pad(image: Image, top: Px = 8, bottom: Px = 8, left: Px = 8, right: Px = 8,
        border: Border = Border.CONSTANT,
        value: Annotated[float, Range(-1e9, 1e9, 1), Help("constant border: value on every channel")] = 0.0) -> Image:
    """Adds a border of the given widths: a constant value, replicated edge pixels, a mirror or a wrap."""
    return cv2.copyMakeBorder(image, top, bottom, left, right, border.value, value=fill(image, value))
