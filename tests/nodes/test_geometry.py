"""Geometry family: resize, crop, rotate, flip, affine/perspective warp, pyramids, pad."""

import cv2
import numpy as np
import pytest
from skimage import data

from workbench.core.errors import NodeInputError, ParamError
from workbench.core.params import Roi
from workbench.nodes.geometry._common import Border, Interpolation
from workbench.nodes.geometry.affine_warp import affine_warp
from workbench.nodes.geometry.crop import crop
from workbench.nodes.geometry.flip import FlipMode, flip
from workbench.nodes.geometry.pad import pad
from workbench.nodes.geometry.perspective_warp import perspective_warp
from workbench.nodes.geometry.pyramid_down import pyramid_down
from workbench.nodes.geometry.pyramid_up import pyramid_up
from workbench.nodes.geometry.resize import SizeMode, resize
from workbench.nodes.geometry.rotate import rotate


def marked(dtype=np.uint8, colour=False):
    """80 wide x 60 high, one bright 10x10 block at x 50..59, y 10..19."""
    im = np.zeros((60, 80), dtype)
    im[10:20, 50:60] = {np.uint8: 200, np.uint16: 50000, np.float32: 0.8}[dtype]
    return cv2.cvtColor(im, cv2.COLOR_GRAY2BGR) if colour else im


def centroid(im):
    g = im if im.ndim == 2 else im[:, :, 0]
    ys, xs = np.nonzero(g > g.max() / 2)
    return xs.mean(), ys.mean()


def test_resize_by_scale_and_by_size_keeping_aspect():
    im = marked()
    assert resize(im, scale=0.5).shape == (30, 40)
    assert resize(im, mode=SizeMode.SIZE, width=160).shape == (120, 160)
    assert resize(im, mode=SizeMode.SIZE, height=30).shape == (30, 40)
    assert resize(im, mode=SizeMode.SIZE, width=20, height=50).shape == (50, 20)
    big = resize(marked(colour=True), scale=2.0, interpolation=Interpolation.NEAREST)
    assert big.shape == (120, 160, 3) and centroid(big) == pytest.approx((109.5, 29.5))
    u16 = resize(marked(np.uint16), scale=0.5)
    assert u16.dtype == np.uint16 and u16.max() == 50000
    with pytest.raises(ParamError, match="width or a height"):
        resize(im, mode=SizeMode.SIZE)
    with pytest.raises(ParamError, match="empty"):
        resize(np.zeros((10, 10), np.uint8), scale=0.01)


def test_crop_rect_circle_polygon_and_errors():
    cam = data.camera()
    out = crop(cam, Roi.rect(100, 50, 30, 20))
    assert out.shape == (20, 30) and np.array_equal(out, cam[50:70, 100:130])
    # clipped to the image
    assert crop(cam, Roi.rect(500, 500, 100, 100)).shape == (12, 12)
    c = crop(cam, Roi.circle(200, 200, 10), clear_outside=True)
    assert c.shape == (20, 20) and c[0, 0] == 0 and c[10, 10] == cam[200, 200]
    assert crop(cam, None) is cam
    with pytest.raises(NodeInputError, match="outside"):
        crop(cam, Roi.rect(600, 600, 10, 10))
    with pytest.raises(NodeInputError, match="outside"):
        crop(cam, Roi.rotated_rect(-50, -50, 10, 10, 30))


def test_crop_rotated_rect_comes_out_upright():
    # a 40x12 bar drawn rotated by 30°
    im = np.zeros((100, 100), np.uint8)
    roi = Roi.rotated_rect(50, 50, 40, 12, 30)
    im[roi.mask(im.shape) > 0] = 100
    out = crop(im, roi)
    assert out.shape == (12, 40)
    assert out[2:-2, 2:-2].min() >= 90  # the whole bar, upright, fills the crop
    # the same crop on an unrotated bar is a plain slice
    flat = np.zeros((100, 100), np.uint8)
    flat[44:56, 30:70] = np.arange(40, dtype=np.uint8)[None, :] * 5
    up = crop(flat, Roi.rotated_rect(50, 50, 40, 12, 0))
    assert np.array_equal(up, flat[44:56, 30:70])
    # 90°: x of the crop runs along the image's y axis
    turned = crop(cv2.rotate(flat, cv2.ROTATE_90_CLOCKWISE), Roi.rotated_rect(49, 50, 40, 12, 90))
    assert turned.shape == (12, 40)
    row = turned[6].astype(int)
    assert abs(np.corrcoef(row, np.arange(40))[0, 1]) > 0.99  # the ramp is along the crop's x


def test_rotate_exact_quarter_turns_and_arbitrary_angles():
    im = marked()
    r90 = rotate(im, 90)
    assert r90.shape == (80, 60)
    assert np.array_equal(r90, np.rot90(im))  # counter-clockwise on screen
    assert np.array_equal(rotate(im, -90), np.rot90(im, -1))
    assert np.array_equal(rotate(im, 360), im)
    r45 = rotate(im, 45, expand=True)
    side = (80 + 60) / np.sqrt(2)
    assert r45.shape[0] == pytest.approx(side, abs=1.5) and r45.shape[1] == pytest.approx(side, abs=1.5)
    assert r45.sum() == pytest.approx(im.sum(), rel=0.03)  # nothing cut off
    same = rotate(im, 45, expand=False)
    assert same.shape == im.shape
    # the block at (54.5, 14.5) turns by 180° about the centre (39.5, 29.5) -> (24.5, 44.5)
    r180 = rotate(im, 180, expand=False, interpolation=Interpolation.NEAREST)
    assert centroid(r180) == pytest.approx((24.5, 44.5), abs=0.01)
    filled = rotate(marked(np.float32, colour=True), 30, fill_value=0.5)
    assert filled.dtype == np.float32 and filled[0, 0, 0] == pytest.approx(0.5)


def test_flip_modes():
    im = marked(colour=True)
    assert centroid(flip(im, FlipMode.HORIZONTAL)) == pytest.approx((24.5, 14.5))
    assert centroid(flip(im, FlipMode.VERTICAL)) == pytest.approx((54.5, 44.5))
    assert centroid(flip(im, FlipMode.BOTH)) == pytest.approx((24.5, 44.5))


def test_affine_warp_translate_rotate_scale():
    im = marked()
    moved = affine_warp(im, translate_x=-20, translate_y=15, interpolation=Interpolation.NEAREST)
    assert moved.shape == im.shape and centroid(moved) == pytest.approx((34.5, 29.5))
    turned = affine_warp(im, angle=180, interpolation=Interpolation.NEAREST)
    assert centroid(turned) == pytest.approx((24.5, 44.5), abs=0.01)
    shrunk = affine_warp(im, scale=0.5)
    cx, cy = centroid(shrunk)
    assert cx == pytest.approx(39.5 + (54.5 - 39.5) / 2, abs=0.5)
    assert cy == pytest.approx(29.5 + (14.5 - 29.5) / 2, abs=0.5)
    rep = affine_warp(marked(np.uint16), translate_x=10, border=Border.REPLICATE)
    assert rep.dtype == np.uint16 and rep[:, :10].max() == 0  # replicated column 0 is dark


def test_perspective_warp_rectifies_a_quad():
    # a checkerboard squeezed into a trapezoid, then rectified back
    board = np.kron((np.indices((4, 4)).sum(axis=0) % 2).astype(np.uint8) * 255, np.ones((25, 25), np.uint8))
    src = np.float32([[0, 0], [99, 0], [99, 99], [0, 99]])
    quad = np.float32([[30, 20], [130, 25], [150, 120], [10, 110]])
    scene = cv2.warpPerspective(board, cv2.getPerspectiveTransform(src, quad), (160, 140))
    # corners given in a shuffled order
    roi = Roi.polygon([tuple(quad[2]), tuple(quad[0]), tuple(quad[3]), tuple(quad[1])])
    out = perspective_warp(scene, roi, width=100, height=100)
    assert out.shape == (100, 100)
    assert np.mean(np.abs(out[3:-3, 3:-3].astype(int) - board[3:-3, 3:-3])) < 12
    auto = perspective_warp(cv2.cvtColor(scene, cv2.COLOR_GRAY2BGR), roi)
    assert auto.ndim == 3 and 95 <= auto.shape[1] <= 130 and 85 <= auto.shape[0] <= 130


def test_perspective_warp_needs_four_points():
    im = marked()
    with pytest.raises(ParamError, match="exactly 4"):
        perspective_warp(im, Roi.polygon([(0, 0), (10, 0), (10, 10), (5, 12), (0, 10)]))
    with pytest.raises(ParamError, match="no ROI"):
        perspective_warp(im, None)
    with pytest.raises(ParamError, match="rect ROI"):
        perspective_warp(im, Roi.rect(0, 0, 10, 10))
    with pytest.raises(ParamError, match="collinear"):
        perspective_warp(im, Roi.polygon([(0, 0), (10, 0), (20, 0), (30, 0)]))


def test_pyramids_halve_and_double():
    im = marked(np.float32)
    down = pyramid_down(im, levels=2)
    assert down.shape == (15, 20) and down.dtype == np.float32
    assert centroid(down) == pytest.approx((54.5 / 4, 14.5 / 4), abs=0.6)
    assert pyramid_down(np.zeros((65, 65), np.uint8)).shape == (33, 33)
    with pytest.raises(NodeInputError, match="too small"):
        pyramid_down(np.zeros((4, 4), np.uint8), levels=3)
    up = pyramid_up(marked(np.uint16, colour=True), levels=1)
    assert up.shape == (120, 160, 3) and up.dtype == np.uint16
    assert centroid(up) == pytest.approx((109.5, 29.5), abs=0.6)
    with pytest.raises(NodeInputError, match="exceed"):
        pyramid_up(np.zeros((4000, 4000), np.uint8), levels=4)


def test_pad_borders():
    im = np.arange(12, dtype=np.uint8).reshape(3, 4) + 1
    out = pad(im, 1, 2, 3, 4, value=99)
    assert out.shape == (6, 11) and out[0, 0] == 99 and np.array_equal(out[1:4, 3:7], im)
    rep = pad(im, 0, 0, 2, 0, border=Border.REPLICATE)
    assert np.array_equal(rep[:, 0], im[:, 0])
    wrap = pad(im, 0, 0, 0, 1, border=Border.WRAP)
    assert np.array_equal(wrap[:, -1], im[:, 0])
    col = pad(marked(np.float32, colour=True), top=2, value=0.25)
    assert col.shape == (70, 96, 3) and np.allclose(col[0, 0], 0.25)
