from typing import NamedTuple

import numpy as np

from workbench.core.spec import node
from workbench.core.types import Image, as_bgr


class Channels(NamedTuple):
    b: Image
    g: Image
    r: Image


@node("cv.split_channels", name="Split Channels", category="Color")
def split_channels(image: Image) -> Channels:
    """Splits a colour image into its blue, green and red channels as single-channel images.

    A gray image gives the same image on all three outputs; an alpha channel is dropped. The
    dtype (uint8, uint16, float32) is kept.
    """
    bgr = as_bgr(image)
    return Channels(*(np.ascontiguousarray(bgr[:, :, i]) for i in range(3)))
