"""Regions family: contours, filters, fits, moments and Hough transforms on drawn shapes."""

import math

import cv2
import numpy as np
import pytest

from workbench.core.errors import NodeInputError, ParamError
from workbench.core.params import Roi
from workbench.core.types import NO_VALUE, MeasurementSet, RegionSet
from workbench.nodes.regions.approx_polygon import approx_polygon
from workbench.nodes.regions.convex_hull import convex_hull
from workbench.nodes.regions.find_contours import Retrieval, find_contours
from workbench.nodes.regions.fit_circle import CircleFit, fit_circle
from workbench.nodes.regions.fit_ellipse import fit_ellipse
from workbench.nodes.regions.fit_line import fit_line
from workbench.nodes.regions.hough_circles import HoughMethod, hough_circles
from workbench.nodes.regions.hough_lines import hough_lines
from workbench.nodes.regions.min_area_rect import min_area_rect
from workbench.nodes.regions.moments import moments
from workbench.nodes.regions.region_filter import region_filter
from workbench.nodes.regions.sort_regions import Order, sort_regions


def shapes_mask():
    """A disc r=20 at (50, 50), a 60x20 rectangle at (100..160, 40..60), a ring (hole) at (60, 140)."""
    m = np.zeros((200, 220), np.uint8)
    cv2.circle(m, (50, 50), 20, 255, -1)
    cv2.rectangle(m, (100, 40), (159, 59), 255, -1)
    cv2.circle(m, (60, 140), 30, 255, -1)
    cv2.circle(m, (60, 140), 12, 0, -1)
    return m


def regions_of(mask):
    return find_contours(mask).regions


def rotated_rect_mask(cx, cy, w, h, angle_ccw, shape=(200, 200)):
    m = np.zeros(shape, np.uint8)
    box = cv2.boxPoints(((cx, cy), (w, h), -angle_ccw))  # OpenCV's box angle is clockwise on screen
    cv2.fillPoly(m, [np.round(box).astype(np.int32)], 255)
    return m


def test_find_contours_external_and_holes():
    out = find_contours(shapes_mask())
    assert out.measurements.values["count"] == 3
    disc = min(out.regions.stats, key=lambda s: math.hypot(s["cx"] - 50, s["cy"] - 50))
    assert disc["area"] == pytest.approx(math.pi * 400, rel=0.05)
    assert disc["circularity"] > 0.85
    assert (disc["cx"], disc["cy"]) == pytest.approx((50, 50), abs=0.5)
    assert out.regions.contours[0].dtype == np.int32 and out.regions.contours[0].shape[1:] == (1, 2)
    both = find_contours(shapes_mask(), mode=Retrieval.ALL)
    assert len(both.regions) == 4
    assert sum(s["is_hole"] for s in both.regions.stats) == 1
    hole = next(s for s in both.regions.stats if s["is_hole"])
    assert (hole["cx"], hole["cy"]) == pytest.approx((60, 140), abs=1)


def test_find_contours_roi_and_min_area_and_bad_input():
    out = find_contours(shapes_mask(), roi=Roi.rect(0, 0, 90, 90))
    assert len(out.regions) == 1
    assert len(find_contours(shapes_mask(), min_area=1500).regions) == 1  # only the ring (~2370 px²)
    with pytest.raises(NodeInputError):
        find_contours(np.zeros((10, 10, 3), np.uint8))


def test_region_filter_by_shape():
    regs = regions_of(shapes_mask())
    long_ = region_filter(regs, min_aspect_ratio=2.5)
    assert len(long_.regions) == 1 and long_.regions.stats[0]["aspect_ratio"] == pytest.approx(3, rel=0.1)
    assert long_.measurements.values["rejected"] == 2
    round_ = region_filter(regs, min_circularity=0.8)
    assert len(round_.regions) == 2  # disc and ring (its outer outline)
    boxy = region_filter(regs, min_extent=0.95)
    assert len(boxy.regions) == 1 and boxy.regions.stats[0]["cx"] == pytest.approx(129.5, abs=1)
    # stats computed when the input has none
    bare = RegionSet(list(regs.contours), [{} for _ in regs.contours], regs.image_shape)
    assert len(region_filter(bare, max_area=2000).regions) == 2
    with pytest.raises(ParamError):
        region_filter(regs, min_area=10, max_area=5)


def test_convex_hull_fills_dent():
    m = np.zeros((100, 100), np.uint8)
    cv2.rectangle(m, (10, 10), (89, 89), 255, -1)
    cv2.rectangle(m, (40, 10), (59, 49), 0, -1)  # a notch 40 px deep from the top
    hull = convex_hull(regions_of(m))
    st = hull.stats[0]
    assert st["area"] == pytest.approx(79 * 79, rel=0.02)
    assert st["solidity"] == pytest.approx((79 * 79 - 20 * 40) / (79 * 79), abs=0.02)
    assert st["defect_depth"] == pytest.approx(40, abs=1.5)


@pytest.mark.parametrize("angle", [0, 30, -45, 80])
def test_min_area_rect_angle_and_size(angle):
    rect = min_area_rect(regions_of(rotated_rect_mask(100, 100, 100, 40, angle)))
    st = rect.stats[0]
    assert (st["width"], st["height"]) == pytest.approx((100, 40), abs=2.5)
    assert (st["cx"], st["cy"]) == pytest.approx((100, 100), abs=1)
    assert st["angle"] == pytest.approx(angle, abs=1.5)
    assert rect.contours[0].shape == (4, 1, 2)


@pytest.mark.parametrize("angle", [0, 25, -60])
def test_fit_ellipse_axes_and_angle(angle):
    m = np.zeros((200, 200), np.uint8)
    cv2.ellipse(m, (100, 90), (60, 25), -angle, 0, 360, 255, -1)
    out = fit_ellipse(regions_of(m))
    v = out.measurements.values
    assert (v["cx"], v["cy"]) == pytest.approx((100, 90), abs=1)
    assert (v["major"], v["minor"]) == pytest.approx((120, 50), abs=3)
    assert v["angle"] == pytest.approx(angle, abs=2)
    assert out.measurements.units["angle"] == "°"
    assert len(out.ellipses) == 1


def test_fit_ellipse_index_and_empty():
    regs = regions_of(shapes_mask())
    i = next(k for k, s in enumerate(regs.stats) if abs(s["cx"] - 50) < 2)
    assert fit_ellipse(regs, index=i).measurements.values["major"] == pytest.approx(40, abs=2)
    empty = fit_ellipse(RegionSet([], [], (10, 10)))
    assert empty.measurements is NO_VALUE and len(empty.ellipses) == 0
    with pytest.raises(NodeInputError):
        fit_ellipse(regs, index=7)


@pytest.mark.parametrize("method", list(CircleFit))
def test_fit_circle_radius(method):
    m = np.zeros((120, 120), np.uint8)
    cv2.circle(m, (60, 55), 20, 255, -1)
    v = fit_circle(regions_of(m), method=method).measurements.values
    assert (v["cx"], v["cy"]) == pytest.approx((60, 55), abs=0.7)
    assert v["radius"] == pytest.approx(20, abs=1.2)
    assert v["rms"] < 1


def test_fit_circle_least_squares_on_arc():
    # only a quarter arc: least squares still recovers the centre, enclosing circle does not
    t = np.linspace(0, math.pi / 2, 40)
    arc = np.stack([100 + 50 * np.cos(t), 100 + 50 * np.sin(t)], 1)
    regs = RegionSet([np.round(arc).astype(np.int32).reshape(-1, 1, 2)], [{}], (200, 200))
    v = fit_circle(regs).measurements.values
    assert (v["cx"], v["cy"], v["radius"]) == pytest.approx((100, 100, 50), abs=1.5)
    assert fit_circle(regs, method=CircleFit.MIN_ENCLOSING).measurements.values["radius"] < 40


@pytest.mark.parametrize("angle", [0, 20, -35, 90])
def test_fit_line_angle(angle):
    m = rotated_rect_mask(100, 100, 150, 3, angle)
    out = fit_line(regions_of(m))
    v = out.measurements.values
    assert (v["angle"] - angle + 90) % 180 - 90 == pytest.approx(0, abs=1)  # an axis: ±90 are the same
    # the fitted line passes through the centre
    dist = abs(-(100 - v["x0"]) * v["vy"] + (100 - v["y0"]) * v["vx"])
    assert dist < 1
    assert out.line.stats[0]["length"] == pytest.approx(150, abs=4)
    assert fit_line(RegionSet()).measurements is NO_VALUE


def test_moments_centroid_orientation_and_hu_invariance():
    a = regions_of(rotated_rect_mask(80, 120, 90, 30, 30))
    b = regions_of(rotated_rect_mask(100, 100, 90, 30, -50))
    va, vb = moments(a).values, moments(b).values
    assert (va["cx"], va["cy"]) == pytest.approx((80, 120), abs=1)
    assert va["angle"] == pytest.approx(30, abs=1.5) and vb["angle"] == pytest.approx(-50, abs=1.5)
    assert va["area"] == pytest.approx(90 * 30, rel=0.05)
    assert va["hu1"] == pytest.approx(vb["hu1"], rel=0.03)
    assert moments(RegionSet()) is NO_VALUE


def test_approx_polygon_and_sort():
    regs = regions_of(shapes_mask())
    poly = approx_polygon(regs)
    rect = min(poly.stats, key=lambda s: abs(s["cx"] - 129.5))
    assert rect["corners"] == 4 and rect["convex"] == 1
    top = sort_regions(regs, key="area", keep=1)
    assert len(top) == 1 and top.stats[0]["cy"] == pytest.approx(140, abs=1)
    left_to_right = sort_regions(regs, key="cx", order=Order.ASCENDING)
    xs = [s["cx"] for s in left_to_right.stats]
    assert xs == sorted(xs)
    with pytest.raises(NodeInputError):
        sort_regions(regs, key="colour")


def test_hough_lines_finds_drawn_segments():
    m = np.zeros((200, 200), np.uint8)
    cv2.line(m, (20, 30), (180, 30), 255, 1)
    cv2.line(m, (50, 180), (150, 80), 255, 1)  # 45° up to the right
    out = hough_lines(m, threshold=40, min_length=50, max_gap=3)
    assert out.measurements.values["count"] >= 2
    angles = sorted(round(s["angle"]) for s in out.lines.stats)
    assert any(abs(a) <= 1 for a in angles) and any(abs(a - 45) <= 2 for a in angles)
    horiz = next(s for s in out.lines.stats if abs(s["angle"]) <= 1)
    assert horiz["length"] == pytest.approx(160, abs=4) and horiz["cy"] == pytest.approx(30, abs=1)
    assert all(c.shape == (2, 1, 2) for c in out.lines.contours)
    assert len(hough_lines(m, threshold=40, min_length=50, roi=Roi.rect(0, 0, 200, 60)).lines) == 1


def circles_image(dtype=np.uint8):
    img = np.full((200, 240), 40, np.uint8)
    cv2.circle(img, (60, 70), 25, 220, -1)
    cv2.circle(img, (170, 120), 35, 220, -1)
    if dtype == np.uint16:
        return img.astype(np.uint16) * 200
    if dtype == np.float32:
        return img.astype(np.float32) / 255
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_hough_circles_finds_discs(dtype):
    out = hough_circles(circles_image(dtype), min_radius=10, max_radius=60, min_distance=30, votes=20)
    assert out.measurements.values["count"] == 2
    found = sorted((round(s["cx"]), round(s["cy"]), s["r"]) for s in out.circles.stats)
    assert found[0][:2] == pytest.approx((60, 70), abs=2) and found[0][2] == pytest.approx(25, abs=2)
    alt = hough_circles(circles_image(dtype), method=HoughMethod.GRADIENT_ALT, votes=0.8, min_radius=10)
    assert sorted(round(s["r"]) for s in alt.circles.stats) == [25, 35]
    assert found[1][:2] == pytest.approx((170, 120), abs=2) and found[1][2] == pytest.approx(35, abs=2)


def test_hough_circles_roi_and_bad_params():
    out = hough_circles(circles_image(), min_radius=10, max_radius=60, min_distance=30, votes=20,
                        roi=Roi.rect(100, 50, 140, 150))
    assert len(out.circles) == 1 and out.circles.stats[0]["cx"] == pytest.approx(170, abs=2)
    with pytest.raises(ParamError):
        hough_circles(circles_image(), min_radius=50, max_radius=10)
    with pytest.raises(ParamError):
        hough_circles(circles_image(), method=HoughMethod.GRADIENT_ALT, votes=30)
