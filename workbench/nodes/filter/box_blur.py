from typing import Annotated

import cv2

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from workbench.nodes.filter._common import Border


@node("cv.box_blur", name="Box Blur", category="Filter")
def box_blur(image: Image,
             width: Annotated[int, Range(1, 501, 1), Help("kernel width in pixels")] = 5,
             height: Annotated[int, Range(1, 501, 1), Help("kernel height in pixels")] = 5,
             border: Border = Border.REFLECT) -> Image:
    """Averages each pixel with its width x height neighbourhood (mean filter); any dtype, per channel."""
    return cv2.blur(image, (int(width), int(height)), borderType=border.value)
