from typing import Annotated

from workbench.core.params import Help
from workbench.core.spec import node
from workbench.core.types import Measurements, MeasurementSet


@node("cv.merge_measurements", name="Merge Measurements", category="Measurement")
def merge_measurements(a: Measurements | None = None, b: Measurements | None = None,
                       c: Measurements | None = None, d: Measurements | None = None,
                       prefix_a: Annotated[str, Help("put before each name of a, e.g. 'left_'")] = "",
                       prefix_b: str = "", prefix_c: str = "", prefix_d: str = "") -> Measurements:
    """Merges up to four measurement sets into one (e.g. to judge a caliper and a circle gauge together).

    Names can be prefixed per input to keep them apart; when two inputs still give the same name,
    the later input (b over a, ...) wins."""
    sets = [(m, p) for m, p in zip((a, b, c, d), (prefix_a, prefix_b, prefix_c, prefix_d)) if m is not None]
    if not sets:
        raise ValueError("link at least one Measurements input to merge")
    out = MeasurementSet()
    for m, prefix in sets:
        for name, v in m.values.items():
            out.add(prefix + name, v, m.units.get(name, ""))
    return out
