import numpy as np
import pytest
from skimage import data

from workbench.core.errors import ParamError
from workbench.nodes.filter.bilateral_filter import bilateral_filter
from workbench.nodes.filter.box_blur import box_blur
from workbench.nodes.filter.custom_kernel import OutputDepth, custom_kernel, parse_kernel
from workbench.nodes.filter.denoise import denoise
from workbench.nodes.filter.median_blur import median_blur
from workbench.nodes.filter.sharpen import sharpen


def _salt_pepper(dtype=np.uint8, top=255):
    img = np.full((40, 40), top // 2, dtype)
    rng = np.random.default_rng(1)
    ys, xs = rng.integers(0, 40, 60), rng.integers(0, 40, 60)
    img[ys[:30], xs[:30]] = 0
    img[ys[30:], xs[30:]] = top
    return img


def _step(noise=0.0, dtype=np.uint8, scale=1.0):
    img = np.full((48, 48), 60.0)
    img[:, 24:] = 190.0
    if noise:
        img += np.random.default_rng(2).normal(0, noise, img.shape)
    return np.clip(img * scale, 0, 255 * scale).astype(dtype)


def test_median_blur_removes_impulses_all_dtypes():
    assert (median_blur(_salt_pepper()) == 127).all()
    out16 = median_blur(_salt_pepper(np.uint16, 65535), size=7)  # scipy path
    assert out16.dtype == np.uint16 and (out16 == 32767).all()
    f = _salt_pepper().astype(np.float32) / 255
    assert np.allclose(median_blur(f, size=3)[5:-5, 5:-5], 127 / 255, atol=0.2)
    col = np.dstack([_salt_pepper()] * 3)
    assert median_blur(col).shape == col.shape and (median_blur(col) == 127).all()
    with pytest.raises(ParamError, match="odd"):
        median_blur(_salt_pepper(), size=4)


def test_bilateral_smooths_flat_areas_keeps_edge():
    noisy = _step(noise=8)
    out = bilateral_filter(noisy)
    assert out[:, 4:18].std() < noisy[:, 4:18].std() / 2
    assert out[:, 20].mean() < 80 and out[:, 27].mean() > 170  # edge not smeared
    o16 = bilateral_filter(_step(noise=8, dtype=np.uint16, scale=257))
    assert o16.dtype == np.uint16 and o16[:, 4:18].std() < 8 * 257 / 2
    of = bilateral_filter(noisy.astype(np.float32) / 255)
    assert of.dtype == np.float32 and of[:, 4:18].std() < noisy[:, 4:18].std() / 255 / 2


def test_box_blur_is_a_mean():
    img = np.zeros((9, 9), np.uint16)
    img[4, 4] = 900
    out = box_blur(img, width=3, height=3)
    assert out[4, 4] == 100 and out[3, 3] == 100 and out[2, 2] == 0
    wide = box_blur(img, width=9, height=1)
    assert wide[4, 1] == 100 and wide[3, 4] == 0


def test_sharpen_boosts_edge_and_threshold():
    img = _step()
    out = sharpen(img, sigma=2, amount=1)
    assert out[:, 22].mean() < 60 and out[:, 25].mean() > 190  # overshoot on both sides
    assert (out[:, :10] == 60).all()  # flat area unchanged
    assert np.array_equal(sharpen(img, amount=1, threshold=255), img)
    f = sharpen(img.astype(np.float32) / 255)
    assert f.dtype == np.float32 and f.min() < 60 / 255
    c = sharpen(np.dstack([img] * 3).astype(np.uint16) * 257)
    assert c.dtype == np.uint16 and c.shape == (48, 48, 3)


def test_parse_kernel_and_errors():
    assert parse_kernel("0 -1 0; -1 5 -1; 0 -1 0").tolist() == [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
    assert np.allclose(parse_kernel("1/9, 1/9\n1/9,1/9"), 1 / 9)
    with pytest.raises(ParamError, match="rectangular"):
        parse_kernel("1 2 3; 4 5")
    with pytest.raises(ParamError, match="not a number"):
        parse_kernel("1 2; __import__('os') 4")
    with pytest.raises(ParamError, match="empty"):
        parse_kernel("  ;  ")


def test_custom_kernel_filters():
    img = np.zeros((7, 7), np.uint8)
    img[3, 3] = 10
    out = custom_kernel(img, kernel="0 -1 0; -1 5 -1; 0 -1 0")
    assert out[3, 3] == 50 and out[2, 3] == 0  # -10 clipped to 0
    fl = custom_kernel(img, kernel="0 -1 0; -1 5 -1; 0 -1 0", output=OutputDepth.FLOAT32)
    assert fl.dtype == np.float32 and fl[2, 3] == -10
    mean = custom_kernel(np.full((5, 5), 90, np.uint16), kernel="1 1 1; 1 1 1; 1 1 1", normalize=True)
    assert mean.dtype == np.uint16 and (mean == 90).all()
    assert (custom_kernel(img, kernel="1", offset=5)[0, 0] == 5)
    col = custom_kernel(np.dstack([img] * 3), kernel="1 0 -1")
    assert col.shape == (7, 7, 3)
    with pytest.raises(ParamError):
        custom_kernel(img, kernel="1 x")


def test_denoise_gray_colour_and_16bit():
    noisy = _step(noise=10)
    out = denoise(noisy)
    assert out.dtype == np.uint8 and out[:, 2:20].std() < noisy[:, 2:20].std() / 2
    assert abs(out[:, 30:46].mean() - 190) < 5
    coins = data.coins()[:64, :64]
    col = np.dstack([noisy] * 3)
    assert denoise(col).shape == col.shape and denoise(col)[:, 2:20].std() < noisy[:, 2:20].std() / 2
    n16 = noisy.astype(np.uint16) * 257
    o16 = denoise(n16)
    assert o16.dtype == np.uint16 and o16[:, 2:20].std() < n16[:, 2:20].std() / 2
    assert denoise(noisy.astype(np.float32) / 255).dtype == np.float32
    assert np.array_equal(denoise(coins, strength=0), coins)


def _reference_median(img, size):
    """Plain numpy: the median of every size x size window; outside the image, rows and columns are mirrored
    without repeating the edge (reflect-101, periodically for windows wider than the image)."""
    r = size // 2

    def mirror(n):
        i = np.abs(np.arange(-r, n + r)) % max(2 * n - 2, 1)
        return np.where(i < n, i, 2 * n - 2 - i)

    pad = img[np.ix_(mirror(img.shape[0]), mirror(img.shape[1]))]
    win = np.lib.stride_tricks.sliding_window_view(pad, (size, size))
    return np.median(win.reshape(*win.shape[:2], -1), axis=-1).astype(img.dtype)


@pytest.mark.parametrize("size", [7, 9, 25, 27, 41])
@pytest.mark.parametrize("dtype", [np.uint16, np.float32])
def test_median_blur_is_the_exact_median_with_mirrored_borders(dtype, size):
    """Sizes > 5 on 16-bit/float: both exact paths (window selection up to 25, byte split above) against a plain
    numpy median, on noise (every value distinct), on few values (float through the byte path), colour, tiny."""
    rng = np.random.default_rng(size)
    noise = rng.integers(0, 65536, (37, 52)) if dtype == np.uint16 else rng.normal(0, 1, (37, 52))
    few = rng.integers(0, 9, (30, 31)) * 1000
    for img in (noise.astype(dtype), few.astype(dtype), noise[:3, :4].astype(dtype)):
        assert np.array_equal(median_blur(img, size=size), _reference_median(img, size)), img.shape
    colour = np.dstack([noise[:20, :20], few[:20, :20], noise[5:25, 9:29]]).astype(dtype)
    out = median_blur(colour, size=size)
    for c in range(3):
        assert np.array_equal(out[:, :, c], _reference_median(colour[:, :, c], size))


def test_median_blur_16bit_steps_keep_their_edge_and_low_byte():
    """Regions that differ only in the low byte, and one where the median sits just below a 256 boundary."""
    img = np.full((60, 60), 0x1234, np.uint16)
    img[:, 30:] = 0x1235
    img[40:, :] = 0x12FF
    img[50:, :] = 0x1300
    for size in (7, 31):
        out = median_blur(img, size=size)
        assert (out[20, 29], out[20, 30]) == (0x1234, 0x1235)  # the step stays where it was, sharp
        assert out[0, 0] == 0x1234 and out[59, 59] == 0x1300
    assert np.array_equal(median_blur(img, size=31), _reference_median(img, 31))


def test_median_blur_matches_scipy_when_installed():
    from scipy import ndimage
    rng = np.random.default_rng(5)
    img = rng.integers(0, 4096, (64, 80)).astype(np.uint16) * 16
    for size in (7, 31):
        assert np.array_equal(median_blur(img, size=size), ndimage.median_filter(img, size=size, mode="mirror"))
