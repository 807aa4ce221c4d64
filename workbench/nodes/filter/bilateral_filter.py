from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from workbench.nodes.filter._common import full_scale, to_dtype


@node("cv.bilateral_filter", name="Bilateral Filter", category="Filter")
def bilateral_filter(image: Image,
                     diameter: Annotated[int, Range(0, 50, 1),
                         Help("neighbourhood diameter in pixels; 0 = from sigma space")] = 9,
                     sigma_color: Annotated[float, Range(0.1, 255.0, 0.5),
                         Help("how different two intensities may be and still be averaged, in 8-bit levels (scaled for "
                              "16-bit and float)")] = 50.0,
                     sigma_space: Annotated[float, Range(0.1, 100.0, 0.5),
                         Help("spatial reach in pixels")] = 5.0) -> Image:
    """Edge-preserving smoothing: averages neighbours that are both near and similar in intensity.

    uint16 images are filtered in float and converted back; float32 is taken as 0..1.
    """
    scale = full_scale(image.dtype) / 255.0
    src = image if image.dtype in (np.uint8, np.float32) else image.astype(np.float32)
    if src.ndim == 3 and src.shape[2] == 4:
        src = np.ascontiguousarray(src[:, :, :3])
    out = cv2.bilateralFilter(src, int(diameter), float(sigma_color) * scale, float(sigma_space))
    return out if out.dtype == image.dtype else to_dtype(out, image.dtype)
