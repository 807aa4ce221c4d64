import math
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import NO_VALUE, Bool, Detections, Image, Measurements, MeasurementSet
from workbench.nodes.matching._common import Detector, check_image, detections, gray_u8, make_detector


class LocateOut(NamedTuple):
    detections: Detections
    measurements: Measurements
    found: Bool


@node("cv.feature_locate", name="Locate by Features", category="Matching")
def feature_locate(image: Image, model: Image, detector: Detector = Detector.ORB,
                   max_features: Annotated[int, Range(10, 100000, 1), Help("keypoints per image")] = 2000,
                   ratio: Annotated[float, Range(0.1, 1, 0.01),
                                    Help("Lowe's ratio test: best match distance / second best must be "
                                         "below this")] = 0.75,
                   ransac_threshold: Annotated[float, Range(0.5, 50, 0.5),
                                               Help("largest reprojection error of an inlier, px")] = 5.0,
                   min_inliers: Annotated[int, Range(4, 10000, 1)] = 12,
                   roi: Roi | None = None) -> LocateOut:
    """Finds a textured model picture in the image (keypoint matching + RANSAC homography), even
    rotated, scaled or seen at an angle.

    Detections: one box labelled "model" with the located outline as its polygon and score =
    inliers / matches. Measurements: matches, inliers, x, y (model centre in the image, px), angle
    (degrees, counter-clockwise on screen) and scale. When the model is not found, detections are
    empty, measurements is no value and found is false.
    """
    check_image(image, "image")
    check_image(model, "model")
    img, mdl = gray_u8(image), gray_u8(model)
    det, norm = make_detector(detector, max_features)
    kp_m, des_m = det.detectAndCompute(mdl, None)
    kp_i, des_i = det.detectAndCompute(img, roi.mask(img.shape) if roi is not None else None)
    good = []
    if des_m is not None and des_i is not None and len(kp_m) >= 2 and len(kp_i) >= 2:
        pairs = cv2.BFMatcher(norm).knnMatch(des_m, des_i, k=2)
        good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < ratio * p[1].distance]
    not_found = LocateOut(detections([], [], []), NO_VALUE, False)
    if len(good) < max(4, min_inliers):
        return not_found
    src = np.float32([kp_m[g.queryIdx].pt for g in good]).reshape(-1, 1, 2)
    dst = np.float32([kp_i[g.trainIdx].pt for g in good]).reshape(-1, 1, 2)
    hom, inl = cv2.findHomography(src, dst, cv2.RANSAC, ransac_threshold)
    inliers = int(inl.sum()) if inl is not None else 0
    if hom is None or inliers < min_inliers:
        return not_found
    h, w = mdl.shape[:2]
    corners = np.float32([[0, 0], [w, 0], [w, h], [0, h]]).reshape(-1, 1, 2)
    poly = cv2.perspectiveTransform(corners, hom).reshape(-1, 2)
    centre = cv2.perspectiveTransform(np.float32([[[w / 2, h / 2], [w / 2 + 1, h / 2]]]), hom).reshape(-1, 2)
    area = abs(cv2.contourArea(poly))
    if not cv2.isContourConvex(poly.reshape(-1, 1, 2)) or area < 1:  # a folded, degenerate fit
        return not_found
    scale = math.sqrt(area / (w * h))
    dx, dy = centre[1] - centre[0]
    angle = math.degrees(math.atan2(-dy, dx))
    box = [poly[:, 0].min(), poly[:, 1].min(), poly[:, 0].max(), poly[:, 1].max()]
    m = MeasurementSet().add("matches", len(good)).add("inliers", inliers)
    m.add("x", float(centre[0, 0]), "px").add("y", float(centre[0, 1]), "px")
    m.add("angle", angle, "°").add("scale", scale)
    return LocateOut(detections([box], [inliers / len(good)], ["model"], [poly]), m, True)
