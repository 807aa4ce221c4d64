from typing import Annotated

import cv2

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

MAX_PIXELS = 400_000_000


@node("cv.pyramid_up", name="Pyramid Up", category="Geometry")
def pyramid_up(image: Image,
               levels: Annotated[int, Range(1, 6, 1), Help("each level doubles width and height")] = 1) -> Image:
    """Doubles the image size `levels` times, Gaussian-interpolating the new pixels."""
    h, w = image.shape[:2]
    if h * w * 4 ** levels > MAX_PIXELS:
        raise NodeInputError(f"{w}x{h} doubled {levels} times would exceed {MAX_PIXELS:,} pixels")
    out = image
    for _ in range(levels):
        out = cv2.pyrUp(out)
    return out
