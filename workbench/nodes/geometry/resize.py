import enum
from typing import Annotated

import cv2

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from ._common import Interpolation


class SizeMode(enum.Enum):
    SCALE = "scale factor"
    SIZE = "width / height"


@node("cv.resize", name="Resize", category="Geometry")
def resize(image: Image, mode: SizeMode = SizeMode.SCALE,
           scale: Annotated[float, Range(0.01, 100.0, 0.01), Help("scale mode: factor for both axes")] = 0.5,
           width: Annotated[int, Range(0, 100000, 1),
                            Help("size mode: pixels; 0 = from height, keeping the aspect")] = 0,
           height: Annotated[int, Range(0, 100000, 1),
                             Help("size mode: pixels; 0 = from width, keeping the aspect")] = 0,
           interpolation: Interpolation = Interpolation.AREA) -> Image:
    """Scales the image by a factor or to a width/height (one of them 0 keeps the aspect ratio).

    AREA is best for shrinking, CUBIC or LANCZOS for enlarging. Works on uint8, uint16 and float32.
    """
    h, w = image.shape[:2]
    if mode is SizeMode.SCALE:
        nw, nh = round(w * scale), round(h * scale)
    else:
        if width == 0 and height == 0:
            raise ParamError("size mode needs a width or a height (both are 0)")
        nw = width or round(w * height / h)
        nh = height or round(h * width / w)
    if nw < 1 or nh < 1:
        raise ParamError(f"the result would be empty ({nw}x{nh}) for a {w}x{h} image")
    return cv2.resize(image, (nw, nh), interpolation=interpolation.value)
