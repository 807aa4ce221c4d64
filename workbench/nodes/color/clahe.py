from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from workbench.nodes.color._common import apply_on_luminance


@node("cv.clahe", name="CLAHE", category="Color")
def clahe(image: Image,
          clip_limit: Annotated[float, Range(0.1, 100.0, 0.1),
              Help("contrast limit per tile; higher = stronger, noisier")] = 2.0,
          tiles: Annotated[int, Range(1, 64, 1), Help("the image is split into tiles x tiles regions")] = 8) -> Image:
    """Contrast-limited adaptive histogram equalization: evens out local contrast region by region.

    Colour images are equalized on the Lab lightness only, so hues are kept; uint16 and float32
    work at 16-bit precision (the clip limit means the same as for 8-bit) and keep their dtype.
    """
    def run(lum: np.ndarray) -> np.ndarray:
        limit = float(clip_limit)
        if lum.dtype == np.uint16:
            # OpenCV's limit is relative to the mean count of all 65536 bins; real 16-bit data uses
            # far fewer levels, so rescale to the levels actually used (same meaning as 8-bit).
            used = max(1, int(np.count_nonzero(np.bincount(lum.ravel(), minlength=65536))))
            limit *= 65536.0 / used
        return cv2.createCLAHE(clipLimit=limit, tileGridSize=(int(tiles), int(tiles))).apply(lum)

    return apply_on_luminance(image, run)
