from typing import Annotated

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from workbench.core.errors import ParamError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

# Above this window size, 16-bit medians split each value into bytes (256 x cv2's fast 8-bit median)
# instead of selecting among the size*size window values of every pixel.
_SPLIT_ABOVE = 25
_CHUNK_VALUES = 1 << 24  # window values selected at once (memory: a few tens of MB)


@node("cv.median_blur", name="Median Blur", category="Filter")
def median_blur(image: Image, size: Annotated[int, Range(1, 255, 2),
    Help("odd window size in pixels; 1 passes through")] = 5) -> Image:
    """Replaces each pixel by the median of its size x size neighbourhood: removes salt-and-pepper noise, keeps edges.

    Works on uint8, uint16 and float32, gray or colour (per channel); sizes above 5 on
    uint16/float32 use a slower exact median.
    """
    if size % 2 == 0:
        raise ParamError(f"size must be odd, got {size}")
    if size == 1:
        return image
    if image.dtype == np.uint8 or size <= 5:
        return cv2.medianBlur(image, size)
    return exact_median(image, size)


def exact_median(image: np.ndarray, size: int) -> np.ndarray:
    """The exact median of every size x size window (odd size), per channel; outside the image the rows and
    columns are mirrored without repeating the edge (cv2.BORDER_REFLECT_101, scipy.ndimage's "mirror")."""
    if image.ndim == 3:
        return np.dstack([exact_median(np.ascontiguousarray(image[:, :, c]), size) for c in range(image.shape[2])])
    if size > _SPLIT_ABOVE:
        if image.dtype == np.uint16:
            return _median_by_bytes(image, size)
        values, ranks = np.unique(image, return_inverse=True)  # the median commutes with any increasing map
        if values.size <= 65536:
            return values[_median_by_bytes(ranks.reshape(image.shape).astype(np.uint16), size)]
    return _median_by_selection(image, size)


def _pad(image: np.ndarray, r: int) -> np.ndarray:
    return cv2.copyMakeBorder(image, r, r, r, r, cv2.BORDER_REFLECT_101)


def _median_by_selection(image: np.ndarray, size: int) -> np.ndarray:
    """np.partition over the window values, a band of rows at a time."""
    r, k, (h, w) = size // 2, size * size // 2, image.shape
    padded = _pad(image, r)
    out = np.empty_like(image)
    rows = max(1, _CHUNK_VALUES // (w * size * size))
    for y0 in range(0, h, rows):
        y1 = min(h, y0 + rows)
        windows = sliding_window_view(padded[y0:y1 + 2 * r], (size, size)).reshape(y1 - y0, w, size * size)
        out[y0:y1] = np.partition(windows, k, axis=-1)[..., k]
    return out


def _median_by_bytes(image: np.ndarray, size: int) -> np.ndarray:
    """16-bit median from cv2's 8-bit median (any size, O(1) per pixel): the high byte of the median is the
    median of the high bytes; where it is H, the low byte is the median of clip(value - 256 H, 0, 255)."""
    r, (h, w) = size // 2, image.shape
    padded = _pad(image, r)  # cv2.medianBlur replicates the edge: pad first, so the mirror rule holds
    high = cv2.medianBlur((padded >> 8).astype(np.uint8), size)[r:r + h, r:r + w]
    out = high.astype(np.uint16) << 8
    for hv in np.unique(high):
        ys, xs = np.nonzero(high == hv)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        part = padded[y0:y1 + 2 * r, x0:x1 + 2 * r].astype(np.int32) - int(hv) * 256
        low = cv2.medianBlur(np.clip(part, 0, 255).astype(np.uint8), size)[r:r + y1 - y0, r:r + x1 - x0]
        here = high[y0:y1, x0:x1] == hv
        out[y0:y1, x0:x1][here] += low[here]
    return out
