import cv2
import numpy as np
import pytest
from skimage import data

from workbench.core.errors import NodeInputError
from workbench.core.types import IMAGE, MASK, RegionSet
from workbench.nodes.morphology.fill_holes import fill_holes
from workbench.nodes.segmentation.distance_transform import Metric, distance_transform
from workbench.nodes.segmentation.in_range import ColorSpace, in_range
from workbench.nodes.segmentation.threshold import threshold
from workbench.nodes.segmentation.watershed import Relief, flood, watershed


def _patches():
    """Four 10x10 patches: red, green, blue, gray."""
    img = np.zeros((10, 40, 3), np.uint8)
    img[:, 0:10] = (0, 0, 255)
    img[:, 10:20] = (0, 255, 0)
    img[:, 20:30] = (255, 0, 0)
    img[:, 30:40] = (128, 128, 128)
    return img


def test_in_range_hsv_picks_green_and_wraps_red():
    img = _patches()
    green = in_range(img, min_1=50, max_1=70)
    assert MASK.check(green) is None
    assert (green[:, 10:20] == 255).all() and green[:, :10].max() == 0 and green[:, 20:].max() == 0
    red = in_range(img, min_1=170, max_1=10)  # wrap-around through 0
    assert (red[:, :10] == 255).all() and red[:, 10:].max() == 0
    default = in_range(img)  # saturated colours, not the gray patch
    assert (default[:, :30] == 255).all() and default[:, 30:].max() == 0
    inv = in_range(img, min_1=50, max_1=70, invert=True)
    assert inv[:, 10:20].max() == 0 and (inv[:, :10] == 255).all()


def test_in_range_bgr_lab_16bit_and_gray():
    img = _patches()
    blue = in_range(img, ColorSpace.BGR, 200, 255, 0, 50, 0, 50)
    assert (blue[:, 20:30] == 255).all() and blue.sum() == 255 * 100
    bright = in_range(img, ColorSpace.LAB, 0, 255, 0, 255, 0, 255)
    assert (bright == 255).all()
    b16 = in_range(img.astype(np.uint16) * 257, ColorSpace.BGR, 200, 255, 0, 50, 0, 50)
    assert np.array_equal(b16, blue)
    gray = np.full((5, 5), 100, np.uint8)
    assert (in_range(gray, ColorSpace.HSV, 0, 179, 0, 10, 90, 110) == 255).all()


def test_distance_transform_values():
    m = np.zeros((41, 41), np.uint8)
    m[10:31, 10:31] = 255  # 21 x 21 square, centre (20, 20)
    raw = distance_transform(m, normalize=False)
    assert raw.dtype == np.float32 and raw[20, 20] == pytest.approx(11, abs=0.01)
    assert raw[10, 20] == pytest.approx(1, abs=0.01) and raw[0, 0] == 0
    norm = distance_transform(m)
    assert norm.max() == pytest.approx(1.0) and IMAGE.check(norm) is None
    cheb = distance_transform(m, Metric.CHESSBOARD, normalize=False)
    assert cheb[12, 12] == 3
    with pytest.raises(NodeInputError, match="background"):
        distance_transform(np.full((5, 5), 255, np.uint8))


def _two_discs():
    m = np.zeros((100, 160), np.uint8)
    cv2.circle(m, (50, 50), 30, 255, -1)
    cv2.circle(m, (100, 50), 30, 255, -1)
    return m


def test_watershed_splits_touching_discs():
    m = _two_discs()
    assert cv2.connectedComponents(m)[0] == 2  # one blob before
    out = watershed(cv2.cvtColor(m, cv2.COLOR_GRAY2BGR), m)
    assert isinstance(out.regions, RegionSet) and out.measurements.values["count"] == 2
    cx = sorted(s["cx"] for s in out.regions.stats)
    assert cx[0] == pytest.approx(50, abs=2) and cx[1] == pytest.approx(100, abs=2)
    areas = [s["area"] for s in out.regions.stats]
    assert sum(areas) == (m > 0).sum() and abs(areas[0] - areas[1]) < 100
    assert out.labels.shape == (100, 160, 3) and IMAGE.check(out.labels) is None
    assert out.labels[50, 50].tolist() != out.labels[50, 100].tolist() and out.labels[0, 0].tolist() == [0, 0, 0]
    merged = watershed(m, m, min_distance=60)  # seeds closer than 60 px merge
    assert merged.measurements.values["count"] == 1


def test_watershed_image_relief_and_coins():
    m = _two_discs()
    img = np.zeros_like(m)
    img[:, :75] = 200  # visible edge at x = 75
    img[m == 0] = 0
    out = watershed(img, m, relief=Relief.IMAGE)
    assert sorted(s["x"] + s["w"] for s in out.regions.stats)[0] == pytest.approx(75, abs=2)
    coins = data.coins()
    fg = fill_holes(threshold(coins))
    res = watershed(coins, fg, min_distance=15)
    assert res.measurements.values["count"] >= 24  # 24 coins, touching ones split
    with pytest.raises(NodeInputError, match="size"):
        watershed(coins, fg[:100])
    empty = watershed(coins, np.zeros_like(fg))
    assert len(empty.regions) == 0 and empty.labels.max() == 0


def test_watershed_floods_by_height_not_by_distance():
    """A ramp (height = x) with seeds at x = 5 and x = 35: the low seed fills everything below the high seed's
    height, so the split is next to the high seed, not half-way (a flood by neighbour differences gives x = 20).
    A wall keeps each seed on its side; a foreground part without a seed stays unlabelled."""
    mask = np.zeros((9, 60), np.uint8)
    mask[:, :41] = 255
    mask[:, 50:] = 255  # a separate part with no seed
    ramp = np.tile(np.arange(60, dtype=np.float32), (9, 1))
    seeds = np.zeros((9, 60), np.int32)
    seeds[:, 5], seeds[:, 35] = 1, 2  # two seed lines across the strip
    labels = flood(ramp, seeds, mask)
    assert labels.dtype == np.int32 and labels.min() == 0
    assert (labels[:, :34] == 1).all() and (labels[:, 35:41] == 2).all()
    assert (labels[:, 41:] == 0).all()  # background and the seedless part
    wall = np.zeros((9, 60), np.float32)
    wall[:, 15] = 100
    walled = flood(wall, seeds, mask)
    assert (walled[:, :15] == 1).all() and (walled[:, 16:41] == 2).all()
    assert set(np.unique(walled[:, 15])) <= {1, 2}  # the wall itself joins a side: no -1 lines are left


def test_watershed_splits_unequal_discs_at_the_neck():
    m = np.zeros((100, 140), np.uint8)
    cv2.circle(m, (50, 50), 30, 255, -1)
    cv2.circle(m, (90, 50), 20, 255, -1)  # the circles cross at x = 76.25
    cv2.circle(m, (125, 90), 1, 255, -1)  # too thin for a seed (min_peak 2): in no region
    out = watershed(m, m)
    assert out.measurements.values["count"] == 2
    left, right = sorted(out.regions.stats, key=lambda s: s["cx"])
    assert left["x"] + left["w"] == pytest.approx(76.25, abs=1.5) and right["x"] == pytest.approx(76.25, abs=1.5)
    assert left["area"] + right["area"] == (m > 0).sum() - (m[85:, 120:] > 0).sum()
    assert out.labels[50, 60].tolist() != out.labels[50, 85].tolist() and out.labels[90, 125].tolist() == [0, 0, 0]


def test_watershed_agrees_with_scikit_image():
    """The flood that replaced scikit-image's: same objects, and nearly the same pixels on the coins and on
    heavily overlapping random discs (they differ only where two floods meet on equal heights)."""
    from skimage.segmentation import watershed as skw
    from workbench.nodes.segmentation.watershed import _seeds

    rng = np.random.default_rng(3)
    discs = np.zeros((400, 400), np.uint8)
    for _ in range(60):
        cv2.circle(discs, tuple(int(v) for v in rng.integers(0, 400, 2)), int(rng.integers(8, 40)), 255, -1)
    coins = data.coins()
    cases = [(coins, fill_holes(threshold(coins)), 15, Relief.DISTANCE, 0.99),
             (coins, fill_holes(threshold(coins)), 15, Relief.IMAGE, 0.97),
             (discs, discs, 5, Relief.DISTANCE, 0.9)]
    for image, fg, min_distance, relief, agree in cases:
        inside = fg > 0
        dist = cv2.distanceTransform(inside.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
        n, markers = _seeds(dist, min_distance, 2.0)
        if relief is Relief.DISTANCE:
            surface = -dist
        else:
            g = image.astype(np.float32)
            surface = cv2.magnitude(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
        ours, theirs = flood(surface, markers, fg), skw(surface, markers, mask=inside)
        assert set(np.unique(ours[inside])) == set(np.unique(theirs[inside]))
        assert (ours[inside] == theirs[inside]).mean() >= agree
        assert (ours[~inside] == 0).all()
        assert watershed(image, fg, min_distance=min_distance, relief=relief).measurements.values["count"] == n - 1
