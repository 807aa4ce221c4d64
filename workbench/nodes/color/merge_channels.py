import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.spec import node
from workbench.core.types import Image, as_gray, describe


@node("cv.merge_channels", name="Merge Channels", category="Color")
def merge_channels(b: Image, g: Image, r: Image) -> Image:
    """Builds a colour (BGR) image from three single-channel images of the same size and dtype.

    A colour image linked into a channel input is converted to gray first.
    """
    chans = [as_gray(c) for c in (b, g, r)]
    shapes = {c.shape for c in chans}
    if len(shapes) != 1:
        raise NodeInputError("channels differ in size: " + ", ".join(
            f"{n}={describe(c)}" for n, c in zip("bgr", chans)))
    dtypes = {c.dtype for c in chans}
    if len(dtypes) != 1:
        raise NodeInputError("channels differ in dtype: " + ", ".join(
            f"{n}={c.dtype}" for n, c in zip("bgr", chans)) + " (convert them first)")
    return np.ascontiguousarray(np.dstack(chans))
