from typing import Annotated

import cv2

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image


@node("cv.pyramid_down", name="Pyramid Down", category="Geometry")
def pyramid_down(image: Image,
                 levels: Annotated[int, Range(1, 10, 1), Help("each level halves width and height")] = 1) -> Image:
    """Gaussian-smooths and halves the image `levels` times (sizes round up: 65 → 33)."""
    out = image
    for i in range(levels):
        h, w = out.shape[:2]
        if h < 2 or w < 2:
            raise NodeInputError(f"the image is {w}x{h} after {i} level(s): too small to halve again")
        out = cv2.pyrDown(out)
    return out
