import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Roi
from workbench.core.spec import node
from workbench.core.types import Image, Mask, Measurements, MeasurementSet, as_bgr, as_gray

STATS = ("mean", "std", "min", "max", "median")


def _stats(m: MeasurementSet, values: np.ndarray, suffix: str) -> None:
    v = values.astype(np.float64)
    for name, x in zip(STATS, (v.mean(), v.std(), v.min(), v.max(), np.median(v))):
        m.add(name + suffix, float(x))


@node("cv.intensity_stats", name="Intensity Statistics", category="Measurement")
def intensity_stats(image: Image, mask: Mask | None = None, roi: Roi | None = None) -> Measurements:
    """Mean, standard deviation, min, max and median grey level inside an ROI and/or mask (whole image by default).

    Values are in the image's own scale (0..255 for 8-bit, 0..65535 for 16-bit, as stored for
    float). Colour images give the statistics of the grey image (mean, std, ...) and of each
    channel (mean_b, mean_g, mean_r, ...). area is the number of pixels measured."""
    if mask is not None and mask.shape[:2] != image.shape[:2]:
        raise NodeInputError(f"mask is {mask.shape[1]}x{mask.shape[0]} but the image is "
                             f"{image.shape[1]}x{image.shape[0]}")
    sel = np.ones(image.shape[:2], bool)
    if roi is not None:
        sel &= roi.mask(image.shape) > 0
    if mask is not None:
        sel &= mask > 0
    if not sel.any():
        raise NodeInputError("the ROI / mask selects no pixels of the image")
    m = MeasurementSet()
    _stats(m, as_gray(image)[sel], "")
    if image.ndim == 3 and image.shape[2] >= 3:
        bgr = as_bgr(image)
        for c, name in enumerate("bgr"):
            _stats(m, bgr[:, :, c][sel], "_" + name)
    m.add("area", int(sel.sum()), "px²")
    return m
