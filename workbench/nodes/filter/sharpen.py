from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from workbench.nodes.filter._common import full_scale, to_dtype


@node("cv.sharpen", name="Sharpen", category="Filter")
def sharpen(image: Image,
            sigma: Annotated[float, Range(0.1, 50.0, 0.1),
                Help("blur radius (pixels) that defines the detail being boosted")] = 2.0,
            amount: Annotated[float, Range(0.0, 10.0, 0.1),
                Help("how much of the detail is added back: 1 = doubled")] = 1.0,
            threshold: Annotated[float, Range(0.0, 255.0, 1.0),
                Help("details smaller than this (8-bit levels, scaled for 16-bit/float) are left alone, "
                     "so noise is not boosted")] = 0.0) -> Image:
    """Unsharp mask: adds amount x (image - Gaussian blur) to the image, where the detail exceeds a threshold.

    Keeps the dtype; integer results are clipped to their range.
    """
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    src = image.astype(np.float32)
    detail = src - cv2.GaussianBlur(src, (0, 0), float(sigma))
    if threshold > 0:
        detail[np.abs(detail) < threshold * full_scale(image.dtype) / 255.0] = 0
    return to_dtype(src + np.float32(amount) * detail, image.dtype)
