import enum
import math
from typing import Annotated, NamedTuple

import cv2
import numpy as np

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Float, Measurements, MeasurementSet, Regions


class RegionLength(enum.Enum):
    WIDTH = "bounding box width"
    HEIGHT = "bounding box height"
    DIAMETER = "equivalent diameter (of the area)"
    LONG_SIDE = "long side of the minimum-area rectangle"


class Reference(enum.Enum):
    REGION = "the largest linked region"
    MEASUREMENT = "a linked measurement (a length in px)"


class PixelScaleOut(NamedTuple):
    measurements: Measurements
    mm_per_px: Float


def _region_length(regions, how: RegionLength) -> float:
    if len(regions) == 0:
        raise NodeInputError("no reference region found (the regions input is empty)")
    areas = [abs(cv2.contourArea(c)) for c in regions.contours]
    c = regions.contours[int(np.argmax(areas))]
    if how is RegionLength.DIAMETER:
        return math.sqrt(4 * max(areas) / math.pi)
    if how is RegionLength.LONG_SIDE:
        (_, _), (w, h), _ = cv2.minAreaRect(c)
        return max(w, h)
    x, y, w, h = cv2.boundingRect(c)
    return float(w if how is RegionLength.WIDTH else h)


@node("cv.pixel_scale", name="Pixel Scale", category="Calibration")
def pixel_scale(measurements: Measurements | None = None, regions: Regions | None = None,
                reference: Reference = Reference.REGION,
                known_mm: Annotated[float, Range(1e-6, 1e6, 0.1), Help("true length of the reference")] = 10.0,
                measurement: Annotated[str, Help("with reference = measurement: name of the "
                                                 "measured length in px (e.g. distance, width)")] = "distance",
                region_length: Annotated[RegionLength, Help("with reference = region: which length "
                                                            "of the largest region")] = RegionLength.WIDTH,
                ) -> PixelScaleOut:
    """Millimetres per pixel from a reference of known size: a measured length in px, or the largest linked region.

    Measurements: mm_per_px, px_per_mm, reference_px. The mm_per_px output links into Scale to
    Millimetres."""
    if reference is Reference.MEASUREMENT:
        if measurements is None:
            raise ValueError("reference is a measurement: link Measurements holding a length in px")
        if measurement not in measurements.values:
            have = ", ".join(sorted(measurements.values)) or "none"
            raise NodeInputError(f"no measurement {measurement!r} (available: {have})")
        unit = measurements.units.get(measurement, "")
        if unit not in ("", "px"):
            raise NodeInputError(f"measurement {measurement!r} is in {unit}, expected a length in px")
        px = float(measurements.values[measurement])
    else:
        if regions is None:
            raise ValueError("reference is a region: link Regions holding the reference part")
        px = _region_length(regions, region_length)
    if not px > 0:
        raise NodeInputError(f"the reference length is {px:g} px; it must be positive")
    s = known_mm / px
    m = MeasurementSet().add("mm_per_px", s).add("px_per_mm", 1 / s).add("reference_px", px, "px")
    return PixelScaleOut(m, s)
