"""Codes family: QR codes, 1D barcodes (an EAN-13 drawn from its bit pattern) and ArUco markers."""

import cv2
import numpy as np
import pytest

from workbench.core.errors import NodeInputError, ParamError
from workbench.core.params import Roi
from workbench.nodes.codes.aruco_detect import ArucoDictionary, aruco_detect
from workbench.nodes.codes.barcode_decode import Effort, barcode_decode
from workbench.nodes.codes.qr_decode import qr_decode
from workbench.nodes.codes.qr_generate import qr_generate


def qr_image(text, module=6, quiet=4):
    code = cv2.QRCodeEncoder.create().encode(text)
    code = cv2.copyMakeBorder(code, quiet, quiet, quiet, quiet, cv2.BORDER_CONSTANT, value=255)
    return cv2.resize(code, None, fx=module, fy=module, interpolation=cv2.INTER_NEAREST)


def test_qr_decode_single_code_and_position():
    code = qr_image("LOT-2026-0042")
    page = np.full((400, 500), 255, np.uint8)
    page[100:100 + code.shape[0], 150:150 + code.shape[1]] = code
    out = qr_decode(page)
    assert out.text == "LOT-2026-0042"
    assert out.measurements.values["count"] == 1
    assert out.codes.labels == ["LOT-2026-0042"] and out.codes.polygons[0].shape == (4, 2)
    x1, y1, x2, y2 = out.codes.boxes[0]
    assert 150 <= x1 <= 150 + 6 * 6 and x2 <= 150 + code.shape[1] and 100 <= y1 <= 100 + 6 * 6


def test_qr_decode_several_codes_colour_and_16bit():
    a, b = qr_image("first"), qr_image("second")
    page = np.full((300, 600), 255, np.uint8)
    page[40:40 + a.shape[0], 20:20 + a.shape[1]] = a
    page[40:40 + b.shape[0], 330:330 + b.shape[1]] = b
    for img in (cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), page.astype(np.uint16) * 257,
                page.astype(np.float32) / 255):
        out = qr_decode(img)
        assert sorted(out.codes.labels) == ["first", "second"]
        assert out.measurements.values["count"] == 2
    right = qr_decode(page, roi=Roi.rect(300, 0, 300, 300))
    assert right.codes.labels == ["second"] and right.codes.boxes[0, 0] > 330


def test_qr_decode_nothing_and_bad_input():
    out = qr_decode(np.full((64, 64), 200, np.uint8))
    assert out.text == "" and len(out.codes) == 0 and out.measurements.values["count"] == 0
    with pytest.raises(NodeInputError):
        qr_decode(np.zeros((64, 64), np.int64))


def test_qr_generate_round_trip():
    img = qr_generate("https://example.com/part/17", module_size=5, quiet_zone=4)
    assert img.dtype == np.uint8 and img.ndim == 2 and set(np.unique(img)) == {0, 255}
    assert img.shape[0] % 5 == 0 and (img[:20] == 255).all()  # 4 modules of quiet zone
    assert qr_decode(img).text == "https://example.com/part/17"
    assert qr_generate("x", module_size=1, quiet_zone=0).shape == (21, 21)  # version 1, no border
    with pytest.raises(ParamError):
        qr_generate("")


# EAN-13 from its specification: L/G/R digit codes, first digit picks the L/G parity of the left half
L = ["0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011", "0110111", "0001011"]
R = ["".join("1" if c == "0" else "0" for c in code) for code in L]
G = [code[::-1] for code in R]
PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG", "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]


def ean13_digits(first12: str) -> str:
    s = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - s % 10) % 10)


def ean13_bits(digits: str) -> str:
    first, left, right = int(digits[0]), digits[1:7], digits[7:]
    bits = "101"
    for p, d in zip(PARITY[first], left):
        bits += (L if p == "L" else G)[int(d)]
    bits += "01010"
    bits += "".join(R[int(d)] for d in right)
    return bits + "101"


def ean13_image(digits: str, module=3, height=120, quiet=12):
    bits = ean13_bits(digits)
    assert len(bits) == 95
    row = np.array([0 if b == "1" else 255 for b in bits], np.uint8)
    row = np.concatenate([np.full(quiet, 255, np.uint8), row, np.full(quiet, 255, np.uint8)])
    strip = np.repeat(np.repeat(row[None, :], height, 0), module, 1)
    return cv2.copyMakeBorder(strip, 30, 30, 20, 20, cv2.BORDER_CONSTANT, value=255)


def test_ean13_pattern_is_self_consistent():
    assert ean13_digits("400638133393") == "4006381333931"  # a published EAN-13
    bits = ean13_bits("4006381333931")
    assert bits.startswith("101") and bits[45:50] == "01010" and bits.endswith("101")


def on_page(img, shape=(600, 800), at=(40, 60)):
    page = np.full(shape, 255, np.uint8)
    page[at[1]:at[1] + img.shape[0], at[0]:at[0] + img.shape[1]] = img
    return page


@pytest.mark.parametrize("first12", ["400638133393", "590123412345", "012345678901"])
@pytest.mark.parametrize("module", [2, 3, 4])
def test_barcode_decode_drawn_ean13(first12, module):
    digits = ean13_digits(first12)
    img = ean13_image(digits, module=module, quiet=10 * module, height=120)
    page = on_page(img)
    out = barcode_decode(page)
    # an EAN-13 starting with 0 is a UPC-A: the decoder reports its 12 digits
    expected = digits[1:] if digits[0] == "0" else digits
    assert out.text == expected
    assert out.measurements.values["count"] == 1 and out.codes.labels == [expected]
    x1, y1, x2, y2 = out.codes.boxes[0]
    centre = (40 + img.shape[1] / 2, 60 + img.shape[0] / 2)
    assert x1 < centre[0] < x2 and y1 < centre[1] < y2


def test_barcode_decode_blurred_ean13_fast_mode():
    # a slightly blurred rendering (like a camera image) decodes without retries
    digits = ean13_digits("400638133393")
    page = cv2.GaussianBlur(on_page(ean13_image(digits, module=3, quiet=30)), (0, 0), 1.0)
    assert barcode_decode(page, effort=Effort.FAST).text == digits


def test_barcode_decode_colour_16bit_roi_and_nothing():
    digits = ean13_digits("590123412345")
    img = ean13_image(digits, module=2, quiet=20)
    assert barcode_decode(cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)).text == digits
    assert barcode_decode(img.astype(np.uint16) * 257).text == digits
    page = np.full((img.shape[0], img.shape[1] * 2), 255, np.uint8)
    page[:, img.shape[1]:] = img
    out = barcode_decode(page, roi=Roi.rect(img.shape[1] - 5, 0, img.shape[1] + 5, img.shape[0]))
    assert out.text == digits and out.codes.boxes[0, 0] > img.shape[1]
    empty = barcode_decode(np.full((80, 80, 3), 255, np.uint8))
    assert empty.text == "" and len(empty.codes) == 0


def marker_page():
    d = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    page = np.full((300, 460), 255, np.uint8)
    page[50:150, 40:140] = cv2.aruco.generateImageMarker(d, 7, 100)
    page[120:240, 260:380] = cv2.aruco.generateImageMarker(d, 23, 120)
    return page


def test_aruco_detect_ids_and_corners():
    out = aruco_detect(marker_page())
    assert out.markers.labels == ["7", "23"] and list(out.markers.class_ids) == [7, 23]
    assert out.measurements.values["count"] == 2
    c = out.markers.polygons[0]
    assert c[0] == pytest.approx((40, 50), abs=1.5) and c[2] == pytest.approx((139, 149), abs=1.5)
    v = out.measurements.values
    assert v["id"] == 7 and (v["cx"], v["cy"]) == pytest.approx((89.5, 99.5), abs=1.5)
    assert v["angle"] == pytest.approx(0, abs=1)


def test_aruco_rotation_dictionary_and_dtypes():
    page = marker_page()
    rot = cv2.warpAffine(page, cv2.getRotationMatrix2D((230, 150), 30, 1.0), page.shape[::-1], borderValue=255)
    out = aruco_detect(cv2.cvtColor(rot, cv2.COLOR_GRAY2BGR))
    assert out.markers.labels == ["7", "23"] and out.measurements.values["angle"] == pytest.approx(30, abs=2)
    assert aruco_detect(page.astype(np.float32) / 255).measurements.values["count"] == 2
    assert aruco_detect(page, dictionary=ArucoDictionary.DICT_6X6_250).measurements.values["count"] == 0
    assert aruco_detect(page, roi=Roi.rect(200, 100, 260, 200)).markers.labels == ["23"]
