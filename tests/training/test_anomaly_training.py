"""Anomaly training on real textures (skimage.data brick) with drawn defects: export, sidecar, the ordinary
dl.anomaly node, held-out metrics, threshold rules, cancellation and bad input."""

import json

import cv2
import numpy as np
import onnx
import pytest
from sklearn.metrics import roc_auc_score

from sets import texture_set
from workbench.core.errors import WorkbenchError
from workbench.core.imageio import list_images, read_image
from workbench.core.spec import NodeContext
from workbench.inference.sessions import SESSIONS
from workbench.inference.sidecar import sidecar_path
from workbench.nodes.dl.anomaly import anomaly
from workbench.training import common
from workbench.training.anomaly import AnomalyOptions, calibration, greedy_coreset, score_images, train_anomaly
from workbench.training.common import Cancelled, Job

OPTS = AnomalyOptions(size=256, coreset=0.1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, backbone_file):
    root = texture_set(tmp_path_factory.mktemp("brick"), "brick", n_good=10, n_test_good=4, n_bad=8)
    out = root / "model.onnx"
    steps = []
    report = train_anomaly(root / "good", out, root / "bad", OPTS, Job(progress=lambda *a: steps.append(a)),
                           backbone=backbone_file)
    SESSIONS.clear()
    return root, out, report, steps


def test_files_report_and_progress(trained):
    root, out, report, steps = trained
    assert out.is_file() and sidecar_path(out).is_file() and common.report_path(out).is_file()
    assert not list(root.glob("*.part"))
    saved = json.loads(common.report_path(out).read_text())
    assert saved["auroc"] == report["auroc"] and len(saved["heldout_good"]) == 2 and len(saved["bad_images"]) == 8
    assert report["auroc"] >= 0.9
    assert report["bank_rows"] == round(0.1 * 8 * 32 * 32)
    assert {s[0] for s in steps} >= {"extracting features", "selecting the memory bank", "scoring bad images"}
    m = onnx.load(str(out))
    assert [o.name for o in m.graph.output] == ["anomaly_map", "score"] and m.ir_version == 9


def test_the_ordinary_node_gives_the_training_time_scores(trained):
    root, out, report, _ = trained
    side = json.loads(sidecar_path(out).read_text())
    post = side["postprocess"]
    assert side["task"] == "anomaly" and post["threshold"] == pytest.approx(report["threshold"])
    lo, hi, t = post["min"], post["max"], post["threshold"]
    for path, raw in zip(report["bad_images"], report["scores_bad"]):
        res = anomaly(read_image(path), NodeContext(), model=out)
        expected = float(np.clip((raw - t) / (hi - lo) + 0.5, 0, 1))
        assert res.measurements.values["score"] == pytest.approx(expected, abs=1e-4)
        assert res.map.shape == (256, 256)
        assert res.verdict.ok == (raw < t)


def test_defects_are_found_where_they_are(trained):
    root, out, report, _ = trained
    sess = common.session(out.read_bytes())
    hits = overlaps = flagged = 0
    for path in list_images(root / "bad"):
        img = read_image(path)
        mask = cv2.dilate(read_image(root / "masks" / path.name, "gray"), np.ones((9, 9), np.uint8))
        raw = score_images(sess, [img], 256, Job(), "")[1][0]  # the raw map: its peak is not clipped
        y, x = np.unravel_index(np.argmax(cv2.resize(raw, (256, 256))), (256, 256))
        hits += mask[y, x] > 0
        res = anomaly(img, NodeContext(), model=out)
        if not res.verdict.ok:
            flagged += 1
            overlaps += np.count_nonzero(res.mask & mask) > 0
    assert hits >= 6 and flagged >= 5 and overlaps == flagged  # of 8
    good = score_images(sess, [read_image(p) for p in list_images(root / "test_good")], 256, Job(), "")[0]
    bad = score_images(sess, [read_image(p) for p in list_images(root / "bad")], 256, Job(), "")[0]
    assert roc_auc_score([0] * len(good) + [1] * len(bad), np.r_[good, bad]) >= 0.85


def test_auroc_matches_scikit_learn():
    rng = np.random.default_rng(3)
    neg, pos = rng.normal(0, 1, 40).round(1), rng.normal(1, 1, 30).round(1)  # with ties
    assert common.auroc(neg, pos) == pytest.approx(roc_auc_score([0] * 40 + [1] * 30, np.r_[neg, pos]))
    fpr, tpr = common.roc_curve(neg, pos)
    assert fpr[0] == 0 and tpr[0] == 0 and fpr[-1] == 1 and tpr[-1] == 1 and np.all(np.diff(fpr) >= 0)
    assert np.trapezoid(tpr, fpr) == pytest.approx(common.auroc(neg, pos), abs=1e-9)


def test_greedy_coreset_covers_the_points_better_than_a_random_subset():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 1, (900, 2)), rng.normal(8, 0.5, (20, 2))]).astype(np.float32)
    idx = greedy_coreset(x, 40, Job(), proj=64)
    rnd = rng.choice(len(x), 40, replace=False)

    def radius(sel):
        d = ((x[:, None, :] - x[sel][None]) ** 2).sum(-1).min(1)
        return np.sqrt(d.max())

    assert len(set(idx)) == 40 and radius(idx) < 0.6 * radius(rnd)
    assert (idx >= 900).any()  # the small far cluster is represented


def test_threshold_rules():
    good = np.array([1.0, 1.1, 1.2, 1.3])
    c = calibration(good, np.array([]))
    assert c["threshold"] == pytest.approx(max(good.mean() + 4 * good.std(), 1.05 * 1.3))
    assert c["min"] == pytest.approx(1.15) and (c["threshold"] - c["min"]) * 2 == pytest.approx(c["max"] - c["min"])
    c = calibration(good, np.array([1.25, 2.0, 2.5]))
    assert c["threshold"] == pytest.approx(1.225)  # between 1.2 (good) and 1.25 (bad): Youden's best cut
    assert c["uncertain"][0] <= 0.5 <= c["uncertain"][1]


def test_cancel_leaves_nothing(tmp_path, backbone_file):
    root = texture_set(tmp_path / "set", "gravel", n_good=4, n_test_good=0, n_bad=0, size=128)
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 6

    with pytest.raises(Cancelled, match="nothing was written"):
        train_anomaly(root / "good", tmp_path / "m.onnx", None, OPTS, Job(cancelled=cancelled), backbone=backbone_file)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["set"]


def test_bad_input_is_one_clear_error(tmp_path, backbone_file):
    with pytest.raises(WorkbenchError, match="good images folder not found"):
        train_anomaly(tmp_path / "nope", tmp_path / "m.onnx", backbone=backbone_file)
    (tmp_path / "few").mkdir()
    with pytest.raises(WorkbenchError, match="holds no images"):
        train_anomaly(tmp_path / "few", tmp_path / "m.onnx", backbone=backbone_file)
    for i in range(2):
        cv2.imwrite(str(tmp_path / "few" / f"{i}.png"), np.zeros((64, 64), np.uint8))
    with pytest.raises(WorkbenchError, match="at least 3 good images"):
        train_anomaly(tmp_path / "few", tmp_path / "m.onnx", backbone=backbone_file)
    with pytest.raises(WorkbenchError, match="must be a .onnx file"):
        train_anomaly(tmp_path / "few", tmp_path / "m.txt", backbone=backbone_file)
    cv2.imwrite(str(tmp_path / "few" / "2.png"), np.zeros((64, 64), np.uint8))
    with pytest.raises(WorkbenchError, match="size must be a multiple of 32"):
        train_anomaly(tmp_path / "few", tmp_path / "m.onnx", opts=AnomalyOptions(size=100), backbone=backbone_file)
    with pytest.raises(WorkbenchError, match="backbone .* is missing: run `workbench models`"):
        train_anomaly(tmp_path / "few", tmp_path / "m.onnx", backbone=tmp_path / "none" / "mobilenet_v2.onnx")


def test_mark_as_good_then_undo(trained, tmp_path):
    import shutil

    from workbench.training.mistakes import mark_good, read_audit, undo_last

    root, out, report, _ = trained
    model = tmp_path / "m.onnx"
    shutil.copy(out, model)
    shutil.copy(sidecar_path(out), sidecar_path(model))
    worst = max(list_images(root / "test_good"), key=lambda p: anomaly(read_image(p), NodeContext(),
                                                                        model=model).measurements.values["score"])
    before = anomaly(read_image(worst), NodeContext(), model=model).measurements.values["score"]
    other = read_image(list_images(root / "bad")[1])
    other_before = anomaly(other, NodeContext(), model=model).measurements.values["score"]
    entry = mark_good(model, [worst])
    assert entry["rows_added"] == 1024 and entry["bank_rows"] == report["bank_rows"] + 1024
    after = anomaly(read_image(worst), NodeContext(), model=model)
    assert after.measurements.values["score"] == 0.0 and after.verdict.ok  # its own patches are in the bank
    assert anomaly(other, NodeContext(), model=model).measurements.values["score"] <= other_before
    undo = undo_last(model)
    assert undo["bank_rows"] == report["bank_rows"]
    assert anomaly(read_image(worst), NodeContext(), model=model).measurements.values["score"] == pytest.approx(before)
    assert [e["action"] for e in read_audit(model)] == ["mark_good", "undo"]
    with pytest.raises(WorkbenchError, match="nothing to undo"):
        undo_last(model)
    with pytest.raises(WorkbenchError, match="no memory bank"):
        mark_good(_plain_model(tmp_path), [worst])


def _plain_model(tmp_path):
    from onnx import TensorProto, helper

    g = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 9
    onnx.save(m, tmp_path / "plain.onnx")
    return tmp_path / "plain.onnx"


def test_workbench_run_judges_a_folder_with_the_trained_model(trained, tmp_path, capsys):
    from workbench.cli import main

    root, out, report, _ = trained
    pipe = {"format": "workbench.pipeline", "schema_version": 1,
            "nodes": [{"id": "source", "type": "io.image_file", "version": 1, "params": {"path": "x.png"}},
                      {"id": "ad", "type": "dl.anomaly", "version": 1, "params": {"model": str(out)}}],
            "edges": [{"from": ["source", "image"], "to": ["ad", "image"]}]}
    (tmp_path / "p.json").write_text(json.dumps(pipe))
    assert main(["run", str(tmp_path / "p.json"), "-i", str(root / "bad"), "-o", str(tmp_path / "o"), "-q"]) == 0
    rows = [json.loads(x) for x in (tmp_path / "o" / "results.jsonl").read_text().splitlines()]
    ng = sum(r["verdict"] == "NG" for r in rows)
    assert len(rows) == 8 and ng == sum(s >= report["threshold"] for s in report["scores_bad"])
