from typing import NamedTuple

import cv2
import numpy as np

from workbench.core.params import Roi
from workbench.core.spec import node
from workbench.core.types import Detections, Image, Measurements, MeasurementSet, String
from workbench.nodes.codes._common import code_detections, crop, gray_u8


class QrOut(NamedTuple):
    codes: Detections
    text: String
    measurements: Measurements


@node("cv.qr_decode", name="QR Code Reader", category="Codes")
def qr_decode(image: Image, roi: Roi | None = None) -> QrOut:
    """Finds and decodes every QR code in the image.

    Detections: one per decoded code, labelled with its text, with the four corners as polygon.
    Text: the first code's text ("" when none was decoded). Measurements: count (decoded) and
    undecoded (codes found but not readable).
    """
    gray, (ox, oy) = crop(gray_u8(image), roi)
    ok, texts, points, _ = cv2.QRCodeDetector().detectAndDecodeMulti(gray)
    polys, labels, undecoded = [], [], 0
    if ok and points is not None:
        for text, pts in zip(texts, points):
            if not text:
                undecoded += 1
                continue
            polys.append(np.asarray(pts, np.float32).reshape(-1, 2) + (ox, oy))
            labels.append(text)
    m = MeasurementSet().add("count", len(labels)).add("undecoded", undecoded)
    return QrOut(code_detections(polys, labels), labels[0] if labels else "", m)
