"""Matching family: template matching, keypoints, feature-based locate, shape match."""

import math

import cv2
import numpy as np
import pytest
from skimage import data

from workbench.core.errors import NodeInputError
from workbench.core.params import Roi
from workbench.core.types import NO_VALUE, DetectionSet, RegionSet
from workbench.nodes.matching._common import Detector
from workbench.nodes.matching.feature_locate import feature_locate
from workbench.nodes.matching.keypoints import keypoints
from workbench.nodes.matching.shape_match import shape_match
from workbench.nodes.matching.template_match import MatchMethod, template_match


def scene_with_templates():
    rng = np.random.default_rng(1)
    scene = rng.integers(0, 60, (240, 320), dtype=np.uint8)
    tpl = data.camera()[200:240, 220:270].copy()  # 50 x 40 textured patch
    places = [(30, 20), (200, 60), (120, 170)]
    for x, y in places:
        scene[y:y + 40, x:x + 50] = tpl
    return scene, tpl, places


@pytest.mark.parametrize("method", list(MatchMethod))
def test_template_match_finds_all_instances(method):
    scene, tpl, places = scene_with_templates()
    out = template_match(scene, tpl, method=method, min_score=0.9)
    det = out.detections
    assert isinstance(det, DetectionSet) and len(det) == 3
    found = sorted((int(round(b[0])), int(round(b[1]))) for b in det.boxes)
    assert found == sorted(places)
    assert det.labels == ["match"] * 3 and (det.scores > 0.9).all()
    assert np.allclose(det.boxes[:, 2] - det.boxes[:, 0], 50) and np.allclose(det.boxes[:, 3] - det.boxes[:, 1], 40)
    v = out.measurements.values
    assert v["count"] == 3 and v["best_score"] == pytest.approx(1, abs=0.02)
    assert (round(v["best_x"]), round(v["best_y"])) in places


def test_template_match_limits_roi_and_dtypes():
    scene, tpl, places = scene_with_templates()
    assert len(template_match(scene, tpl, max_matches=2).detections) == 2
    out = template_match(scene, tpl, roi=Roi.rect(150, 40, 150, 80))
    assert len(out.detections) == 1 and tuple(np.round(out.detections.boxes[0, :2])) == (200, 60)
    # colour scene with a gray template, 16-bit and float inputs all find the same instances
    for img, t in [(cv2.cvtColor(scene, cv2.COLOR_GRAY2BGR), tpl),
                   (cv2.cvtColor(scene, cv2.COLOR_GRAY2BGR), cv2.cvtColor(tpl, cv2.COLOR_GRAY2BGR)),
                   (scene.astype(np.uint16) * 257, tpl),
                   (scene.astype(np.float32) / 255, tpl.astype(np.float32) / 255)]:
        assert len(template_match(img, t).detections) == 3


def test_template_match_nms_and_subpixel():
    # a blurred blob: neighbouring positions all score high; NMS keeps one match per instance
    scene = np.zeros((100, 100), np.float32)
    cv2.circle(scene, (40, 50), 8, 1.0, -1)
    scene = cv2.GaussianBlur(scene, (0, 0), 2)
    tpl = scene[30:71, 20:61].copy()
    shifted = cv2.warpAffine(scene, np.float32([[1, 0, 10.4], [0, 1, 0]]), (100, 100))
    out = template_match(shifted, tpl, min_score=0.5)
    assert len(out.detections) == 1
    assert out.measurements.values["best_x"] == pytest.approx(30.4, abs=0.2)


def test_template_match_bad_input():
    with pytest.raises(NodeInputError, match="larger"):
        template_match(np.zeros((20, 20), np.uint8), np.zeros((30, 30), np.uint8))
    with pytest.raises(NodeInputError):
        template_match(np.zeros((20, 20), np.int32), np.zeros((3, 3), np.uint8))


@pytest.mark.parametrize("detector", list(Detector))
def test_keypoints_on_checkerboard_and_flat(detector):
    board = data.checkerboard()
    out = keypoints(board, detector=detector, max_features=300)
    assert 20 <= out.measurements.values["count"] <= 300
    assert out.image.shape == board.shape + (3,) and out.image.dtype == np.uint8
    assert len(out.keypoints) == out.measurements.values["count"]
    flat = keypoints(np.full((64, 64), 100, np.uint8), detector=detector)
    assert flat.measurements.values["count"] == 0
    # 16-bit input is stretched and gives keypoints too; an ROI restricts where they are
    assert keypoints(board.astype(np.uint16) * 257, detector=detector).measurements.values["count"] > 20
    inside = keypoints(board, detector=detector, roi=Roi.rect(0, 0, 100, 100))
    assert all(s["cx"] < 101 and s["cy"] < 101 for s in inside.keypoints.stats)


def paste_model(angle, scale, centre=(260, 200)):
    model = data.camera()[100:260, 150:330].copy()  # 180 x 160 textured patch
    h, w = model.shape
    rng = np.random.default_rng(3)
    scene = cv2.GaussianBlur(rng.integers(0, 255, (420, 520), dtype=np.uint8), (0, 0), 3)
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, scale)  # +angle = counter-clockwise on screen
    m[:, 2] += np.array(centre) - (w / 2, h / 2)
    warped = cv2.warpAffine(model, m, scene.shape[::-1])
    inside = cv2.warpAffine(np.full_like(model, 255), m, scene.shape[::-1])
    scene[inside > 0] = warped[inside > 0]
    return scene, model


@pytest.mark.parametrize("detector,angle,scale", [(Detector.ORB, 30, 1.0), (Detector.ORB, -20, 0.8),
                                                  (Detector.SIFT, 75, 1.2), (Detector.SIFT, 0, 1.0)])
def test_feature_locate_recovers_pose(detector, angle, scale):
    scene, model = paste_model(angle, scale)
    out = feature_locate(cv2.cvtColor(scene, cv2.COLOR_GRAY2BGR), model, detector=detector)
    assert out.found is True
    v = out.measurements.values
    assert (v["x"], v["y"]) == pytest.approx((260, 200), abs=3)
    assert v["angle"] == pytest.approx(angle, abs=2)
    assert v["scale"] == pytest.approx(scale, abs=0.05)
    assert v["inliers"] >= 12
    det = out.detections
    assert len(det) == 1 and det.labels == ["model"] and det.polygons[0].shape == (4, 2)
    cx, cy = det.polygons[0].mean(axis=0)
    assert (cx, cy) == pytest.approx((260, 200), abs=3)


def test_feature_locate_not_found():
    rng = np.random.default_rng(5)
    noise = cv2.GaussianBlur(rng.integers(0, 255, (300, 300), dtype=np.uint8), (0, 0), 2)
    out = feature_locate(noise, data.camera()[100:260, 150:330])
    assert out.found is False and out.measurements is NO_VALUE and len(out.detections) == 0
    out = feature_locate(np.zeros((64, 64), np.uint8), np.zeros((32, 32), np.uint8))
    assert out.found is False


def contour_of(mask):
    cs, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    return max(cs, key=cv2.contourArea)


def test_shape_match_ignores_pose():
    def tri(shape, pts):
        m = np.zeros(shape, np.uint8)
        cv2.fillPoly(m, [np.int32(pts)], 255)
        return contour_of(m)

    model = RegionSet([tri((100, 100), [[10, 80], [90, 80], [50, 10]])], [{}], (100, 100))
    big_rotated = tri((300, 300), [[150, 20], [150, 180], [290, 100]])  # bigger, rotated triangle
    square = np.zeros((300, 300), np.uint8)
    cv2.rectangle(square, (20, 200), (100, 280), 255, -1)
    regs = RegionSet([big_rotated, contour_of(square)], [{"id": 1.0}, {"id": 2.0}], (300, 300))
    out = shape_match(regs, model)
    assert [s["id"] for s in out.regions.stats] == [1.0]
    assert out.regions.stats[0]["shape_distance"] < 0.05
    assert out.measurements.values["count"] == 1
    with pytest.raises(NodeInputError):
        shape_match(regs, RegionSet())
