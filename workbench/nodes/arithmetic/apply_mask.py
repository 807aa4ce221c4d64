from typing import Annotated

import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Image, Mask


@node("cv.apply_mask", name="Apply Mask", category="Arithmetic")
def apply_mask(image: Image, mask: Mask,
               value: Annotated[float, Range(-1e9, 1e9, 1),
                                Help("what pixels outside the mask become (every channel)")] = 0.0,
               invert: Annotated[bool, Help("keep the pixels outside the mask instead")] = False) -> Image:
    """Keeps the image where the mask is set and sets every other pixel to a value (0: black)."""
    if image.shape[:2] != mask.shape:
        raise NodeInputError(f"image is {image.shape[1]}x{image.shape[0]} but mask is "
                             f"{mask.shape[1]}x{mask.shape[0]}: sizes must match")
    if np.issubdtype(image.dtype, np.integer):
        info = np.iinfo(image.dtype)
        value = min(max(value, info.min), info.max)
    outside = mask > 0 if invert else mask == 0
    out = image.copy()
    out[outside] = value
    return out
