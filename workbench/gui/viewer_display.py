"""Display maths for the viewer, Qt-free: the array an ImageItem shows, levels, number text.

Images arrive in OpenCV layout (row-major, BGR); colour is converted to RGB here and only here.
"""

from __future__ import annotations

import math

import cv2
import numpy as np


def display_array(image: np.ndarray) -> np.ndarray:
    """The array the ImageItem shows: BGR(A) → RGB(A), bool → uint8 view (0/1), H x W x 1 → H x W.

    Mono arrays are returned as they are (no copy); colour ones are converted with cv2.cvtColor
    where OpenCV supports the dtype, else with a channel-reversed copy."""
    if image.dtype == np.bool_:
        image = image.view(np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        return image
    if image.shape[2] not in (3, 4):
        raise ValueError(f"cannot show an image with {image.shape[2]} channels")
    if image.dtype.type not in (np.uint8, np.uint16, np.float32) and image.dtype.kind in "biuf":
        image = image.astype(np.float32)
    if image.shape[2] == 4 and image.dtype != np.uint8:  # alpha only shown for uint8 images
        image = image[:, :, :3]
    if image.dtype.type in (np.uint8, np.uint16, np.float32):
        code = cv2.COLOR_BGR2RGB if image.shape[2] == 3 else cv2.COLOR_BGRA2RGBA
        return cv2.cvtColor(np.ascontiguousarray(image), code)
    return np.ascontiguousarray(image[..., [2, 1, 0, 3][: image.shape[2]]])


def _minmax(arr: np.ndarray, target: int = 1_000_000) -> tuple[float, float]:
    """Min and max on a strided subsample (at most ~target pixels); NaNs ignored; alpha ignored."""
    h, w = arr.shape[:2]
    s = max(1, int(math.sqrt(h * w / target)))
    sub = arr[::s, ::s]
    if sub.ndim == 3 and sub.shape[2] == 4:
        sub = sub[..., :3]
    if sub.dtype.kind == "f":
        finite = sub[np.isfinite(sub)]
        if finite.size == 0:
            return 0.0, 1.0
        return float(finite.min()), float(finite.max())
    return float(sub.min()), float(sub.max())


def _fmt(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    if math.isfinite(v) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4g}"


def compute_levels(image: np.ndarray, disp: np.ndarray, auto: bool) -> tuple[float, float]:
    """Display levels: every image (``auto``), or by kind: bool (0, 1), uint8 (0, 255), else the
    data's min/max (float data inside [0, 1] gets (0, 1))."""
    if auto:
        lo, hi = _minmax(disp)
    elif image.dtype == np.bool_:
        lo, hi = 0.0, 1.0
    elif disp.dtype == np.uint8:
        lo, hi = 0.0, 255.0
    else:
        lo, hi = _minmax(disp)
        if disp.dtype.kind == "f" and lo >= 0.0 and hi <= 1.0:
            lo, hi = 0.0, 1.0
    if not hi > lo:
        hi = lo + 1.0
    return float(lo), float(hi)
