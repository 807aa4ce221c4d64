from typing import Annotated

import numpy as np

from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image

from workbench.nodes.color._common import full_scale


@node("cv.gamma", name="Gamma and Contrast", category="Color")
def gamma(image: Image,
          gamma: Annotated[float, Range(0.05, 10.0, 0.05),
              Help("out = in^gamma on 0..1: below 1 brightens dark tones, above 1 darkens")] = 1.0,
          contrast: Annotated[float, Range(0.0, 10.0, 0.05), Help("gain applied after gamma, around mid-gray")] = 1.0,
          brightness: Annotated[float, Range(-255.0, 255.0, 1.0),
              Help("offset in 8-bit levels (scaled for 16-bit and float images)")] = 0.0) -> Image:
    """Applies a gamma curve, then contrast (gain around mid-gray) and brightness (offset), clipped.

    uint8 and uint16 images go through a lookup table; float32 images are taken as 0..1.
    """
    top = full_scale(image.dtype)
    offset = brightness / 255.0

    def curve(x: np.ndarray) -> np.ndarray:  # x in 0..1
        y = np.power(np.clip(x, 0.0, 1.0), gamma)
        return np.clip((y - 0.5) * contrast + 0.5 + offset, 0.0, 1.0)

    if image.dtype == np.float32:
        return curve(image).astype(np.float32)
    lut = np.round(curve(np.arange(int(top) + 1, dtype=np.float64) / top) * top).astype(image.dtype)
    return lut[image]
