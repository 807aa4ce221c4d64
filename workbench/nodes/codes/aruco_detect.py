import enum
import math
from typing import NamedTuple

import cv2
import numpy as np

from workbench.core.params import Roi
from workbench.core.spec import node
from workbench.core.types import Detections, Image, Measurements, MeasurementSet
from workbench.nodes.codes._common import code_detections, crop, gray_u8


class ArucoDictionary(enum.Enum):
    DICT_4X4_50 = cv2.aruco.DICT_4X4_50
    DICT_4X4_100 = cv2.aruco.DICT_4X4_100
    DICT_4X4_250 = cv2.aruco.DICT_4X4_250
    DICT_4X4_1000 = cv2.aruco.DICT_4X4_1000
    DICT_5X5_50 = cv2.aruco.DICT_5X5_50
    DICT_5X5_100 = cv2.aruco.DICT_5X5_100
    DICT_5X5_250 = cv2.aruco.DICT_5X5_250
    DICT_5X5_1000 = cv2.aruco.DICT_5X5_1000
    DICT_6X6_50 = cv2.aruco.DICT_6X6_50
    DICT_6X6_100 = cv2.aruco.DICT_6X6_100
    DICT_6X6_250 = cv2.aruco.DICT_6X6_250
    DICT_6X6_1000 = cv2.aruco.DICT_6X6_1000
    DICT_7X7_50 = cv2.aruco.DICT_7X7_50
    DICT_7X7_100 = cv2.aruco.DICT_7X7_100
    DICT_7X7_250 = cv2.aruco.DICT_7X7_250
    DICT_7X7_1000 = cv2.aruco.DICT_7X7_1000
    ARUCO_ORIGINAL = cv2.aruco.DICT_ARUCO_ORIGINAL
    APRILTAG_16H5 = cv2.aruco.DICT_APRILTAG_16h5
    APRILTAG_25H9 = cv2.aruco.DICT_APRILTAG_25h9
    APRILTAG_36H10 = cv2.aruco.DICT_APRILTAG_36h10
    APRILTAG_36H11 = cv2.aruco.DICT_APRILTAG_36h11


class ArucoOut(NamedTuple):
    markers: Detections
    measurements: Measurements


@node("cv.aruco_detect", name="ArUco Markers", category="Codes")
def aruco_detect(image: Image, dictionary: ArucoDictionary = ArucoDictionary.DICT_4X4_50,
                 roi: Roi | None = None) -> ArucoOut:
    """Finds ArUco / AprilTag markers of one dictionary, sorted by id.

    Detections: one per marker, labelled with its id (also its class id), the four corners as
    polygon (the marker's top-left corner first, clockwise). Measurements: count, and id, cx, cy,
    angle (degrees, counter-clockwise on screen, of the marker's top edge) of the first marker.
    """
    gray, (ox, oy) = crop(gray_u8(image), roi)
    det = cv2.aruco.ArucoDetector(cv2.aruco.getPredefinedDictionary(dictionary.value),
                                  cv2.aruco.DetectorParameters())
    corners, ids, _ = det.detectMarkers(gray)
    found = [] if ids is None else sorted(
        ((int(i), np.asarray(c, np.float32).reshape(4, 2) + (ox, oy)) for c, i in zip(corners, ids.ravel())),
        key=lambda t: t[0])
    m = MeasurementSet().add("count", len(found))
    if found:
        mid, c = found[0]
        top = c[1] - c[0]
        m.add("id", mid).add("cx", float(c[:, 0].mean()), "px").add("cy", float(c[:, 1].mean()), "px")
        m.add("angle", math.degrees(math.atan2(-top[1], top[0])), "°")
    return ArucoOut(code_detections([c for _, c in found], [str(i) for i, _ in found], [i for i, _ in found]), m)
