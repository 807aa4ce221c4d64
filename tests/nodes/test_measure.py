import math

import cv2
import numpy as np
import pytest

from workbench.core.errors import NodeInputError, ParamError
from workbench.core.params import Roi
from workbench.core.types import MeasurementSet, RegionSet
from workbench.nodes.measure._common import EdgeMode, Polarity
from workbench.nodes.measure.angle_between_lines import angle_between_lines
from workbench.nodes.measure.arc_caliper import arc_caliper
from workbench.nodes.measure.caliper import caliper
from workbench.nodes.measure.circle_gauge import circle_gauge
from workbench.nodes.measure.histogram import Channel, histogram
from workbench.nodes.measure.intensity_stats import intensity_stats
from workbench.nodes.measure.line_angle import line_angle
from workbench.nodes.measure.point_distance import point_distance
from workbench.nodes.measure.point_line_distance import point_line_distance
from workbench.nodes.measure.scale_to_mm import scale_to_mm


def bar_image():
    img = np.zeros((200, 300), np.uint8)
    cv2.rectangle(img, (50, 40), (149, 160), 255, -1)  # 100 px wide
    return img


def disc(cx, cy, r, size=200, ss=4):
    """Anti-aliased disc (exact area coverage by supersampling)."""
    yy, xx = np.mgrid[0:size * ss, 0:size * ss] / ss + 0.5 / ss - 0.5
    big = ((xx - cx) ** 2 + (yy - cy) ** 2 < r * r).astype(np.float32)
    return (cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA) * 255).round().astype(np.uint8)


# ---------------------------------------------------------------- caliper

def test_caliper_pairs_width_of_a_100px_bar():
    r = caliper(bar_image(), 0, 100, 299, 100, mode=EdgeMode.PAIRS, polarity=Polarity.RISING)
    m = r.measurements.values
    assert m["pair_count"] == 1
    assert m["width"] == pytest.approx(100, abs=1)
    assert m["position_0"] == pytest.approx(49.5, abs=0.5)
    assert r.measurements.units["width"] == "px"
    assert len(r.edges) == 2
    assert r.edges.stats[0]["cx"] == pytest.approx(49.5, abs=0.5)
    assert r.edges.stats[0]["cy"] == pytest.approx(100)


def test_caliper_polarity_and_first_strongest():
    img = bar_image()
    falling = caliper(img, 0, 100, 299, 100, mode=EdgeMode.FIRST, polarity=Polarity.FALLING)
    assert falling.measurements.values["position_0"] == pytest.approx(149.5, abs=0.5)
    # dark bar on light background: pairs starting with a rising edge find none
    inv = 255 - img
    light_first = caliper(inv, 0, 100, 299, 100, mode=EdgeMode.PAIRS, polarity=Polarity.RISING)
    assert light_first.measurements.values["pair_count"] == 0
    dark = caliper(inv, 0, 100, 299, 100, mode=EdgeMode.PAIRS, polarity=Polarity.FALLING)
    assert dark.measurements.values["width"] == pytest.approx(100, abs=1)
    # strongest: a faint step and a strong step
    img2 = np.zeros((50, 200), np.uint8)
    img2[:, 60:] = 40
    img2[:, 120:] = 240
    s = caliper(img2, 0, 25, 199, 25, mode=EdgeMode.STRONGEST)
    assert s.measurements.values["edge_count"] == 1
    assert s.measurements.values["position_0"] == pytest.approx(119.5, abs=0.5)
    assert caliper(img2, 0, 25, 199, 25, threshold=30).measurements.values["edge_count"] == 1


def test_caliper_diagonal_and_reverse_direction():
    img = bar_image()
    r = caliper(img, 299, 100, 0, 100, mode=EdgeMode.PAIRS)  # walks right to left
    assert r.measurements.values["width"] == pytest.approx(100, abs=1)
    # at 45° the bar crosses a 100*sqrt(2) length of line
    d = caliper(img, 0, 0, 199, 199, mode=EdgeMode.PAIRS, width=1)
    assert d.measurements.values["width"] == pytest.approx(100 * math.sqrt(2), abs=1.5)


def test_caliper_depths_and_colour_agree():
    img = bar_image()
    base = caliper(img, 0, 100, 299, 100, mode=EdgeMode.PAIRS).measurements.values["width"]
    for variant in (img.astype(np.uint16) * 257, img.astype(np.float32) / 255, cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)):
        w = caliper(variant, 0, 100, 299, 100, mode=EdgeMode.PAIRS).measurements.values["width"]
        assert w == pytest.approx(base, abs=1e-3)


def test_caliper_bad_line():
    with pytest.raises(ParamError):
        caliper(bar_image(), 5, 5, 5, 5)


# ---------------------------------------------------------------- arc caliper

def test_arc_caliper_finds_quadrant_edges():
    img = np.zeros((200, 200), np.uint8)
    img[:100, 100:] = 255  # the top-right quadrant, i.e. angles -90..0
    r = arc_caliper(img, 100, 100, 50, -180, 180, mode=EdgeMode.PAIRS)
    m = r.measurements.values
    assert m["edge_count"] == 2
    assert m["angle_0"] == pytest.approx(-90, abs=1.5)
    assert m["angle_1"] == pytest.approx(0, abs=1.5)
    assert m["width"] == pytest.approx(50 * math.pi / 2, abs=2)
    assert r.edges.stats[0]["cx"] == pytest.approx(100, abs=1)
    assert r.edges.stats[0]["cy"] == pytest.approx(50, abs=1)


def test_arc_caliper_too_short():
    with pytest.raises(ParamError):
        arc_caliper(bar_image(), 10, 10, 1, 0, 10)


# ---------------------------------------------------------------- circle gauge

def test_circle_gauge_radius_and_centre():
    img = disc(100.3, 90.7, 40)
    r = circle_gauge(img, 95, 95, 45, 15)
    m = r.measurements.values
    assert m["radius"] == pytest.approx(40, abs=0.5)
    assert m["diameter"] == pytest.approx(80, abs=1)
    assert m["cx"] == pytest.approx(100.3, abs=0.3)
    assert m["cy"] == pytest.approx(90.7, abs=0.3)
    assert m["roundness"] < 0.5
    assert len(r.circle) == 1 and r.circle.stats[0]["radius"] == pytest.approx(40, abs=0.5)
    assert len(r.points) == 72


def test_circle_gauge_plain_drawn_circle_16bit_and_ellipse_roundness():
    img = np.zeros((200, 200), np.uint8)
    cv2.circle(img, (100, 100), 40, 255, -1)
    r16 = circle_gauge(img.astype(np.uint16) * 257, 100, 100, 40, 15).measurements.values
    assert r16["radius"] == pytest.approx(40.3, abs=0.5)
    ell = np.zeros((200, 200), np.uint8)
    cv2.ellipse(ell, (100, 100), (48, 36), 0, 0, 360, 255, -1)
    e = circle_gauge(ell, 100, 100, 42, 15).measurements.values
    assert e["roundness"] == pytest.approx(12, abs=2)


def test_circle_gauge_nothing_found():
    with pytest.raises(NodeInputError, match="rays"):
        circle_gauge(np.zeros((64, 64), np.uint8))


# ---------------------------------------------------------------- points, lines, angles

def test_point_distance_params_and_regions():
    r = point_distance(x1=0, y1=0, x2=30, y2=40)
    assert r.measurements.values["distance"] == pytest.approx(50)
    assert r.measurements.values["angle"] == pytest.approx(math.degrees(math.atan2(40, 30)))
    a = RegionSet([np.array([[[0, 0]]], np.int32)], [{"cx": 10.0, "cy": 10.0, "area": 5.0}], (100, 100))
    b = RegionSet([np.array([[[0, 0]]], np.int32)] * 2,
                  [{"cx": 0.0, "cy": 0.0, "area": 1.0}, {"cx": 10.0, "cy": 30.0, "area": 9.0}], (100, 100))
    r2 = point_distance(a, b)
    assert r2.measurements.values["distance"] == pytest.approx(20)  # largest region of b
    assert len(r2.line) == 1 and r2.line.stats[0]["cy"] == pytest.approx(20)
    with pytest.raises(NodeInputError):
        point_distance(RegionSet(), None)


def test_point_line_distance():
    r = point_line_distance(px=5, py=7, x1=0, y1=0, x2=10, y2=0)
    m = r.measurements.values
    assert m["distance"] == pytest.approx(7)
    assert m["signed_distance"] == pytest.approx(7)  # below the line = clockwise side in image coords
    assert (m["foot_x"], m["foot_y"]) == (pytest.approx(5), pytest.approx(0))
    diag = point_line_distance(px=0, py=10, x1=0, y1=0, x2=10, y2=10).measurements.values
    assert diag["distance"] == pytest.approx(10 / math.sqrt(2))
    with pytest.raises(ParamError):
        point_line_distance(x1=1, y1=1, x2=1, y2=1)


def test_line_angle_and_angle_between_lines():
    m = line_angle(0, 0, 10, 10).measurements.values
    assert m["angle"] == pytest.approx(45) and m["length"] == pytest.approx(10 * math.sqrt(2))
    assert line_angle(10, 0, 0, 0).measurements.values["orientation"] == pytest.approx(0)
    a = angle_between_lines(0, 0, 10, 0, 5, -5, 5, 5).values
    assert a["angle"] == pytest.approx(90)
    assert (a["ix"], a["iy"]) == (pytest.approx(5), pytest.approx(0))
    b = angle_between_lines(0, 0, 10, 0, 10, 10, 0, 0).values  # 45° lines, B pointing backwards
    assert b["angle"] == pytest.approx(45)
    assert "ix" not in angle_between_lines(0, 0, 10, 0, 0, 5, 10, 5).values
    with pytest.raises(ParamError):
        angle_between_lines(0, 0, 0, 0)


# ---------------------------------------------------------------- statistics

def test_intensity_stats_roi_mask_and_colour():
    img = np.zeros((100, 100), np.uint8)
    img[:, 50:] = 200
    m = intensity_stats(img).values
    assert m["mean"] == pytest.approx(100) and m["min"] == 0 and m["max"] == 200 and m["median"] == 100
    assert intensity_stats(img, roi=Roi.rect(60, 0, 20, 20)).values["std"] == pytest.approx(0)
    mask = np.zeros((100, 100), np.uint8)
    mask[:, :10] = 255
    mm = intensity_stats(img, mask=mask)
    assert mm.values["max"] == 0 and mm.values["area"] == 1000 and mm.units["area"] == "px²"
    col = np.zeros((10, 10, 3), np.uint8)
    col[..., 2] = 255
    c = intensity_stats(col).values
    assert c["mean_r"] == 255 and c["mean_b"] == 0 and c["mean"] == pytest.approx(76, abs=1)
    assert intensity_stats(img.astype(np.uint16) * 257).values["max"] == 200 * 257
    with pytest.raises(NodeInputError, match="no pixels"):
        intensity_stats(img, roi=Roi.rect(500, 500, 5, 5))
    with pytest.raises(NodeInputError, match="mask"):
        intensity_stats(img, mask=np.zeros((5, 5), np.uint8))


def test_histogram_bins_channels_depths():
    img = np.zeros((10, 10), np.uint8)
    img[:5] = 255
    h = histogram(img, bins=4).values
    assert [h[f"bin_{i}"] for i in range(4)] == [50, 0, 0, 50]
    assert h["bin_width"] == 64 and h["count"] == 100
    hn = histogram(img, bins=4, normalize=True).values
    assert hn["bin_0"] == pytest.approx(0.5)
    h16 = histogram(img.astype(np.uint16) * 257, bins=4).values
    assert h16["bin_3"] == 50
    hf = histogram(img.astype(np.float32) / 255, bins=4).values
    assert hf["bin_3"] == 50
    col = np.zeros((4, 4, 3), np.uint8)
    col[..., 1] = 255
    assert histogram(col, bins=2, channel=Channel.GREEN).values["bin_1"] == 16
    assert histogram(col, bins=2, channel=Channel.BLUE).values["bin_0"] == 16
    with pytest.raises(NodeInputError, match="colour"):
        histogram(img, channel=Channel.RED)


def test_scale_to_mm_units():
    m = MeasurementSet().add("width", 100, "px").add("area", 400, "px²").add("angle", 30, "°").add("count", 3)
    out = scale_to_mm(m, mm_per_px=0.5)
    assert out.values == {"width": 50, "area": 100, "angle": 30, "count": 3}
    assert out.units == {"width": "mm", "area": "mm²", "angle": "°"}
    assert scale_to_mm(m, 0.1).values["width"] == pytest.approx(10)  # linked scale overrides
    with pytest.raises(NodeInputError):
        scale_to_mm(m, 0.0)


def test_merge_measurements_prefixes_and_order():
    from workbench.nodes.measure.merge_measurements import merge_measurements

    a = MeasurementSet().add("width", 10, "px").add("count", 2)
    b = MeasurementSet().add("width", 20, "px").add("radius", 5, "px")
    m = merge_measurements(a, b)
    assert m.values == {"width": 20, "count": 2, "radius": 5}
    p = merge_measurements(a, None, b, prefix_a="left_", prefix_c="right_")
    assert p.values == {"left_width": 10, "left_count": 2, "right_width": 20, "right_radius": 5}
    assert p.units["right_radius"] == "px" and "left_count" not in p.units
    with pytest.raises(ValueError, match="link at least one"):
        merge_measurements()
