import numpy as np
import pytest

from workbench.core.errors import NodeInputError
from workbench.core.params import Color, Roi
from workbench.core.types import DetectionSet, MeasurementSet, RegionSet, VerdictResult
from workbench.nodes.annotate._common import fill_placeholders
from workbench.nodes.annotate.draw_boxes import draw_boxes
from workbench.nodes.annotate.draw_contours import draw_contours
from workbench.nodes.annotate.draw_measurement_lines import Connect, draw_measurement_lines
from workbench.nodes.annotate.draw_roi import draw_roi
from workbench.nodes.annotate.draw_text import draw_text
from workbench.nodes.annotate.draw_verdict import Corner, draw_verdict
from workbench.nodes.measure._common import EdgeMode
from workbench.nodes.measure.caliper import caliper

RED = Color(255, 0, 0)  # BGR (0, 0, 255)
OK, NG = VerdictResult(True), VerdictResult(False, ["count = 3, expected >= 5"])


def gray(h=100, w=120, v=0):
    return np.full((h, w), v, np.uint8)


def has(img, bgr, ys, xs, tol=40):
    """Some pixel in the window is within tol of the colour (lines are anti-aliased)."""
    d = np.abs(img[ys, xs].astype(int) - np.array(bgr)).max(axis=-1)
    return bool((d <= tol).any())


def close(px, bgr, tol=40):
    return bool(np.abs(px.astype(int) - np.array(bgr)).max() <= tol)


def test_draw_boxes_colour_and_depths():
    det = DetectionSet(boxes=np.array([[10, 20, 60, 80]], np.float32), scores=np.array([0.9], np.float32),
                       class_ids=np.array([0], np.int32), labels=["part"])
    out = draw_boxes(gray(), det, color=RED, color_by_class=False, show_labels=False, show_scores=False,
                     thickness=1)
    assert out.shape == (100, 120, 3) and out.dtype == np.uint8
    assert close(out[50, 10], (0, 0, 255)) and close(out[20, 35], (0, 0, 255))
    assert close(out[50, 35], (0, 0, 0))  # inside untouched
    ng = draw_boxes(gray(), det, NG, show_labels=False, show_scores=False, thickness=1)
    assert close(ng[50, 10], NG_BGR)
    # 16-bit and float inputs are drawn on an 8-bit copy; the input is not modified
    src = np.full((100, 120), 65535, np.uint16)
    out16 = draw_boxes(src, det, color=RED, color_by_class=False)
    assert out16.dtype == np.uint8 and close(out16[90, 100], (255, 255, 255)) and src.max() == 65535
    assert draw_boxes(np.ones((100, 120), np.float32), det).dtype == np.uint8


NG_BGR = (40, 40, 230)
OK_BGR = (60, 200, 40)


def test_draw_contours_outline_fill_and_verdict():
    sq = np.array([[[20, 20]], [[80, 20]], [[80, 70]], [[20, 70]]], np.int32)
    regs = RegionSet([sq], [{"cx": 50.0, "cy": 45.0}], (100, 120))
    out = draw_contours(gray(), regs, color=RED, thickness=1)
    assert close(out[45, 20], (0, 0, 255)) and close(out[45, 50], (0, 0, 0))
    filled = draw_contours(gray(), regs, color=RED, fill=0.5)
    assert int(filled[45, 50, 2]) == pytest.approx(127, abs=2)
    ok = draw_contours(gray(), regs, OK, thickness=1)
    assert close(ok[45, 20], OK_BGR)
    numbered = draw_contours(gray(), regs, color=RED, show_index=True)
    assert (numbered[30:60, 35:65] == (0, 0, 255)).all(axis=-1).any()


def test_fill_placeholders_safe_format():
    m = MeasurementSet().add("count", 24).add("mean_area", 153.456, "px²")
    assert fill_placeholders("n={count} a={mean_area:.1f} {mean_area_unit}", m, {}) == "n=24 a=153.5 px²"
    assert fill_placeholders("{verdict}", None, {"verdict": "OK"}) == "OK"
    with pytest.raises(NodeInputError, match=r"\{width\} has no value \(available: count"):
        fill_placeholders("{width}", m, {})
    for bad in ("{count.__class__}", "{count[0]}", "{}", "{0}"):
        with pytest.raises(NodeInputError):
            fill_placeholders(bad, m, {})
    with pytest.raises(NodeInputError, match="braces"):
        fill_placeholders("{count", m, {})


def test_draw_text_renders_filled_text():
    m = MeasurementSet().add("count", 24)
    out = draw_text(gray(60, 200), m, text="count = {count}", color=RED, background=False, font_scale=0.6)
    assert has(out, (0, 0, 255), slice(0, 40), slice(0, 200))
    short = draw_text(gray(60, 200), m, text="{count}", color=RED, background=False, font_scale=0.6)
    assert (out[:, :, 2] > 0).sum() > 2 * (short[:, :, 2] > 0).sum()  # more text, more ink
    ng = draw_text(gray(60, 200), None, NG, background=False)
    assert has(ng, NG_BGR, slice(0, 40), slice(0, 200))
    with pytest.raises(NodeInputError, match="has no value"):
        draw_text(gray(), m, text="{width}")


def test_draw_measurement_lines_from_caliper():
    img = np.zeros((100, 300), np.uint8)
    img[20:80, 50:150] = 255
    cal = caliper(img, 0, 50, 299, 50, mode=EdgeMode.PAIRS)
    out = draw_measurement_lines(img, cal.edges, cal.measurements, color=RED)
    # the dimension line runs along y = 50 between the edges, in the colour
    assert has(out, (0, 0, 255), slice(49, 52), slice(90, 110))
    assert has(out, (0, 0, 255), slice(45, 56), slice(48, 52))  # the edge mark
    none = draw_measurement_lines(img, cal.edges, connect=Connect.NONE, color=RED)
    assert not has(none, (0, 0, 255), slice(49, 52), slice(90, 110))


def test_draw_verdict_frame_and_label():
    ok = draw_verdict(gray(), OK)
    assert close(ok[0, 60], OK_BGR) and close(ok[99, 60], OK_BGR)
    ng = draw_verdict(gray(200, 300), NG, corner=Corner.BOTTOM_RIGHT, border_width=0)
    assert close(ng[0, 0], (0, 0, 0))
    assert has(ng, NG_BGR, slice(100, 200), slice(150, 300)) and not has(ng, NG_BGR, slice(0, 80), slice(0, 100))


def test_draw_roi_shapes():
    out = draw_roi(gray(), roi=Roi.rect(10, 10, 50, 40), color=RED, thickness=1)
    assert close(out[30, 10], (0, 0, 255)) and close(out[30, 30], (0, 0, 0))
    circ = draw_roi(gray(), roi=Roi.circle(60, 50, 20), color=RED, thickness=1)
    assert has(circ, (0, 0, 255), slice(49, 52), slice(78, 83)) and close(circ[50, 60], (0, 0, 0))
    whole = draw_roi(gray(), NG, thickness=1)
    assert close(whole[0, 50], NG_BGR)
    col = draw_roi(np.full((100, 120, 3), 90, np.uint8), roi=Roi.rect(10, 10, 50, 40), label="search")
    assert col.shape == (100, 120, 3)


def test_bad_input_is_one_clear_line():
    with pytest.raises(NodeInputError, match="expected an image"):
        draw_roi("not an image")
