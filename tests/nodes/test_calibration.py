import json
import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from workbench.core.errors import NodeInputError
from workbench.core.spec import CancelToken, Cancelled, NodeContext
from workbench.core.types import MeasurementSet, RegionSet
from workbench.nodes.calibration.calibrate_camera import calibrate_camera
from workbench.nodes.calibration.find_chessboard import find_chessboard
from workbench.nodes.calibration.pixel_scale import Reference, RegionLength, pixel_scale
from workbench.nodes.calibration.undistort import Framing, undistort

SQ = 40  # texture pixels per square
COLS, ROWS = 9, 6  # inner corners -> 10 x 7 squares


def board_texture():
    """10x7 squares with a one-square white margin; the first inner corner is at (2*SQ, 2*SQ)."""
    sq_x, sq_y = COLS + 1, ROWS + 1
    img = np.full(((sq_y + 2) * SQ, (sq_x + 2) * SQ), 255, np.uint8)
    for r in range(sq_y):
        for c in range(sq_x):
            if (r + c) % 2 == 0:
                img[(r + 1) * SQ:(r + 2) * SQ, (c + 1) * SQ:(c + 2) * SQ] = 0
    return img


K = np.array([[800.0, 0, 320], [0, 800.0, 240], [0, 0, 1]])


def render_view(rvec, tvec, square_mm=20.0, size=(640, 480)):
    """Image of the board (board frame: mm, origin at the first inner corner) seen by camera K."""
    r, _ = cv2.Rodrigues(np.array(rvec, np.float64))
    a = np.array([[square_mm / SQ, 0, -2 * square_mm], [0, square_mm / SQ, -2 * square_mm], [0, 0, 1]])
    h = K @ np.column_stack([r[:, 0], r[:, 1], np.array(tvec, np.float64)]) @ a
    return cv2.warpPerspective(board_texture(), h, size, flags=cv2.INTER_AREA, borderValue=128)


VIEWS = [((0.0, 0.0, 0.0), (-80, -50, 500)), ((0.35, 0.0, 0.0), (-80, -50, 520)),
         ((-0.3, 0.2, 0.1), (-90, -40, 550)), ((0.0, 0.4, -0.1), (-70, -60, 480)),
         ((0.25, -0.3, 0.2), (-100, -50, 600)), ((-0.2, -0.35, 0.0), (-60, -50, 520))]


def test_find_chessboard_corners_and_square_size():
    img = render_view((0, 0, 0), (-80, -50, 500))  # fronto-parallel: square = 800*20/500 = 32 px
    r = find_chessboard(img, COLS, ROWS)
    assert r.found is True
    assert len(r.corners) == 54
    m = r.measurements.values
    assert m["found"] == 1 and m["corner_count"] == 54
    assert m["square_px"] == pytest.approx(32, abs=0.2)
    assert abs(m["angle"]) < 0.5 or abs(abs(m["angle"]) - 180) < 0.5
    # first inner corner at the board origin -> image 320 - 128, 240 - 80 (either end of the grid)
    firsts = {(round(s["cx"]), round(s["cy"])) for s in (r.corners.stats[0], r.corners.stats[-1])}
    assert (192, 160) in firsts
    colour = find_chessboard(cv2.cvtColor(img, cv2.COLOR_GRAY2BGR), COLS, ROWS)
    assert colour.measurements.values["square_px"] == pytest.approx(m["square_px"], abs=1e-3)
    assert find_chessboard(img.astype(np.uint16) * 257, COLS, ROWS).found


def test_find_chessboard_not_found():
    r = find_chessboard(np.full((64, 64), 128, np.uint8))
    assert r.found is False and len(r.corners) == 0 and r.measurements.values["found"] == 0
    assert find_chessboard(np.full((3, 3, 3), 128, np.uint8)).found is False  # too small, no cv2 error


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    d = tmp_path_factory.mktemp("views")
    for i, (rv, tv) in enumerate(VIEWS):
        cv2.imwrite(str(d / f"view_{i}.png"), render_view(rv, tv))
    return d


def test_calibrate_camera_recovers_focal_length(views, tmp_path):
    seen = []
    ctx = NodeContext(report_progress=lambda f, msg: seen.append(f))
    out = tmp_path / "cal" / "camera.json"
    r = calibrate_camera(views, "", COLS, ROWS, 20.0, out, ctx=ctx)
    m = r.measurements.values
    assert m["views"] == len(VIEWS)
    assert m["fx"] == pytest.approx(800, rel=0.03)
    assert m["fy"] == pytest.approx(800, rel=0.03)
    assert m["cx"] == pytest.approx(320, abs=15) and m["cy"] == pytest.approx(240, abs=15)
    assert m["rms"] < 0.5
    assert seen and seen[-1] == 1.0
    d = json.loads(out.read_text())
    assert d["image_size"] == [640, 480] and d["pattern"] == [COLS, ROWS]
    assert r.path == str(out)
    # the file feeds Undistort: an undistorted synthetic view stays (nearly) the same
    img = render_view(*VIEWS[1])
    und = undistort(img, out)
    assert und.shape == img.shape
    assert np.abs(und[100:380, 100:540].astype(int) - img[100:380, 100:540]).mean() < 6


def test_calibrate_camera_cancel_and_errors(views, tmp_path):
    tok = CancelToken()
    tok.cancel()
    with pytest.raises(Cancelled):
        calibrate_camera(views, "", COLS, ROWS, 20.0, Path(""), ctx=NodeContext(cancel=tok))
    with pytest.raises(NodeInputError, match="found in 0 of"):
        calibrate_camera(views, "", 5, 4, 20.0, Path(""))
    with pytest.raises(ValueError, match="no folder"):
        calibrate_camera(None)


def _distortion_file(path: Path, dist):
    path.write_text(json.dumps({"image_size": [320, 240], "camera_matrix": [[300, 0, 160], [0, 300, 120], [0, 0, 1]],
                                "dist_coeffs": dist}))
    return path


def test_undistort_inverts_a_known_distortion(tmp_path):
    k = np.array([[300.0, 0, 160], [0, 300, 120], [0, 0, 1]])
    dist = np.array([-0.3, 0.1, 0, 0, 0])
    ideal = np.zeros((240, 320), np.uint8)
    for x in range(10, 320, 20):
        cv2.line(ideal, (x, 0), (x, 239), 255, 3)
    # distorted image: each distorted pixel looks up its ideal position
    yy, xx = np.mgrid[0:240, 0:320].astype(np.float32)
    pts = np.stack([xx.ravel(), yy.ravel()], 1).reshape(-1, 1, 2)
    und = cv2.undistortPoints(pts, k, dist, P=k).reshape(240, 320, 2)
    distorted = cv2.remap(ideal, und[..., 0], und[..., 1], cv2.INTER_LINEAR)
    f = _distortion_file(tmp_path / "c.json", dist.tolist())
    fixed = undistort(distorted, f)
    core = (slice(40, 200), slice(40, 280))
    err_before = np.abs(distorted[core].astype(int) - ideal[core]).mean()
    err_after = np.abs(fixed[core].astype(int) - ideal[core]).mean()
    assert err_after < err_before / 3
    # 16-bit / colour keep their type; half-size image is handled by scaling the matrix
    assert undistort(distorted.astype(np.uint16), f).dtype == np.uint16
    assert undistort(cv2.cvtColor(distorted, cv2.COLOR_GRAY2BGR), f).shape == (240, 320, 3)
    assert undistort(cv2.resize(distorted, (160, 120)), f, Framing.VALID_ONLY).shape == (120, 160)
    with pytest.raises(NodeInputError, match="aspect"):
        undistort(np.zeros((100, 100), np.uint8), f)
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(NodeInputError, match="not a calibration file"):
        undistort(distorted, bad)


def test_pixel_scale_from_measurement_and_regions():
    M = Reference.MEASUREMENT
    r = pixel_scale(MeasurementSet().add("distance", 200, "px"), reference=M, known_mm=10)
    assert r.mm_per_px == pytest.approx(0.05)
    assert r.measurements.values["px_per_mm"] == pytest.approx(20)
    square = np.array([[[10, 10]], [[110, 10]], [[110, 60]], [[10, 60]]], np.int32)
    regs = RegionSet([square], [{"area": 5000.0}], (100, 200))
    assert pixel_scale(None, regs, known_mm=50).mm_per_px == pytest.approx(50 / 101, rel=1e-6)  # bbox is inclusive
    assert pixel_scale(None, regs, known_mm=50, region_length=RegionLength.LONG_SIDE).mm_per_px == pytest.approx(0.5)
    with pytest.raises(NodeInputError, match="available: distance"):
        pixel_scale(MeasurementSet().add("distance", 200, "px"), reference=M, measurement="width")
    with pytest.raises(NodeInputError, match="in mm"):
        pixel_scale(MeasurementSet().add("distance", 2, "mm"), reference=M)
    with pytest.raises(ValueError, match="link Regions"):
        pixel_scale(MeasurementSet().add("distance", 2, "px"))
    with pytest.raises(ValueError, match="link Measurements"):
        pixel_scale(None, regs, reference=M)
