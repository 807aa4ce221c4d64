"""Edges family: Canny, Sobel, Scharr, Laplacian, gradient magnitude/direction."""

import cv2
import numpy as np
import pytest

from workbench.core.errors import ParamError
from workbench.nodes.edges._common import DerivOutput
from workbench.nodes.edges.canny import Aperture, canny
from workbench.nodes.edges.gradient import Kernel, gradient
from workbench.nodes.edges.laplacian import laplacian
from workbench.nodes.edges.scharr import Direction, scharr
from workbench.nodes.edges.sobel import sobel


def step_x(dtype=np.uint8, hi=200):
    """64x64, dark left half, bright right half: one vertical edge between columns 31 and 32."""
    im = np.zeros((64, 64), dtype)
    im[:, 32:] = hi
    return im


def square():
    im = np.zeros((80, 80), np.uint8)
    im[20:60, 20:60] = 200
    return im


def test_canny_outlines_a_square():
    edges = canny(square(), low=50, high=150)
    assert edges.dtype == np.uint8 and set(np.unique(edges)) == {0, 255}
    ys, xs = np.nonzero(edges)
    # all edge pixels lie on the square's outline (within one pixel), none inside or far outside
    assert xs.min() >= 18 and xs.max() <= 61 and ys.min() >= 18 and ys.max() <= 61
    assert not edges[25:55, 25:55].any()
    # the four sides are each found along most of their length
    assert (edges[20:60, 18:22] > 0).any(axis=1).mean() > 0.9
    assert (edges[20:60, 58:62] > 0).any(axis=1).mean() > 0.9


def test_canny_thresholds_drop_weak_edges_and_handle_16bit_and_colour():
    weak = square() // 10  # step of 20
    assert canny(weak, low=50, high=150).sum() == 0
    assert canny(weak, low=5, high=15).sum() > 0
    im16 = square().astype(np.uint16) * 257  # same picture on the 16-bit scale
    assert np.array_equal(canny(im16), canny(square()))
    bgr = cv2.cvtColor(square(), cv2.COLOR_GRAY2BGR)
    assert np.array_equal(canny(bgr, aperture=Aperture.K5, l2_gradient=True),
                          canny(square(), aperture=Aperture.K5, l2_gradient=True))
    with pytest.raises(ParamError, match="must not exceed"):
        canny(square(), low=200, high=100)


def test_sobel_responds_to_the_right_direction():
    im = step_x()
    gx = sobel(im, dx=1, dy=0, output=DerivOutput.FLOAT)
    gy = sobel(im, dx=0, dy=1, output=DerivOutput.FLOAT)
    assert gx.dtype == np.float32
    # 3x3 Sobel on a step of 200: 4 * 200 = 800 at the two columns next to the edge
    assert gx[32, 31] == pytest.approx(800) and gx[32, 32] == pytest.approx(800)
    assert gx[32, 10] == 0 and np.abs(gy).max() == 0
    # dark-to-bright in -x gives a negative signed value, absolute output is positive
    flipped = im[:, ::-1].copy()
    assert sobel(flipped, output=DerivOutput.FLOAT).min() == pytest.approx(-800)
    assert sobel(flipped, output=DerivOutput.ABS_FLOAT).max() == pytest.approx(800)
    u8 = sobel(im, output=DerivOutput.ABS_UINT8, scale=0.25)
    assert u8.dtype == np.uint8 and u8[32, 31] == 200


def test_sobel_16bit_float_colour_and_bad_params():
    f32 = sobel(step_x(np.float32, 1.0), output=DerivOutput.FLOAT)
    assert f32[5, 31] == pytest.approx(4.0)
    u16 = sobel(step_x(np.uint16, 50000), output=DerivOutput.FLOAT)
    assert u16[5, 31] == pytest.approx(200000)
    bgr = cv2.cvtColor(step_x(), cv2.COLOR_GRAY2BGR)
    assert np.array_equal(sobel(bgr), sobel(step_x()))
    with pytest.raises(ParamError, match="both 0"):
        sobel(step_x(), dx=0, dy=0)
    with pytest.raises(ParamError, match="too high"):
        sobel(step_x(), dx=3, dy=0, ksize=3)


def test_scharr_kernel_weights():
    im = step_x()
    d = scharr(im, Direction.X, output=DerivOutput.FLOAT)
    assert d[10, 31] == pytest.approx(16 * 200)  # Scharr x kernel column sum 3 + 10 + 3
    assert np.abs(scharr(im, Direction.Y, output=DerivOutput.FLOAT)).max() == 0
    assert scharr(im, output=DerivOutput.ABS_UINT8).max() == 255  # saturated


def test_laplacian_zero_on_flat_and_ramps_peaks_at_edges():
    ramp = np.tile(np.arange(64, dtype=np.float32), (64, 1))
    assert np.abs(laplacian(ramp, ksize=1, output=DerivOutput.FLOAT)[:, 2:-2]).max() < 1e-4
    d = laplacian(step_x(), ksize=1, output=DerivOutput.FLOAT)
    assert d[10, 31] == pytest.approx(200) and d[10, 32] == pytest.approx(-200)
    assert d[10, 5] == 0 and d[10, 50] == 0
    with pytest.raises(ParamError, match="odd"):
        laplacian(step_x(), ksize=4)


def test_gradient_magnitude_and_direction():
    out = gradient(step_x())
    assert out.magnitude.dtype == np.float32 and out.direction.dtype == np.float32
    assert out.magnitude[10, 31] == pytest.approx(800)
    assert out.direction[10, 31] == pytest.approx(0, abs=0.1)  # dark -> bright points to +x
    down = step_x().T.copy()  # bright bottom half: gradient points to +y = 90°
    assert gradient(down).direction[31, 10] == pytest.approx(90, abs=0.1)
    left = step_x()[:, ::-1].copy()
    assert gradient(left).direction[10, 31] == pytest.approx(180, abs=0.1)
    # a disc: magnitude is largest on the rim and zero in the middle
    disc = np.zeros((64, 64), np.uint8)
    cv2.circle(disc, (32, 32), 20, 255, -1)
    g = gradient(cv2.cvtColor(disc, cv2.COLOR_GRAY2BGR), kernel=Kernel.SCHARR)
    assert g.magnitude[32, 32] == 0 and g.magnitude[32, 12] > 1000
