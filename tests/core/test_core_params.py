"""Parameter values: ROIs, colours, ParamSpec coercion, JSON and command-line text."""

from __future__ import annotations

import enum
import math
from pathlib import Path

import numpy as np
import pytest

from workbench.core.errors import ParamError
from workbench.core.params import Color, ParamSpec, Roi


# ---------------------------------------------------------------- ROI
@pytest.mark.parametrize("roi, raw", [
    (Roi.rect(1, 2, 30, 40), {"shape": "rect", "x": 1.0, "y": 2.0, "w": 30.0, "h": 40.0}),
    (Roi.rotated_rect(50, 60, 20, 10, 30), {"shape": "rotated_rect", "cx": 50.0, "cy": 60.0, "w": 20.0,
                                             "h": 10.0, "angle": 30.0}),
    (Roi.circle(5, 6, 7.5), {"shape": "circle", "cx": 5.0, "cy": 6.0, "r": 7.5}),
    (Roi.polygon([(0, 0), (10, 0), (5, 8)]), {"shape": "polygon", "points": [[0.0, 0.0], [10.0, 0.0], [5.0, 8.0]]}),
])
def test_roi_json_round_trip(roi, raw):
    assert roi.to_json() == raw
    assert Roi.from_json(raw) == roi
    assert Roi.from_json(roi.to_json()) == roi
    # ints in a file are read as the same ROI
    ints = {k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in raw.items()}
    if roi.shape != "polygon":
        assert Roi.from_json(ints) == roi


@pytest.mark.parametrize("raw, message", [
    ([1, 2, 3, 4], "expected an ROI object with shape one of rect, rotated_rect, circle, annulus, polygon"),
    ({"shape": "ellipse", "cx": 1}, "expected an ROI object with shape one of"),
    ({"x": 1, "y": 2, "w": 3, "h": 4}, "expected an ROI object with shape one of"),
    ({"shape": "rect", "x": 1, "y": 2, "w": 3}, "rect ROI needs keys x, y, w, h"),
    ({"shape": "rect", "x": 1, "y": 2, "w": 3, "h": 4, "z": 0}, "rect ROI needs keys x, y, w, h; unknown z"),
    ({"shape": "rect", "x": "1", "y": 2, "w": 3, "h": 4}, "rect ROI values must be numbers"),
    ({"shape": "rect", "x": True, "y": 2, "w": 3, "h": 4}, "rect ROI values must be numbers"),
    ({"shape": "rect", "x": float("nan"), "y": 2, "w": 3, "h": 4}, "rect ROI values must be numbers"),
    ({"shape": "rect", "x": 1, "y": 2, "w": 0, "h": 4}, "rect ROI needs positive w and h"),
    ({"shape": "rotated_rect", "cx": 1, "cy": 2, "w": 3, "h": -4, "angle": 0}, "rotated_rect ROI needs positive w and h"),
    ({"shape": "circle", "cx": 1, "cy": 2, "r": 0}, "circle ROI needs a positive r"),
    ({"shape": "polygon", "points": [[0, 0], [1, 1]]}, "polygon ROI needs at least 3 points"),
    ({"shape": "polygon", "points": [[0, 0], [1, 1], [2]]}, "polygon ROI needs at least 3 points"),
    ({"shape": "polygon", "points": [[0, 0], [1, 1], ["a", 2]]}, "polygon ROI needs at least 3 points"),
    ({"shape": "polygon", "points": "0,0 1,1 2,2"}, "polygon ROI needs at least 3 points"),
])
def test_bad_roi_dicts(raw, message):
    with pytest.raises(ParamError) as err:
        Roi.from_json(raw)
    assert message in str(err.value)


@pytest.mark.parametrize("roi, area, tol", [
    (Roi.rect(10, 20, 30, 15), 450, 0.0),
    (Roi.circle(50, 50, 20), math.pi * 20 ** 2, 0.05),
    (Roi.rotated_rect(50, 50, 40, 20, 45), 800, 0.08),
    (Roi.polygon([(10, 10), (60, 10), (10, 60)]), 50 * 50 / 2, 0.08),
])
def test_roi_mask_area(roi, area, tol):
    m = roi.mask((100, 120))
    assert m.shape == (100, 120) and m.dtype == np.uint8
    assert set(np.unique(m)) <= {0, 255}
    got = int((m > 0).sum())
    assert abs(got - area) <= tol * area + 1e-9, (got, area)


def test_roi_mask_location_and_clipping():
    m = Roi.rect(10, 20, 30, 15).mask((100, 120))
    ys, xs = np.nonzero(m)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (10, 39, 20, 34)
    # partly outside the image: clipped, not wrapped
    roi = Roi.rect(-10, 90, 30, 30)
    assert roi.bounds((100, 120)) == (0, 90, 20, 10)
    assert int((roi.mask((100, 120)) > 0).sum()) == 200
    # wholly outside: empty
    assert Roi.rect(500, 500, 5, 5).bounds((100, 120))[2:] == (0, 0)
    assert not Roi.rect(500, 500, 5, 5).mask((100, 120)).any()


def test_roi_points():
    assert Roi.rect(0, 0, 4, 2).points().tolist() == [[0, 0], [4, 0], [4, 2], [0, 2]]
    pts = Roi.circle(10, 10, 5).points()
    assert pts.shape == (64, 2) and np.allclose(np.hypot(pts[:, 0] - 10, pts[:, 1] - 10), 5, atol=1e-4)
    rr = Roi.rotated_rect(0, 0, 2, 2, 45).points()
    assert np.allclose(sorted(np.hypot(rr[:, 0], rr[:, 1])), [math.sqrt(2)] * 4, atol=1e-5)


# ---------------------------------------------------------------- colour
def test_color_parsing():
    c = Color.from_json("#ff8000")
    assert (c.r, c.g, c.b) == (255, 128, 0)
    assert c.bgr == (0, 128, 255)
    assert c.to_json() == "#ff8000"
    assert Color.from_json("#FF8000") == c
    assert Color(1, 2, 3).to_json() == "#010203"


@pytest.mark.parametrize("raw", ["ff8000", "#ff80", "#ff80001", "#gg0000", "red", 0xFF8000, None, [255, 0, 0]])
def test_color_bad_values(raw):
    with pytest.raises(ParamError, match="expected a colour like '#00ff00'"):
        Color.from_json(raw)


# ---------------------------------------------------------------- ParamSpec
class Shade(enum.Enum):
    LIGHT = "l"
    DARK = "d"


INT = ParamSpec("n", "int", 5, minimum=1, maximum=10)
FLT = ParamSpec("sigma", "float", 1.0, minimum=0.0, maximum=50.0)
BOOL = ParamSpec("flag", "bool", False)
ENUM = ParamSpec("shade", "enum", Shade.LIGHT, enum=Shade)
STR = ParamSpec("name", "str", "x")
PATH = ParamSpec("path", "path", "")
COLOR = ParamSpec("colour", "color", Color(0, 0, 0))
ROI = ParamSpec("roi", "roi", None, optional=True)


@pytest.mark.parametrize("spec, value, expected", [
    (INT, 3, 3), (INT, 3.0, 3), (INT, np.int64(4), 4), (INT, np.float32(2.0), 2),
    (FLT, 2, 2.0), (FLT, np.float64(0.5), 0.5), (FLT, 50, 50.0),
    (BOOL, True, True), (BOOL, np.bool_(False), False),
    (ENUM, "DARK", Shade.DARK), (ENUM, Shade.DARK, Shade.DARK),
    (STR, "", ""), (PATH, Path("a/b.png"), str(Path("a/b.png"))), (PATH, "c.png", "c.png"),
    (COLOR, "#0a0b0c", Color(10, 11, 12)), (COLOR, Color(1, 2, 3), Color(1, 2, 3)),
    (ROI, None, None), (ROI, {"shape": "circle", "cx": 1, "cy": 2, "r": 3}, Roi.circle(1, 2, 3)),
])
def test_coerce_accepts_and_normalises(spec, value, expected):
    got = spec.coerce(value)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("spec, value, message", [
    (INT, 3.5, "n: expected an integer, got 3.5"),
    (INT, True, "n: expected an integer, got True"),
    (INT, "3", "n: expected an integer, got '3'"),
    (INT, 11, "n: 11 is out of range [1, 10]"),
    (INT, 0, "n: 0 is out of range [1, 10]"),
    (INT, None, "n: a value is required"),
    (FLT, float("inf"), "sigma: expected a finite number"),
    (FLT, -0.1, "sigma: -0.1 is out of range [0, 50]"),
    (FLT, False, "sigma: expected a number, got False"),
    (BOOL, 1, "flag: expected true or false, got 1"),
    (ENUM, "dark", "shade: 'dark' is not one of LIGHT, DARK"),
    (ENUM, "d", "shade: 'd' is not one of LIGHT, DARK"),
    (STR, 5, "name: expected text, got 5"),
    (PATH, 5, "path: expected a path, got 5"),
    (COLOR, Color(300, 0, 0), "colour: expected a colour"),
    (COLOR, (1, 2, 3), "colour: expected a colour"),
    (ROI, "everything", "roi: expected an ROI"),
])
def test_coerce_refuses(spec, value, message):
    with pytest.raises(ParamError) as err:
        spec.coerce(value)
    assert str(err.value).startswith(message)


def test_json_forms():
    assert ENUM.to_json(Shade.DARK) == "DARK" and ENUM.from_json("DARK") is Shade.DARK
    assert COLOR.to_json(Color(255, 0, 16)) == "#ff0010"
    assert ROI.to_json(Roi.rect(1, 2, 3, 4)) == {"shape": "rect", "x": 1.0, "y": 2.0, "w": 3.0, "h": 4.0}
    assert ROI.to_json(None) is None and FLT.to_json(2.5) == 2.5
    # errors of ROI and colour values name the parameter, like all others
    with pytest.raises(ParamError, match="^roi: rect ROI needs keys x, y, w, h$"):
        ROI.from_json({"shape": "rect"})
    with pytest.raises(ParamError, match="^colour: expected a colour like '#00ff00', got 'red'$"):
        COLOR.from_json("red")
    with pytest.raises(ParamError, match=r"^shade: \['DARK'\] is not one of LIGHT, DARK$"):
        ENUM.from_json(["DARK"])
    # a malformed value that trips an unexpected exception is still a ParamError naming the parameter
    with pytest.raises(ParamError, match=r"^roi: invalid value \{'shape': \['rect'\]\} \(unhashable"):
        ROI.from_json({"shape": ["rect"]})


@pytest.mark.parametrize("spec, text, expected", [
    (INT, "7", 7), (INT, "7.0", 7), (FLT, "2.5", 2.5), (FLT, "3", 3.0), (FLT, "1e1", 10.0),
    (BOOL, "true", True), (BOOL, "Yes", True), (BOOL, "on", True), (BOOL, "1", True),
    (BOOL, "false", False), (BOOL, "NO", False), (BOOL, "off", False), (BOOL, "0", False),
    (ENUM, "DARK", Shade.DARK), (ENUM, "dark", Shade.DARK), (ENUM, "Light", Shade.LIGHT),
    (STR, "hello world", "hello world"), (STR, "42", "42"), (PATH, "images/a.png", "images/a.png"),
    (COLOR, "#00ff00", Color(0, 255, 0)),
])
def test_parse_text(spec, text, expected):
    got = spec.parse_text(text)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("spec, text, message", [
    (INT, "abc", "n: cannot read 'abc' as a int"),
    (INT, "7.5", "n: expected an integer, got 7.5"),
    (INT, "99", "n: 99 is out of range [1, 10]"),
    (INT, "true", "n: expected an integer, got True"),
    (FLT, "fast", "sigma: cannot read 'fast' as a float"),
    (FLT, "NaN", "sigma: expected a finite number"),
    (BOOL, "maybe", "flag: expected true or false, got 'maybe'"),
    (ENUM, "medium", "shade: 'medium' is not one of LIGHT, DARK"),
    (COLOR, "green", "expected a colour like '#00ff00'"),
])
def test_parse_text_refuses(spec, text, message):
    with pytest.raises(ParamError) as err:
        spec.parse_text(text)
    assert message in str(err.value)


def test_describe():
    assert INT.describe() == {"name": "n", "type": "int", "default": 5, "min": 1, "max": 10}
    assert ENUM.describe() == {"name": "shade", "type": "enum", "default": "LIGHT", "choices": ["LIGHT", "DARK"]}
    assert ROI.describe() == {"name": "roi", "type": "roi", "default": None, "optional": True}
    assert PATH.describe() == {"name": "path", "type": "path", "default": "", "mode": "open"}


def test_one_kind_table_drives_declaration_checks_json_parsing_and_run_values(tmp_path):
    import enum as _enum
    from pathlib import Path as _Path

    from workbench.core.params import KINDS, PARAM_KINDS, Color, ParamSpec, Roi, kind_of
    from workbench.core.spec import NodeContext

    class Mode(_enum.Enum):
        A = "a"

    assert KINDS == tuple(PARAM_KINDS) == ("int", "float", "bool", "str", "enum", "path", "color", "roi")
    assert [kind_of(t) for t in (int, float, bool, str, Mode, _Path, Color, Roi, list)] == [
        "int", "float", "bool", "str", "enum", "path", "color", "roi", None]
    mode = ParamSpec("mode", "enum", Mode.A, enum=Mode)
    assert mode.to_json(Mode.A) == "A" and mode.parse_text("a") is Mode.A
    out = ParamSpec("out", "path", "", path_mode="save")
    ctx = NodeContext(base_dir=tmp_path, output_dir=tmp_path / "o")
    assert out.run_value("x.png", ctx) == tmp_path / "o" / "x.png" and out.run_value("", ctx) is None
    src = ParamSpec("src", "path", "")
    assert src.run_value("x.png", ctx) == tmp_path / "x.png"
    assert ParamSpec("n", "int", 0).run_value(3, ctx) == 3


def test_annulus_roi_round_trip_and_mask():
    roi = Roi.from_json({"shape": "annulus", "cx": 50, "cy": 40, "r_inner": 10, "r_outer": 20})
    assert roi == Roi.annulus(50, 40, 10, 20) and Roi.from_json(roi.to_json()) == roi
    m = roi.mask((100, 100))
    assert m[40, 50] == 0 and m[40, 65] == 255 and m[40, 75] == 0  # the hole, the ring, outside
    assert roi.bounds((100, 100)) == (30, 20, 40, 40)
    with pytest.raises(ParamError, match="r_inner < r_outer"):
        Roi.from_json({"shape": "annulus", "cx": 5, "cy": 5, "r_inner": 9, "r_outer": 3})
