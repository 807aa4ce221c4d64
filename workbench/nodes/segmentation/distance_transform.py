import enum

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.spec import node
from workbench.core.types import Image, Mask


class Metric(enum.Enum):
    EUCLIDEAN = cv2.DIST_L2
    CITY_BLOCK = cv2.DIST_L1
    CHESSBOARD = cv2.DIST_C


@node("cv.distance_transform", name="Distance Transform", category="Segmentation")
def distance_transform(mask: Mask, metric: Metric = Metric.EUCLIDEAN, normalize: bool = True) -> Image:
    """For each foreground pixel, the distance to the nearest background pixel, as a float32 image.

    normalize scales the result to 0..1 (1 = the largest distance); otherwise values are in
    pixels. Euclidean distances are exact. The thickness of a shape is twice its peak distance.
    """
    if mask.size and not (mask == 0).any():
        raise NodeInputError("the mask has no background pixel to measure distances to (it is all foreground)")
    size = cv2.DIST_MASK_PRECISE if metric is Metric.EUCLIDEAN else 3
    dist = cv2.distanceTransform((mask > 0).astype(np.uint8), metric.value, size)
    if normalize:
        peak = float(dist.max())
        dist = dist / np.float32(peak) if peak > 0 else dist
    return dist.astype(np.float32)
