import numpy as np

from workbench.core.spec import node
from workbench.core.types import Image

from workbench.nodes.color._common import full_scale


@node("cv.invert", name="Invert", category="Color")
def invert(image: Image) -> Image:
    """Inverts intensities (negative image): white becomes black, per channel.

    uint8: 255 - v; uint16: 65535 - v; float32 (0..1 convention): 1 - v.
    """
    if image.dtype == np.float32:
        return np.float32(1.0) - image
    return (np.asarray(full_scale(image.dtype), image.dtype) - image).astype(image.dtype)
