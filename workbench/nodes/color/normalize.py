import enum
from typing import Annotated

import numpy as np

from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import Image


class Target(enum.Enum):
    UINT8 = "uint8"
    FLOAT = "float"


@node("cv.normalize", name="Normalize", category="Color")
def normalize(image: Image, target: Target = Target.UINT8,
              clip_percent: Annotated[float, Range(0.0, 49.0, 0.1),
                  Help("ignore this % of darkest and brightest pixels when finding min and max (auto-contrast)")] = 0.0,
              roi: Roi | None = None) -> Image:
    """Stretches intensities so the image minimum maps to 0 and the maximum to 255 (uint8) or 1 (float32).

    Min and max are taken over all channels together (colours keep their balance), optionally
    inside an ROI and ignoring a percentage of outliers at both ends. A constant image becomes 0.
    """
    values = image if roi is None else image[roi.mask(image.shape) > 0]
    values = np.asarray(values, np.float64).ravel()
    if values.size == 0:
        lo = hi = 0.0
    elif clip_percent > 0:
        lo, hi = np.percentile(values, [clip_percent, 100.0 - clip_percent])
    else:
        lo, hi = float(values.min()), float(values.max())
    span = hi - lo
    scaled = (image.astype(np.float32) - np.float32(lo)) * np.float32(1.0 / span if span > 0 else 0.0)
    scaled = np.clip(scaled, 0.0, 1.0)
    if target is Target.FLOAT:
        return scaled.astype(np.float32)
    return (scaled * 255.0 + 0.5).astype(np.uint8)
