from typing import Annotated

from workbench.core.errors import NodeInputError
from workbench.core.params import Help, Range
from workbench.core.spec import node
from workbench.core.types import Float, Measurements, MeasurementSet


@node("cv.scale_to_mm", name="Scale to Millimetres", category="Measurement")
def scale_to_mm(measurements: Measurements, scale: Float | None = None,
                mm_per_px: Annotated[float, Range(1e-9, 1e6, 0.001),
                                     Help("used when no scale is linked")] = 0.1) -> Measurements:
    """Converts pixel measurements to millimetres: px values are multiplied by the scale, px² values by its square.

    Names stay the same, units become mm / mm²; values with other units (°, none) pass unchanged.
    A linked scale input (mm per px, e.g. from Pixel Scale) overrides the parameter."""
    s = mm_per_px if scale is None else float(scale)
    if not s > 0:
        raise NodeInputError(f"scale must be a positive number of mm per px, got {s:g}")
    out = MeasurementSet()
    for name, v in measurements.values.items():
        unit = measurements.units.get(name, "")
        if unit == "px":
            out.add(name, v * s, "mm")
        elif unit == "px²":
            out.add(name, v * s * s, "mm²")
        else:
            out.add(name, v, unit)
    return out
