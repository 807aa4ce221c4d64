import cv2
import numpy as np
import pytest

from workbench.core.types import MASK
from workbench.nodes.morphology.gray_morphology import gray_morphology
from workbench.nodes.morphology.morphology import KernelShape, MorphOp
from workbench.nodes.morphology.skeleton import SkeletonMethod, skeleton


def _bar():
    m = np.zeros((60, 100), np.uint8)
    m[20:41, 10:90] = 255  # 21 px thick horizontal bar, centre row 30
    return m


def test_skeleton_thinning_is_centre_line_and_connected():
    s = skeleton(_bar())
    assert MASK.check(s) is None and set(np.unique(s)) == {0, 255}
    ys, xs = np.nonzero(s)
    assert set(ys.tolist()) == {30} and xs.max() - xs.min() > 50
    assert cv2.connectedComponents(s)[0] == 2  # one connected line
    ring = np.zeros((80, 80), np.uint8)
    cv2.circle(ring, (40, 40), 25, 255, 7)
    sr = skeleton(ring)
    assert cv2.connectedComponents(sr)[0] == 2
    r = np.hypot(*(np.array(np.nonzero(sr)) - 40))
    assert abs(r.mean() - 25) < 1.5 and sr.sum() // 255 < ring.sum() // 255 / 4


def test_skeleton_morphological_and_empty():
    s = skeleton(_bar(), SkeletonMethod.MORPHOLOGICAL)
    assert s[30, 50] == 255 and s[25, 50] == 0 and s[35, 50] == 0
    assert (s <= _bar()).all()  # inside the shape
    assert skeleton(np.zeros((10, 10), np.uint8)).max() == 0


def test_gray_morphology_tophat_flattens_background():
    yy, xx = np.mgrid[0:64, 0:64]
    ramp = (xx * 2).astype(np.uint8)  # uneven illumination 0..126
    img = ramp.copy()
    img[30:33, 30:33] += 100  # small bright spot
    th = gray_morphology(img, MorphOp.TOPHAT, KernelShape.ELLIPSE, size=9)
    assert th[31, 31] >= 90 and th[5:20, 5:20].max() <= 10
    bh = gray_morphology(255 - img, MorphOp.BLACKHAT, size=9)
    assert bh[31, 31] >= 90


def test_gray_morphology_min_max_and_dtypes():
    img = np.zeros((20, 20), np.uint16)
    img[10, 10] = 40000
    dil = gray_morphology(img, MorphOp.DILATE, KernelShape.RECT, size=3)
    assert dil.dtype == np.uint16 and (dil[9:12, 9:12] == 40000).all() and dil[8, 8] == 0
    ero = gray_morphology(dil, MorphOp.ERODE, KernelShape.RECT, size=3)
    assert ero[10, 10] == 40000 and ero.sum() == 40000
    f = gray_morphology(img.astype(np.float32) / 65535, MorphOp.GRADIENT, KernelShape.RECT, size=3)
    assert f.dtype == np.float32 and f[10, 11] == pytest.approx(40000 / 65535)
    col = np.dstack([img.astype(np.uint8)] * 3)
    assert gray_morphology(col, MorphOp.CLOSE).shape == (20, 20, 3)


def test_bad_parameter_values_are_refused_by_the_spec():
    from workbench.core.errors import ParamError

    spec = gray_morphology.__node_spec__
    with pytest.raises(ParamError, match="size"):
        spec.param("size").coerce(0)
    with pytest.raises(ParamError, match="operation"):
        spec.param("operation").coerce("SHRINK")
