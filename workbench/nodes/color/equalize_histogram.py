import cv2
import numpy as np

from workbench.core.spec import node
from workbench.core.types import Image

from workbench.nodes.color._common import apply_on_luminance


def _equalize(gray: np.ndarray) -> np.ndarray:
    if gray.dtype == np.uint8:
        return cv2.equalizeHist(gray)
    hist = np.bincount(gray.ravel(), minlength=65536)  # uint16
    cdf = np.cumsum(hist).astype(np.float64)
    first = cdf[np.nonzero(hist)[0][0]]
    span = cdf[-1] - first
    if span <= 0:
        return gray.copy()
    lut = np.clip(np.round((cdf - first) / span * 65535.0), 0, 65535).astype(np.uint16)
    return lut[gray]


@node("cv.equalize_histogram", name="Equalize Histogram", category="Color")
def equalize_histogram(image: Image) -> Image:
    """Spreads intensities so that the histogram is flat over the whole range (global contrast boost).

    Colour images are equalized on the Lab lightness only (hues kept); uint16 and float32 images
    are equalized at 16-bit precision and keep their dtype.
    """
    return apply_on_luminance(image, _equalize)
