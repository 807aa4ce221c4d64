"""Arithmetic family: add, subtract, absdiff, blend, mask logic, apply mask, golden compare."""

import cv2
import numpy as np
import pytest
from skimage import data

from workbench.core.errors import NodeInputError
from workbench.core.params import Roi
from workbench.core.types import MeasurementSet, RegionSet
from workbench.nodes.arithmetic._common import convert_dtype
from workbench.nodes.arithmetic.absdiff import absdiff
from workbench.nodes.arithmetic.add import add
from workbench.nodes.arithmetic.apply_mask import apply_mask
from workbench.nodes.arithmetic.bitwise_and import bitwise_and
from workbench.nodes.arithmetic.bitwise_not import bitwise_not
from workbench.nodes.arithmetic.bitwise_or import bitwise_or
from workbench.nodes.arithmetic.bitwise_xor import bitwise_xor
from workbench.nodes.arithmetic.golden_compare import golden_compare
from workbench.nodes.arithmetic.subtract import subtract
from workbench.nodes.arithmetic.weighted_blend import weighted_blend


def full(v, dtype=np.uint8, shape=(4, 5)):
    return np.full(shape, v, dtype)


def test_add_subtract_absdiff_saturate():
    a, b = full(200), full(100)
    assert add(a, b).max() == 255 and add(a, b).dtype == np.uint8
    assert subtract(b, a).max() == 0 and subtract(a, b).min() == 100
    assert absdiff(b, a).min() == 100 and absdiff(a, b).max() == 100
    f = subtract(full(0.25, np.float32), full(0.5, np.float32))
    assert f.dtype == np.float32 and f[0, 0] == pytest.approx(-0.25)  # float keeps the sign
    u16 = add(full(60000, np.uint16), full(10000, np.uint16))
    assert u16.dtype == np.uint16 and u16.max() == 65535


def test_gray_and_colour_mixed_and_dtype_conversion():
    gray = full(10)
    colour = np.zeros((4, 5, 3), np.uint8)
    colour[..., 2] = 50  # red
    out = add(gray, colour)
    assert out.shape == (4, 5, 3) and out[0, 0].tolist() == [10, 10, 60]
    assert add(colour, gray).shape == (4, 5, 3)
    # b converted to a's dtype on the full scale: 16-bit 65535 == 8-bit 255 == float 1.0
    assert add(full(0), full(65535, np.uint16)).max() == 255
    assert absdiff(full(0.0, np.float32), full(255)).max() == pytest.approx(1.0)
    assert convert_dtype(full(1.0, np.float32), np.uint16).max() == 65535
    assert convert_dtype(full(255), np.uint16).max() == 65535


def test_size_mismatch_names_both_shapes():
    with pytest.raises(NodeInputError, match=r"a is 5x4 gray uint8 but b is 6x3 3-channel uint8"):
        add(full(1), np.zeros((3, 6, 3), np.uint8))
    with pytest.raises(NodeInputError, match="sizes must match"):
        bitwise_and(full(255), full(255, shape=(2, 2)))
    with pytest.raises(NodeInputError, match="image is 5x4 but mask is 2x2"):
        apply_mask(full(1), full(255, shape=(2, 2)))


def test_weighted_blend():
    cam = data.camera()
    out = weighted_blend(cam, 255 - cam, alpha=0.5, beta=0.5)
    assert np.abs(out.astype(int) - 128).max() <= 1  # x/2 + (255-x)/2 = 127.5
    assert np.array_equal(weighted_blend(cam, cam, alpha=1.0, beta=0.0), cam)
    assert weighted_blend(full(100), full(100), alpha=1, beta=1, gamma=10).max() == 210
    assert weighted_blend(full(100), full(100), alpha=2, beta=2).max() == 255  # saturated


def test_mask_logic():
    a = np.zeros((10, 10), np.uint8)
    a[:, :6] = 255
    b = np.zeros((10, 10), np.uint8)
    b[:, 4:] = 255
    assert (bitwise_and(a, b) > 0).sum() == 20  # columns 4, 5
    assert (bitwise_or(a, b) > 0).sum() == 100
    assert (bitwise_xor(a, b) > 0).sum() == 80
    assert np.array_equal(bitwise_not(a), 255 - a)


def test_apply_mask():
    cam = cv2.cvtColor(data.camera(), cv2.COLOR_GRAY2BGR)
    m = Roi.circle(256, 256, 100).mask(cam.shape)
    out = apply_mask(cam, m)
    assert out[0, 0].tolist() == [0, 0, 0] and np.array_equal(out[256, 256], cam[256, 256])
    inv = apply_mask(cam, m, invert=True, value=300)  # clipped to 255 for uint8
    assert inv[256, 256].tolist() == [255, 255, 255] and np.array_equal(inv[0, 0], cam[0, 0])
    f = apply_mask(data.camera().astype(np.float32) / 255, m, value=0.5)
    assert f.dtype == np.float32 and f[0, 0] == 0.5


def defective_coins():
    golden = data.coins()
    img = golden.copy()
    cv2.circle(img, (100, 100), 6, 255, -1)  # a bright spot, area ~113
    cv2.rectangle(img, (250, 200), (269, 209), 0, -1)  # a dark scratch, 20x10 = 200
    img[50, 300] = 255  # a single hot pixel: below min_area
    return img, golden


def test_golden_compare_finds_the_defects():
    img, golden = defective_coins()
    out = golden_compare(img, golden, blur_sigma=0.0, threshold=40, min_area=10)
    assert isinstance(out.regions, RegionSet) and isinstance(out.measurements, MeasurementSet)
    m = out.measurements.values
    assert m["defect_count"] == 2
    assert m["max_defect_area"] >= 150 and m["max_defect_area"] <= 200
    assert out.measurements.units["max_defect_area"] == "px²"
    boxes = sorted((s["x"], s["y"]) for s in out.regions.stats)
    assert boxes[0] == pytest.approx((94, 94), abs=1) and boxes[1][0] >= 250
    assert out.defects[100, 100] == 255 and out.defects[50, 300] == 0
    assert out.difference.dtype == np.uint8 and out.difference[50, 300] > 40
    assert 0 < m["diff_mean"] < 2


def test_golden_compare_identical_roi_colour_and_16bit():
    img, golden = defective_coins()
    same = golden_compare(golden, golden)
    assert same.measurements.values == {"defect_count": 0, "max_defect_area": 0, "diff_mean": 0}
    # an ROI that leaves out the spot at (100, 100)
    right = golden_compare(cv2.cvtColor(img, cv2.COLOR_GRAY2BGR), golden, blur_sigma=0,
                           roi=Roi.rect(200, 0, 184, 303))
    assert right.measurements.values["defect_count"] == 1 and right.defects[100, 100] == 0
    u16 = golden_compare(img.astype(np.uint16) * 257, golden, blur_sigma=0, threshold=40 * 257)
    assert u16.difference.dtype == np.uint16 and u16.measurements.values["defect_count"] == 2
    with pytest.raises(NodeInputError, match="image is .* but golden is"):
        golden_compare(img, golden[:100])
