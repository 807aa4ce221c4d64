import enum
from pathlib import Path
from typing import Annotated

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import FileParam, Help
from workbench.core.spec import file_state, node
from workbench.core.types import Image
from workbench.nodes.calibration._common import load_calibration


class Framing(enum.Enum):
    SAME_MATRIX = "keep the calibrated camera matrix"
    VALID_ONLY = "zoom so that every output pixel is valid"
    ALL_PIXELS = "shrink so that every input pixel is kept"



@node("cv.undistort", name="Undistort", category="Calibration", cache_extra=file_state("calibration"))
def undistort(image: Image,
              calibration: Annotated[Path, FileParam("Calibration (*.json)"),
                                     Help("a file written by Calibrate Camera")] = Path(""),
              framing: Framing = Framing.SAME_MATRIX) -> Image:
    """Removes lens distortion using a calibration file from Calibrate Camera.

    An image of another size than the calibration images but the same aspect ratio (binning,
    downscaled) is handled by scaling the camera matrix. 16-bit, float and colour images stay so."""
    k, dist, (cw, ch) = load_calibration(calibration)
    h, w = image.shape[:2]
    if (w, h) != (cw, ch):
        if abs(w / h - cw / ch) > 0.01:
            raise NodeInputError(f"image is {w}x{h} but the calibration was made at {cw}x{ch} (another aspect ratio)")
        k = k.copy()
        k[0] *= w / cw
        k[1] *= h / ch
    if framing is Framing.SAME_MATRIX:
        new_k = k
    else:
        alpha = 0.0 if framing is Framing.VALID_ONLY else 1.0
        new_k, _ = cv2.getOptimalNewCameraMatrix(k, dist, (w, h), alpha, (w, h))
    map1, map2 = cv2.initUndistortRectifyMap(k, dist, None, new_k, (w, h), cv2.CV_32FC1)
    return np.ascontiguousarray(cv2.remap(image, map1, map2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT))
