from typing import Annotated

import cv2
import numpy as np

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, as_bgr


def _gray16(img: np.ndarray, h: float, tw: int, sw: int) -> np.ndarray:
    return cv2.fastNlMeansDenoising(img, [h * 257.0], None, tw, sw, cv2.NORM_L1)


@node("cv.denoise", name="Denoise", category="Filter")
def denoise(image: Image,
            strength: Annotated[float, Range(0.0, 100.0, 0.5),
                Help("filter strength h in 8-bit levels: higher removes more noise and more detail")] = 10.0,
            color_strength: Annotated[float, Range(0.0, 100.0, 0.5),
                Help("colour images: strength for the colour (chroma) components")] = 10.0,
            template_size: Annotated[int, Range(3, 21, 2), Help("odd patch size compared between pixels")] = 7,
            search_size: Annotated[int, Range(3, 51, 2),
                Help("odd window searched for similar patches (larger = slower)")] = 21) -> Image:
    """Non-local means denoising: averages pixels whose surrounding patches look alike (keeps edges and texture).

    Gray and colour uint8 use OpenCV's fastNlMeans (colour works on luminance and chroma);
    uint16 is denoised at 16-bit precision (colour: on B, G, R with one strength); float32 is taken as 0..1.
    """
    tw, sw = int(template_size) | 1, int(search_size) | 1
    if strength <= 0 and (color_strength <= 0 or image.ndim == 2):
        return image
    work = image[:, :, 0] if image.ndim == 3 and image.shape[2] == 1 else image
    if work.ndim == 3:
        work = as_bgr(work)
    if work.dtype == np.uint8:
        if work.ndim == 2:
            return cv2.fastNlMeansDenoising(work, None, float(strength), tw, sw)
        return cv2.fastNlMeansDenoisingColored(work, None, float(strength), float(color_strength), tw, sw)
    is_float = work.dtype == np.float32
    u16 = np.clip(work * 65535.0 + 0.5, 0, 65535).astype(np.uint16) if is_float else work
    out = _gray16(u16, strength, tw, sw)
    return out.astype(np.float32) / np.float32(65535.0) if is_float else out
