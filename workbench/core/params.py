"""Parameter declarations: ranges, enums, paths, colours and ROIs.

A parameter is a node-function argument with a default. Its annotation says what it is::

    sigma: Annotated[float, Range(0.0, 50.0, 0.1)] = 1.0    # slider + spin box
    border: Border = Border.REFLECT                         # Enum -> combo box
    path: Annotated[Path, FileParam("Images (*.png *.jpg)")] = Path("")
    roi: Roi | None = None                                  # drawn in the viewer
    colour: Color = Color(0, 255, 0)

Values live in the graph as Python objects (Enum members, Color, Roi, str for paths) and in
pipeline files as plain JSON (enum *member names*, "#rrggbb", ROI dicts, path strings).
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from workbench.core.errors import ParamError


@dataclass(frozen=True)
class Range:
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None


@dataclass(frozen=True)
class FileParam:
    """A path parameter. mode: 'open' (a file read), 'dir' (a folder read), 'save' (a file written),
    'save_dir' (a folder written into). Read paths are relative to the pipeline file's folder;
    written ones to the run's output folder."""

    filter: str = ""
    mode: str = "open"


@dataclass(frozen=True)
class Help:
    text: str


@dataclass(frozen=True)
class DepthRange:
    """The parameter is a pixel value: its range follows the input image's depth
    (0-255 for uint8, 0-65535 for uint16, 0-1 for float) where the GUI knows the input."""


@dataclass(frozen=True)
class ActiveWhen:
    """The parameter matters only while another parameter (an enum) has one of these member names."""

    param: str
    values: tuple[str, ...]

    def __init__(self, param: str, *values: str) -> None:
        object.__setattr__(self, "param", param)
        object.__setattr__(self, "values", tuple(values))


DEPTH_RANGES = {"uint8": (0.0, 255.0, 1.0), "uint16": (0.0, 65535.0, 1.0), "bool": (0.0, 1.0, 1.0)}


def depth_range(dtype_name: str) -> tuple[float, float, float]:
    """(minimum, maximum, step) of a pixel value for an image of this numpy dtype name."""
    if dtype_name in DEPTH_RANGES:
        return DEPTH_RANGES[dtype_name]
    if dtype_name.startswith("float"):
        return (0.0, 1.0, 0.001)
    return (0.0, 65535.0, 1.0)


@dataclass(frozen=True)
class MaxChars:
    """A text parameter's length bound (checked when a file loads, so `validate` reports it)."""

    chars: int


@dataclass(frozen=True)
class Template:
    """A text parameter that is a name template: only these ``{fields}`` (core.templates)."""

    fields: tuple[str, ...]


@dataclass(frozen=True)
class Color:
    r: int
    g: int
    b: int

    @property
    def bgr(self) -> tuple[int, int, int]:
        return (self.b, self.g, self.r)

    def to_json(self) -> str:
        return f"#{self.r:02x}{self.g:02x}{self.b:02x}"

    @classmethod
    def from_json(cls, raw: Any) -> "Color":
        if isinstance(raw, str) and re.fullmatch(r"#[0-9a-fA-F]{6}", raw):
            return cls(int(raw[1:3], 16), int(raw[3:5], 16), int(raw[5:7], 16))
        raise ParamError(f"expected a colour like '#00ff00', got {raw!r}")


ROI_SHAPES = {
    "rect": ("x", "y", "w", "h"),
    "rotated_rect": ("cx", "cy", "w", "h", "angle"),
    "circle": ("cx", "cy", "r"),
    "annulus": ("cx", "cy", "r_inner", "r_outer"),  # a ring: inside r_outer and outside r_inner
    "polygon": ("points",),
}


@dataclass(frozen=True)
class Roi:
    """A region of interest in image pixels: rect, rotated_rect, circle, annulus or polygon."""

    shape: str
    values: tuple = field(default=())  # in the order of ROI_SHAPES[shape]; polygon: ((x, y), ...)

    @classmethod
    def rect(cls, x: float, y: float, w: float, h: float) -> "Roi":
        return cls("rect", (float(x), float(y), float(w), float(h)))

    @classmethod
    def rotated_rect(cls, cx: float, cy: float, w: float, h: float, angle: float) -> "Roi":
        return cls("rotated_rect", tuple(float(v) for v in (cx, cy, w, h, angle)))

    @classmethod
    def circle(cls, cx: float, cy: float, r: float) -> "Roi":
        return cls("circle", (float(cx), float(cy), float(r)))

    @classmethod
    def annulus(cls, cx: float, cy: float, r_inner: float, r_outer: float) -> "Roi":
        return cls("annulus", (float(cx), float(cy), float(r_inner), float(r_outer)))

    @classmethod
    def polygon(cls, points) -> "Roi":
        return cls("polygon", (tuple((float(x), float(y)) for x, y in points),))

    def to_json(self) -> dict:
        if self.shape == "polygon":
            return {"shape": "polygon", "points": [list(p) for p in self.values[0]]}
        return {"shape": self.shape, **dict(zip(ROI_SHAPES[self.shape], self.values))}

    @classmethod
    def from_json(cls, raw: Any) -> "Roi":
        if not isinstance(raw, dict) or raw.get("shape") not in ROI_SHAPES:
            raise ParamError(f"expected an ROI object with shape one of {', '.join(ROI_SHAPES)}, got {raw!r}")
        shape = raw["shape"]
        keys = ROI_SHAPES[shape]
        extra = set(raw) - set(keys) - {"shape"}
        missing = [k for k in keys if k not in raw]
        if missing or extra:
            raise ParamError(f"{shape} ROI needs keys {', '.join(keys)}"
                             + (f"; unknown {', '.join(sorted(extra))}" if extra else ""))
        if shape == "polygon":
            pts = raw["points"]
            if (not isinstance(pts, list) or len(pts) < 3
                    or not all(isinstance(p, list) and len(p) == 2 and all(_is_num(c) for c in p) for p in pts)):
                raise ParamError("polygon ROI needs at least 3 points [[x, y], ...]")
            return cls.polygon(pts)
        if not all(_is_num(raw[k]) for k in keys):
            raise ParamError(f"{shape} ROI values must be numbers")
        roi = cls(shape, tuple(float(raw[k]) for k in keys))
        if shape in ("rect", "rotated_rect") and (roi.values[keys.index("w")] <= 0 or roi.values[keys.index("h")] <= 0):
            raise ParamError(f"{shape} ROI needs positive w and h")
        if shape == "circle" and roi.values[2] <= 0:
            raise ParamError("circle ROI needs a positive r")
        if shape == "annulus" and not 0 <= roi.values[2] < roi.values[3]:
            raise ParamError("annulus ROI needs 0 <= r_inner < r_outer")
        return roi

    def points(self) -> np.ndarray:
        """The outline as an (N, 2) float32 array."""
        v = self.values
        if self.shape == "rect":
            x, y, w, h = v
            return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float32)
        if self.shape == "rotated_rect":
            import cv2

            return cv2.boxPoints(((v[0], v[1]), (v[2], v[3]), v[4])).astype(np.float32)
        if self.shape in ("circle", "annulus"):  # an annulus: its outer circle
            r = v[2] if self.shape == "circle" else v[3]
            t = np.linspace(0, 2 * math.pi, 64, endpoint=False)
            return np.stack([v[0] + r * np.cos(t), v[1] + r * np.sin(t)], 1).astype(np.float32)
        return np.array(v[0], np.float32)

    def bounds(self, image_shape: tuple[int, ...]) -> tuple[int, int, int, int]:
        """Integer x, y, w, h of the bounding box, clipped to the image (w or h may be 0)."""
        h_img, w_img = image_shape[:2]
        pts = self.points()
        x0 = int(max(0, math.floor(pts[:, 0].min())))
        y0 = int(max(0, math.floor(pts[:, 1].min())))
        x1 = int(min(w_img, math.ceil(pts[:, 0].max())))
        y1 = int(min(h_img, math.ceil(pts[:, 1].max())))
        return x0, y0, max(0, x1 - x0), max(0, y1 - y0)

    def mask(self, image_shape: tuple[int, ...]) -> np.ndarray:
        """A uint8 H x W mask, 255 inside the ROI."""
        import cv2

        m = np.zeros(image_shape[:2], np.uint8)
        if self.shape == "rect":
            x, y, w, h = self.bounds(image_shape)
            m[y:y + h, x:x + w] = 255
        elif self.shape == "circle":
            cv2.circle(m, (round(self.values[0]), round(self.values[1])), round(self.values[2]), 255, -1)
        elif self.shape == "annulus":
            centre = (round(self.values[0]), round(self.values[1]))
            cv2.circle(m, centre, round(self.values[3]), 255, -1)
            if self.values[2] > 0:
                cv2.circle(m, centre, round(self.values[2]), 0, -1)
        else:
            cv2.fillPoly(m, [np.round(self.points()).astype(np.int32)], 255)
        return m


def path_text(p: Path) -> str:
    """A path parameter's text: Path("") means "none chosen" and becomes "", not "."."""
    return str(p) if p.parts or p.is_absolute() else ""


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


# ---------------------------------------------------------------- the kind table
# One table from a parameter kind to its behaviour (the way magicgui maps types to widgets): the
# annotation that declares it, how a value is checked and normalised, written to JSON, parsed from
# a command line, and given to the node at run time. The inspector extends it with an editor per
# kind (gui/param_editors.py); nothing else switches on ``kind``.
def _number(p: "ParamSpec", value: Any, integer: bool) -> Any:
    what = "an integer" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ParamError(f"{p.name}: expected {what}, got {value!r}")
    if integer:
        if float(value) != int(value):
            raise ParamError(f"{p.name}: expected an integer, got {value!r}")
        value = int(value)
    else:
        value = float(value)
        if not math.isfinite(value):
            raise ParamError(f"{p.name}: expected a finite number, got {value!r}")
    p._check_range(value)
    return value


def _bool(p: "ParamSpec", value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ParamError(f"{p.name}: expected true or false, got {value!r}")
    return bool(value)


def _str(p: "ParamSpec", value: Any) -> str:
    if not isinstance(value, str):
        raise ParamError(f"{p.name}: expected text, got {value!r}")
    if p.max_chars is not None and len(value) > p.max_chars:
        raise ParamError(f"{p.name}: {len(value):,} characters, more than the {p.max_chars:,} allowed")
    if p.template_fields is not None:
        from workbench.core.templates import template_problem

        problem = template_problem(value, p.template_fields)
        if problem:
            raise ParamError(f"{p.name}: {problem}")
    return value


def _enum(p: "ParamSpec", value: Any) -> Any:
    if isinstance(value, p.enum):
        return value
    if isinstance(value, str) and value in p.enum.__members__:
        return p.enum[value]
    raise ParamError(f"{p.name}: {value!r} is not one of {', '.join(p.choices)}")


def _path(p: "ParamSpec", value: Any) -> str:
    if isinstance(value, Path):
        value = path_text(value)
    if not isinstance(value, str):
        raise ParamError(f"{p.name}: expected a path, got {value!r}")
    return value


def _color(p: "ParamSpec", value: Any) -> Color:
    if isinstance(value, str):
        value = p._named(Color.from_json, value)
    if not isinstance(value, Color) or not all(0 <= c <= 255 for c in (value.r, value.g, value.b)):
        raise ParamError(f"{p.name}: expected a colour, got {value!r}")
    return value


def _roi(p: "ParamSpec", value: Any) -> Roi:
    if isinstance(value, dict):
        value = p._named(Roi.from_json, value)
    if not isinstance(value, Roi):
        raise ParamError(f"{p.name}: expected an ROI, got {value!r}")
    return value


def _parse_bool(p: "ParamSpec", text: str) -> bool:
    low = text.lower()
    if low in ("1", "true", "yes", "on"):
        return True
    if low in ("0", "false", "no", "off"):
        return False
    raise ParamError(f"{p.name}: expected true or false, got {text!r}")


def _parse_enum(p: "ParamSpec", text: str) -> Any:
    match = [m for m in p.enum if m.name.lower() == text.lower()]
    return p.coerce(match[0] if match else text)


def _parse_json(p: "ParamSpec", text: str) -> Any:
    import json

    try:
        raw = json.loads(text)
    except ValueError:
        raise ParamError(f"{p.name}: cannot read {text!r} as a {p.kind}") from None
    return p.from_json(raw)


def _resolve_path(p: "ParamSpec", value: Any, ctx: Any) -> Any:
    return ctx.resolve(value, writing=p.path_mode in ("save", "save_dir")) if value else None


@dataclass(frozen=True)
class Kind:
    name: str
    annotation: Any  # the Python type that declares it (None: Enum subclasses)
    coerce: Callable[["ParamSpec", Any], Any]
    to_json: Callable[[Any], Any] = staticmethod(lambda v: v)
    parse: Callable[["ParamSpec", str], Any] = staticmethod(lambda p, text: p.coerce(text))
    run_value: Callable[["ParamSpec", Any, Any], Any] = staticmethod(lambda p, v, ctx: v)


PARAM_KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("int", int, lambda p, v: _number(p, v, True), parse=_parse_json),
    Kind("float", float, lambda p, v: _number(p, v, False), parse=_parse_json),
    Kind("bool", bool, _bool, parse=_parse_bool),
    Kind("str", str, _str),
    Kind("enum", None, _enum, to_json=lambda v: v.name, parse=_parse_enum),
    Kind("path", Path, _path, run_value=_resolve_path),
    Kind("color", Color, _color, to_json=lambda v: v.to_json()),
    Kind("roi", Roi, _roi, to_json=lambda v: v.to_json(), parse=_parse_json),
)}
KINDS = tuple(PARAM_KINDS)


def kind_of(annotation: Any) -> str | None:
    """The kind a parameter annotation declares (None: not a parameter type)."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return "enum"
    return next((k.name for k in PARAM_KINDS.values() if k.annotation is annotation), None)


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: str
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    enum: type[enum.Enum] | None = None
    path_mode: str = "open"
    path_filter: str = ""
    optional: bool = False  # None is an accepted value (e.g. "no ROI": whole image)
    label: str = ""
    help: str = ""
    follows_depth: bool = False  # a pixel value: the GUI's range follows the input image's depth
    active_when: ActiveWhen | None = None  # only used while another parameter has one of these values
    template_fields: tuple[str, ...] | None = None  # a str parameter that is a name template
    max_chars: int | None = None  # a str parameter's length bound

    def is_active(self, params: dict) -> bool:
        """False when the parameter has no effect with these parameter values (shown greyed out)."""
        if self.active_when is None:
            return True
        v = params.get(self.active_when.param)
        return getattr(v, "name", v) in self.active_when.values

    @property
    def choices(self) -> list[str]:
        return [m.name for m in self.enum] if self.enum else []

    # -- values ------------------------------------------------------------------------
    def coerce(self, value: Any) -> Any:
        """Check a Python value and normalise it (e.g. 3.0 -> 3 for ints). Raises ParamError."""
        if value is None:
            if self.optional:
                return None
            raise ParamError(f"{self.name}: a value is required")
        return PARAM_KINDS[self.kind].coerce(self, value)

    def _named(self, parse, raw: Any) -> Any:
        """parse(raw), with this parameter's name in front of its ParamError."""
        try:
            return parse(raw)
        except ParamError as exc:
            raise ParamError(f"{self.name}: {exc}") from None

    def _check_range(self, v: float) -> None:
        lo, hi = self.minimum, self.maximum
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ParamError(f"{self.name}: {v:g} is out of range [{_g(lo, '-inf')}, {_g(hi, 'inf')}]")

    def to_json(self, value: Any) -> Any:
        return None if value is None else PARAM_KINDS[self.kind].to_json(value)

    def from_json(self, raw: Any) -> Any:
        try:
            return self.coerce(raw)
        except ParamError:
            raise
        except Exception as exc:  # malformed JSON value of an unexpected shape
            raise ParamError(f"{self.name}: invalid value {raw!r} ({exc})") from None

    def parse_text(self, text: str) -> Any:
        """Parse a value typed on a command line (--set NODE.PARAM=VALUE)."""
        return PARAM_KINDS[self.kind].parse(self, text)

    def run_value(self, value: Any, ctx: Any) -> Any:
        """The value the node function receives (a path is resolved against the run's folders)."""
        return PARAM_KINDS[self.kind].run_value(self, value, ctx)

    def describe(self) -> dict:
        """The catalog entry (workbench nodes --json, docs, GUI)."""
        d: dict[str, Any] = {"name": self.name, "type": self.kind, "default": self.to_json(self.default)}
        if self.minimum is not None:
            d["min"] = self.minimum
        if self.maximum is not None:
            d["max"] = self.maximum
        if self.step is not None:
            d["step"] = self.step
        if self.enum:
            d["choices"] = self.choices
        if self.kind == "path":
            d["mode"] = self.path_mode
            if self.path_filter:
                d["filter"] = self.path_filter
        if self.optional:
            d["optional"] = True
        if self.template_fields is not None:
            d["fields"] = list(self.template_fields)
        if self.help:
            d["help"] = self.help
        if self.follows_depth:
            d["follows_depth"] = True
        if self.active_when is not None:
            d["active_when"] = {self.active_when.param: list(self.active_when.values)}
        return d


def _g(x: float | None, none: str) -> str:
    return none if x is None else f"{x:g}"
