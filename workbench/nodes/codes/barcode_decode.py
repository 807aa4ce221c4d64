import enum
from typing import NamedTuple

import cv2
import numpy as np

from workbench.core.params import Roi
from workbench.core.spec import node
from workbench.core.types import Detections, Image, Measurements, MeasurementSet, String
from workbench.nodes.codes._common import code_detections, crop, gray_u8


class Effort(enum.Enum):
    FAST = "the image as it is"
    THOROUGH = "also retry blurred and at half size"


class BarcodeOut(NamedTuple):
    codes: Detections
    text: String
    measurements: Measurements


# (scale, blur sigma) of the attempts in THOROUGH mode. OpenCV's detector misses very sharp
# bar edges (synthetic renderings, strong sharpening) at some sizes; a light blur or a smaller
# copy usually recovers them.
_ATTEMPTS = [(1.0, 0.0), (1.0, 1.0), (1.0, 2.0), (0.5, 0.0)]


def _attempt(detector, gray: np.ndarray, scale: float, sigma: float):
    img = gray
    if scale != 1.0:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    if sigma > 0:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    ok, texts, _types, points = detector.detectAndDecodeWithType(img)
    if points is None:
        return [], 0
    pts = [np.asarray(p, np.float32).reshape(-1, 2) / scale for p in points]
    decoded = [(t, p) for t, p in zip(texts, pts) if ok and t]
    return decoded, len(pts) - len(decoded)


@node("cv.barcode_decode", name="Barcode Reader", category="Codes")
def barcode_decode(image: Image, effort: Effort = Effort.THOROUGH, roi: Roi | None = None) -> BarcodeOut:
    """Finds and decodes 1D barcodes (EAN-8, EAN-13, UPC-A, UPC-E, Code 39, Code 128...).

    Detections: one per decoded code, labelled with its text, with the four corners as polygon.
    Text: the first code's text ("" when none was decoded). Measurements: count (decoded) and
    undecoded (bar patterns found but not readable). THOROUGH retries a lightly blurred and a
    half-size copy when the image itself gives nothing.
    """
    gray, (ox, oy) = crop(gray_u8(image), roi)
    detector = cv2.barcode.BarcodeDetector()
    decoded, undecoded = [], 0
    for scale, sigma in (_ATTEMPTS if effort is Effort.THOROUGH else _ATTEMPTS[:1]):
        decoded, missed = _attempt(detector, gray, scale, sigma)
        undecoded = max(undecoded, missed)
        if decoded:
            undecoded = missed
            break
    polys = [p + (ox, oy) for _, p in decoded]
    labels = [t for t, _ in decoded]
    m = MeasurementSet().add("count", len(labels)).add("undecoded", undecoded)
    return BarcodeOut(code_detections(polys, labels), labels[0] if labels else "", m)
