import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Roi
from workbench.core.spec import node
from workbench.core.types import Image, as_bgr

from workbench.nodes.color._common import full_scale, is_color


@node("cv.white_balance", name="White Balance", category="Color")
def white_balance(image: Image, roi: Roi | None = None) -> Image:
    """Removes a colour cast by scaling B, G and R so that the reference area comes out neutral gray.

    Without an ROI the whole image is the reference (gray-world assumption); with one, draw it on
    something that should be white or gray. The mean brightness is kept; gray images pass through.
    """
    if not is_color(image):
        return image
    bgr = as_bgr(image)
    ref = bgr.reshape(-1, 3) if roi is None else bgr[roi.mask(bgr.shape) > 0]
    if ref.shape[0] == 0:
        raise NodeInputError("the ROI lies outside the image: no reference pixels")
    means = ref.astype(np.float64).mean(axis=0)
    if (means <= 0).any():
        raise NodeInputError("a channel of the reference area is black "
                             f"(means B,G,R = {means.round(3).tolist()}): cannot balance")
    gains = (means.mean() / means).astype(np.float32)
    out = bgr.astype(np.float32) * gains
    if bgr.dtype == np.float32:
        return out
    return np.clip(np.rint(out), 0, full_scale(bgr.dtype)).astype(bgr.dtype)
