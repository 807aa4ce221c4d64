import enum
from typing import Annotated

import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range, Roi
from workbench.core.spec import node
from workbench.core.types import Image, Measurements, MeasurementSet, as_bgr, as_gray


class Channel(enum.Enum):
    GRAY = "gray"
    BLUE = 0
    GREEN = 1
    RED = 2


FULL_RANGE = {np.dtype(np.uint8): 256.0, np.dtype(np.uint16): 65536.0, np.dtype(np.float32): 1.0}


@node("cv.histogram", name="Histogram", category="Measurement")
def histogram(image: Image,
              bins: Annotated[int, Range(2, 1024, 1)] = 64,
              channel: Annotated[Channel, Help("gray: the grey image; a colour channel of a BGR image")] = Channel.GRAY,
              normalize: Annotated[bool, Help("bins as fractions of the pixels counted (sum 1)")] = False,
              roi: Roi | None = None) -> Measurements:
    """Grey-level histogram as measurements bin_0 ... bin_<N-1>, over the full range of the image type.

    Chosen form: Measurements (not an image), so bins can be judged, exported and plotted by name.
    The range is 0..256 for 8-bit, 0..65536 for 16-bit and 0..1 for float32 images (float values
    outside it are counted in the first / last bin). Also gives bin_width, range_max, peak_bin
    (the fullest bin) and count (pixels counted)."""
    if channel is Channel.GRAY:
        plane = as_gray(image)
    else:
        if image.ndim == 2:
            raise NodeInputError(f"channel {channel.name.lower()} needs a colour image, got a grey one")
        plane = as_bgr(image)[:, :, channel.value]
    hi = FULL_RANGE[plane.dtype]
    values = plane if roi is None else plane[roi.mask(image.shape) > 0]
    if values.size == 0:
        raise NodeInputError("the ROI selects no pixels of the image")
    v = values.astype(np.float64).ravel()
    idx = np.clip((v * (bins / hi)).astype(np.int64), 0, bins - 1)
    counts = np.bincount(idx, minlength=bins).astype(np.float64)
    if normalize:
        counts /= counts.sum()
    m = MeasurementSet()
    for i, c in enumerate(counts):
        m.add(f"bin_{i}", c)
    m.add("bin_width", hi / bins).add("range_max", hi).add("peak_bin", int(np.argmax(counts)))
    m.add("count", v.size)
    return m
