from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import Image, Measurements, MeasurementSet, Regions, RegionSet
from workbench.nodes.matching._common import Detector, check_image, gray_u8, make_detector


class KeypointsOut(NamedTuple):
    keypoints: Regions
    measurements: Measurements
    image: Image


@node("cv.keypoints", name="Detect Keypoints", category="Matching")
def keypoints(image: Image, detector: Detector = Detector.ORB,
              max_features: Annotated[int, Range(1, 100000, 1), Help("strongest keypoints kept")] = 500,
              roi: Roi | None = None) -> KeypointsOut:
    """Distinctive points (corners, blobs) found by ORB or SIFT, with a picture of them.

    Each keypoint becomes a small circular region with stats cx, cy, size (px), angle (degrees,
    as the detector reports it) and response. Measurements: count and mean_response. Colour is
    converted to gray; uint16/float32 are stretched to 8 bits.
    """
    check_image(image)
    g = gray_u8(image)
    det, _ = make_detector(detector, max_features)
    kps = det.detect(g, roi.mask(g.shape) if roi is not None else None)
    kps = sorted(kps, key=lambda k: -k.response)[:max_features]
    contours, rows = [], []
    for k in kps:
        r = max(1.0, k.size / 2)
        t = np.linspace(0, 2 * np.pi, 12, endpoint=False)
        pts = np.stack([k.pt[0] + r * np.cos(t), k.pt[1] + r * np.sin(t)], 1)
        contours.append(np.round(pts).astype(np.int32).reshape(-1, 1, 2))
        rows.append({"cx": float(k.pt[0]), "cy": float(k.pt[1]), "size": float(k.size),
                     "angle": float(k.angle), "response": float(k.response)})
    vis = cv2.drawKeypoints(cv2.cvtColor(g, cv2.COLOR_GRAY2BGR), kps, None, (0, 255, 0),
                            cv2.DRAW_MATCHES_FLAGS_DRAW_RICH_KEYPOINTS)
    m = MeasurementSet().add("count", len(kps))
    m.add("mean_response", float(np.mean([k.response for k in kps])) if kps else 0.0)
    return KeypointsOut(RegionSet(contours, rows, tuple(g.shape[:2])), m, vis)
