import numpy as np
import pytest
from skimage import data

from workbench.core.errors import NodeInputError
from workbench.core.params import Roi
from workbench.nodes.color.clahe import clahe
from workbench.nodes.color.equalize_histogram import equalize_histogram
from workbench.nodes.color.extract_channel import Channel, extract_channel
from workbench.nodes.color.gamma import gamma
from workbench.nodes.color.invert import invert
from workbench.nodes.color.merge_channels import merge_channels
from workbench.nodes.color.normalize import Target, normalize
from workbench.nodes.color.split_channels import split_channels


def _bgr():
    img = np.zeros((20, 30, 3), np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = 10, 120, 240
    return img


def test_split_channels_colour_gray_and_16bit():
    out = split_channels(_bgr())
    assert out.b.shape == (20, 30) and (out.b == 10).all() and (out.g == 120).all() and (out.r == 240).all()
    gray = np.full((5, 6), 77, np.uint16)
    g = split_channels(gray)
    assert all(c.dtype == np.uint16 and (c == 77).all() for c in g)
    bgra = np.dstack([_bgr(), np.full((20, 30), 9, np.uint8)])
    assert (split_channels(bgra).r == 240).all()


def test_merge_channels_round_trip_and_errors():
    img = np.random.default_rng(0).integers(0, 255, (16, 16, 3), dtype=np.uint8)
    assert np.array_equal(merge_channels(*split_channels(img)), img)
    a = np.zeros((16, 16), np.uint8)
    with pytest.raises(NodeInputError, match="size"):
        merge_channels(a, a, np.zeros((8, 8), np.uint8))
    with pytest.raises(NodeInputError, match="dtype"):
        merge_channels(a, a, np.zeros((16, 16), np.uint16))


def test_extract_channel():
    img = _bgr()
    assert (extract_channel(img, Channel.RED) == 240).all()
    assert (extract_channel(img, Channel.BLUE) == 10).all()
    red = np.zeros((4, 4, 3), np.uint8)
    red[..., 2] = 255
    assert (extract_channel(red, Channel.HUE) == 0).all()
    assert (extract_channel(red, Channel.SATURATION) == 255).all()
    green = np.zeros((4, 4, 3), np.uint8)
    green[..., 1] = 255
    assert (extract_channel(green, Channel.HUE) == 60).all()  # 120 deg / 2
    # 16-bit: float HSV units (hue in degrees, V 0..1)
    g16 = green.astype(np.uint16) * 257
    h = extract_channel(g16, Channel.HUE)
    assert h.dtype == np.float32 and np.allclose(h, 120.0)
    assert np.allclose(extract_channel(g16, Channel.VALUE), 1.0)
    gray = np.full((4, 4), 50, np.uint8)
    assert (extract_channel(gray, Channel.GRAY) == 50).all()
    assert (extract_channel(gray, Channel.LAB_L) < 60).all()


def test_invert_all_dtypes():
    assert (invert(np.full((3, 3), 200, np.uint8)) == 55).all()
    assert (invert(np.full((3, 3), 1000, np.uint16)) == 64535).all()
    f = invert(np.full((3, 3, 3), 0.25, np.float32))
    assert f.dtype == np.float32 and np.allclose(f, 0.75)


def test_gamma_curve_contrast_brightness():
    ramp = np.arange(256, dtype=np.uint8).reshape(16, 16)
    assert np.array_equal(gamma(ramp), ramp)  # identity defaults
    g = gamma(ramp, gamma=0.5)
    assert g[8, 0] == round(np.sqrt(128 / 255) * 255)  # pixel 128
    assert (g >= ramp).all()  # gamma < 1 brightens
    b = gamma(ramp, brightness=10)
    assert b[0, 0] == 10 and b[-1, -1] == 255
    c = gamma(np.array([[64, 192]], np.uint8), contrast=2.0)
    assert c[0, 0] < 10 and c[0, 1] > 245
    f = gamma(np.full((2, 2), 0.25, np.float32), gamma=0.5)
    assert f.dtype == np.float32 and np.allclose(f, 0.5)
    u = gamma(np.full((2, 2), 16384, np.uint16), gamma=0.5)
    assert u.dtype == np.uint16 and abs(int(u[0, 0]) - 32768) < 200


def test_normalize_uint8_float_clip_and_roi():
    img = np.array([[100, 150, 200]], np.uint16)
    assert normalize(img).tolist() == [[0, 128, 255]]
    f = normalize(img, Target.FLOAT)
    assert f.dtype == np.float32 and np.allclose(f, [[0, 0.5, 1]])
    noisy = np.full((10, 10), 100, np.uint8)
    noisy[:5] = 150
    noisy[0, 0], noisy[9, 9] = 0, 255  # outliers
    assert normalize(noisy, clip_percent=2)[5, 5] == 0 and normalize(noisy, clip_percent=2)[1, 1] == 255
    roi_out = normalize(noisy, roi=Roi.rect(0, 3, 10, 4))  # only 100 and 150 inside
    assert roi_out[6, 6] == 0 and roi_out[3, 3] == 255
    assert (normalize(np.full((4, 4), 7, np.uint8)) == 0).all()


def test_clahe_raises_local_contrast_keeps_hue():
    cam = data.camera()
    low = (cam // 4 + 100).astype(np.uint8)  # squeezed contrast
    out = clahe(low)
    assert out.dtype == np.uint8 and out.std() > low.std() * 1.3
    assert clahe(low, clip_limit=8).std() > out.std()
    col = np.dstack([low // 2, low // 2, low]).astype(np.uint8)  # reddish
    oc = clahe(col)
    assert oc.shape == col.shape and oc[..., 2].mean() > oc[..., 0].mean()
    u16 = clahe(low.astype(np.uint16) * 257)
    assert u16.dtype == np.uint16 and u16.std() > low.std() * 257 * 1.3
    f = clahe(low.astype(np.float32) / 255)
    assert f.dtype == np.float32 and f.max() <= 1.0


def test_equalize_histogram_flattens():
    ramp = np.repeat(np.arange(100, 150, dtype=np.uint8), 20).reshape(50, 20)
    eq = equalize_histogram(ramp)
    assert eq.min() == 0 and eq.max() == 255
    e16 = equalize_histogram(ramp.astype(np.uint16))
    assert e16.dtype == np.uint16 and e16.min() == 0 and e16.max() == 65535
    col = equalize_histogram(np.dstack([ramp] * 3))
    assert col.shape == (50, 20, 3) and col.max() > 240 and col.min() < 15
    assert equalize_histogram(np.full((4, 4), 0.5, np.float32)).dtype == np.float32


def test_white_balance_removes_cast():
    from workbench.core.errors import NodeInputError
    from workbench.nodes.color.white_balance import white_balance

    img = np.zeros((20, 40, 3), np.uint8)
    img[:, :20] = (100, 120, 160)  # a gray card under warm light
    img[:, 20:] = (50, 60, 80)
    out = white_balance(img, roi=Roi.rect(0, 0, 20, 20))
    card = out[5, 5].astype(int)
    assert abs(card[0] - card[2]) <= 1 and abs(card[1] - card[2]) <= 1 and abs(card.mean() - 126.7) < 2
    assert abs(int(out[5, 30, 0]) - int(out[5, 30, 2])) <= 1  # whole image corrected the same way
    gw = white_balance(img.astype(np.uint16) * 257)
    assert gw.dtype == np.uint16 and abs(int(gw[5, 5, 0]) - int(gw[5, 5, 2])) < 300
    gray = np.full((4, 4), 9, np.uint8)
    assert white_balance(gray) is gray
    with pytest.raises(NodeInputError, match="black"):
        white_balance(np.dstack([np.zeros((4, 4), np.uint8), gray, gray]))
