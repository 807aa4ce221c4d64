"""Port data types.

Convention, stated once: images are numpy arrays in OpenCV layout — row-major, H x W
(mono) or H x W x 3 (colour, **BGR** order), dtype uint8, uint16 or float32, C-contiguous.
Conversion to RGB happens only at the edges (the viewer, a model that asks for RGB).

A port is annotated with one of the ``Annotated`` aliases below (``Image``, ``Mask``,
``Regions``...). The alias carries a :class:`DataType`, which knows its name, colour in the
GUI, how to check a value, and which other types it accepts when linking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Any, Callable

import numpy as np

_IMAGE_DTYPES = (np.uint8, np.uint16, np.float32)


class _NoValue:
    """Sentinel a node returns on an output to say "nothing here": downstream is skipped."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_VALUE"

    def __bool__(self) -> bool:
        return False


NO_VALUE = _NoValue()


@dataclass(frozen=True, eq=False)
class DataType:
    name: str
    color: str  # hex colour for ports and links in the GUI
    check: Callable[[Any], str | None]  # None when the value is valid, else why not
    accepts: tuple[str, ...] = ()  # names of other types that may be linked into this one
    description: str = ""

    def can_accept(self, other: "DataType") -> bool:
        return other is self or other.name in self.accepts or self.name == "Any"

    def __repr__(self) -> str:
        return f"DataType({self.name})"


def _check_image(v: Any) -> str | None:
    if not isinstance(v, np.ndarray):
        return f"expected an image array, got {type(v).__name__}"
    if v.ndim not in (2, 3) or (v.ndim == 3 and v.shape[2] not in (1, 3, 4)):
        return f"expected H x W or H x W x 3 image, got shape {v.shape}"
    if v.dtype.type not in _IMAGE_DTYPES:
        return f"expected uint8, uint16 or float32 image, got {v.dtype}"
    return None


def _check_mask(v: Any) -> str | None:
    if not isinstance(v, np.ndarray) or v.ndim != 2 or v.dtype != np.uint8:
        return f"expected a H x W uint8 mask, got {describe(v)}"
    return None


def _isinstance_check(cls, label: str):
    def check(v: Any) -> str | None:
        return None if isinstance(v, cls) else f"expected {label}, got {type(v).__name__}"

    return check


# ---------------------------------------------------------------- structured results


@dataclass
class RegionSet:
    """Connected regions (blobs/contours) with per-region statistics.

    ``contours[i]`` is an (N, 1, 2) int32 array in image pixels; ``stats[i]`` maps names
    such as area, perimeter, circularity, cx, cy, x, y, w, h to floats.
    """

    contours: list[np.ndarray] = field(default_factory=list)
    stats: list[dict[str, float]] = field(default_factory=list)
    image_shape: tuple[int, int] = (0, 0)

    def __len__(self) -> int:
        return len(self.contours)


@dataclass
class DetectionSet:
    """Object detections. boxes are (N, 4) float32 x1, y1, x2, y2 in original image pixels."""

    boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    scores: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.float32))
    class_ids: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.int32))
    labels: list[str] = field(default_factory=list)
    masks: list[np.ndarray] | None = None  # optional per-box H x W uint8 masks
    polygons: list[np.ndarray] | None = None  # optional per-box (K, 2) float32 polygons

    def __len__(self) -> int:
        return int(self.boxes.shape[0])


@dataclass
class ClassificationResult:
    class_id: int
    label: str
    score: float
    top_k: list[tuple[int, str, float]] = field(default_factory=list)


@dataclass
class MeasurementSet:
    """Named scalar measurements with units, e.g. {"count": 24} / {"width": 3.2 mm}."""

    values: dict[str, float] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, value: float, unit: str = "") -> "MeasurementSet":
        self.values[name] = float(value)
        if unit:
            self.units[name] = unit
        return self

    def merged(self, other: "MeasurementSet") -> "MeasurementSet":
        return MeasurementSet({**self.values, **other.values}, {**self.units, **other.units})


@dataclass
class VerdictResult:
    ok: bool
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "OK" if self.ok else "NG"


def _check_int(v: Any) -> str | None:
    ok = isinstance(v, (int, np.integer)) and not isinstance(v, bool)
    return None if ok else f"expected an integer, got {type(v).__name__}"


def _check_float(v: Any) -> str | None:
    ok = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
    return None if ok else f"expected a number, got {type(v).__name__}"


def _check_bool(v: Any) -> str | None:
    return None if isinstance(v, (bool, np.bool_)) else f"expected a boolean, got {type(v).__name__}"


# ---------------------------------------------------------------- the type table

DATA_TYPES: dict[str, DataType] = {}


def register_type(t: DataType) -> DataType:
    if t.name in DATA_TYPES:
        raise ValueError(f"data type {t.name!r} registered twice")
    DATA_TYPES[t.name] = t
    return t


IMAGE = register_type(DataType("Image", "#4e9be6", _check_image, accepts=("Mask",),
                               description="uint8/uint16/float32, 1 or 3 channels, BGR"))
MASK = register_type(DataType("Mask", "#d8d8d8", _check_mask, description="H x W uint8, 0 or 255"))
REGIONS = register_type(DataType("Regions", "#e0a040", _isinstance_check(RegionSet, "regions")))
DETECTIONS = register_type(DataType("Detections", "#e05a5a", _isinstance_check(DetectionSet, "detections")))
CLASSIFICATION = register_type(
    DataType("Classification", "#b070e0", _isinstance_check(ClassificationResult, "a classification")))
MEASUREMENTS = register_type(
    DataType("Measurements", "#50c080", _isinstance_check(MeasurementSet, "measurements")))
VERDICT = register_type(DataType("Verdict", "#f0f0f0", _isinstance_check(VerdictResult, "a verdict")))
INT = register_type(DataType("Int", "#7aa0c0", _check_int))
FLOAT = register_type(DataType("Float", "#8ab0a0", _check_float, accepts=("Int",)))
BOOL = register_type(DataType("Bool", "#c0a0a0", _check_bool))
STRING = register_type(DataType("String", "#c0c070", _isinstance_check(str, "text")))
ANY = register_type(DataType("Any", "#909090", lambda v: None))

Image = Annotated[np.ndarray, IMAGE]
Mask = Annotated[np.ndarray, MASK]
Regions = Annotated[RegionSet, REGIONS]
Detections = Annotated[DetectionSet, DETECTIONS]
Classification = Annotated[ClassificationResult, CLASSIFICATION]
Measurements = Annotated[MeasurementSet, MEASUREMENTS]
Verdict = Annotated[VerdictResult, VERDICT]
Int = Annotated[int, INT]
Float = Annotated[float, FLOAT]
Bool = Annotated[bool, BOOL]
String = Annotated[str, STRING]
AnyValue = Annotated[object, ANY]


def describe(v: Any) -> str:
    """A short human summary of a value, used in error messages and logs."""
    if v is NO_VALUE:
        return "no value"
    if isinstance(v, np.ndarray):
        shape = "x".join(str(s) for s in v.shape)
        return f"{v.dtype} {shape} array"
    if isinstance(v, (RegionSet, DetectionSet)):
        return f"{type(v).__name__}({len(v)})"
    if isinstance(v, MeasurementSet):
        items = ", ".join(f"{k}={_fmt(x)}" for k, x in list(v.values.items())[:4])
        return f"Measurements({items}{', ...' if len(v.values) > 4 else ''})"
    if isinstance(v, VerdictResult):
        return f"Verdict({v.label})"
    if isinstance(v, str):
        return repr(v if len(v) <= 40 else v[:37] + "...")
    if v is None or isinstance(v, (int, float, bool, np.generic)):
        return repr(v)
    return type(v).__name__


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.4g}"


def nbytes(v: Any) -> int:
    """Approximate memory held by a value (arrays counted exactly)."""
    if isinstance(v, np.ndarray):
        return int(v.nbytes)
    if isinstance(v, (list, tuple)):
        return sum(nbytes(x) for x in v)
    if isinstance(v, dict):
        return sum(nbytes(x) for x in v.values())
    if isinstance(v, RegionSet):
        return nbytes(v.contours) + 64 * len(v.stats)
    if isinstance(v, DetectionSet):
        return nbytes([v.boxes, v.scores, v.class_ids]) + nbytes(v.masks or []) + nbytes(v.polygons or [])
    if isinstance(v, MeasurementSet):
        return 16 * len(v.values)
    return 8


def to_jsonable(v: Any) -> Any:
    """Convert result values to plain JSON (for results.jsonl); arrays become summaries."""
    if isinstance(v, MeasurementSet):
        return {k: _json_num(x) for k, x in v.values.items()}
    if isinstance(v, VerdictResult):
        return {"verdict": v.label, "reasons": list(v.reasons)}
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float):
        return _json_num(v)
    if isinstance(v, (int, bool, str)) or v is None:
        return v
    return describe(v)


def _json_num(x: float) -> float | int | None:
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return None
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def as_gray(image: np.ndarray) -> np.ndarray:
    """Mono view of an image: BGR → gray, BGRA → gray, mono passes through."""
    import cv2

    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[:, :, 0]
    code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
    return cv2.cvtColor(image, code)


def as_bgr(image: np.ndarray) -> np.ndarray:
    """Colour view of an image: mono → BGR (channels replicated), BGRA → BGR."""
    import cv2

    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 1:
        return cv2.cvtColor(image[:, :, 0], cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return image


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Scale uint16 (>>8) and float32 (assumed 0..1, clipped) images to uint8."""
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.uint16:
        return (image >> 8).astype(np.uint8)
    return np.clip(image * 255.0 + 0.5, 0, 255).astype(np.uint8)
