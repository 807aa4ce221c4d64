"""Classification training on real handwritten digits (scikit-learn's, inside its wheel): export, sidecar,
the ordinary dl.classify node, held-out metrics, both folder layouts, bad input; and the CLI."""

import json

import cv2
import numpy as np
import pytest

from sets import digits_set, texture_set
from workbench.cli import main
from workbench.core.errors import WorkbenchError
from workbench.core.imageio import read_image
from workbench.core.spec import NodeContext
from workbench.inference.sidecar import sidecar_path
from workbench.nodes.dl.classify import classify
from workbench.training import common
from workbench.training.classify import ClassifyOptions, find_dataset, fit_logreg, metrics, train_classifier
from workbench.training.common import Cancelled, Job


@pytest.fixture(scope="module")
def trained(tmp_path_factory, backbone_file):
    root = digits_set(tmp_path_factory.mktemp("digits"), per_class=10, test_per_class=4)
    out = root / "digits.onnx"
    report = train_classifier(root, out, ClassifyOptions(augment=1), backbone=backbone_file)
    return root, out, report


def test_report_and_files(trained):
    root, out, report = trained
    assert report["classes"] == [str(i) for i in range(10)]
    assert report["train_count"] == 100 and report["test_count"] == 40
    assert report["accuracy"] >= 0.75  # 10 images per class; the bench measures 30 per class
    cm = np.array(report["confusion"])
    assert cm.sum() == 40 and np.trace(cm) / 40 == pytest.approx(report["accuracy"])
    assert json.loads(common.report_path(out).read_text())["accuracy"] == report["accuracy"]
    side = json.loads(sidecar_path(out).read_text())
    assert side["task"] == "classification" and side["labels"] == report["classes"]
    assert side["preprocess"]["scaling"] == "IMAGENET" and side["postprocess"]["softmax"] == "never"


def test_the_ordinary_node_gives_the_held_out_predictions(trained):
    root, out, report = trained
    for path, pred, score in list(zip(report["test_images"], report["test_pred"], report["test_score"]))[::4]:
        res = classify(read_image(path), NodeContext(), model=out)
        assert res.classification.class_id == pred and res.classification.label == str(pred)
        assert res.classification.score == pytest.approx(score, abs=1e-4)


def test_metrics_and_head():
    m = metrics(np.array([0, 0, 1, 1, 2]), np.array([0, 1, 1, 1, 0]), ["a", "b", "c"])
    assert m["confusion"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]] and m["accuracy"] == pytest.approx(0.6)
    assert m["precision"] == [0.5, pytest.approx(2 / 3), None] and m["recall"] == [0.5, 1.0, 0.0]
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-2, 1, (50, 5)), rng.normal(2, 1, (50, 5))])
    y = np.r_[np.zeros(50, int), np.ones(50, int)]
    w, b = fit_logreg(x, y, 2, ClassifyOptions(), Job())
    assert ((x @ w.T + b).argmax(1) == y).mean() >= 0.97


def test_class_folder_layout_is_split_per_class_with_a_fixed_seed(tmp_path):
    for c in ("ok", "scratch"):
        (tmp_path / c).mkdir()
        for i in range(8):
            cv2.imwrite(str(tmp_path / c / f"{i}.png"), np.full((16, 16), i * 20, np.uint8))
    names, train, test = find_dataset(tmp_path, 0.25, 0)
    assert names == ["ok", "scratch"] and len(train) == 12 and len(test) == 4
    assert sorted(k for _, k in test) == [0, 0, 1, 1]
    assert find_dataset(tmp_path, 0.25, 0)[2] == test


def test_bad_input_and_cancel(tmp_path, backbone_file):
    with pytest.raises(WorkbenchError, match="data folder not found"):
        train_classifier(tmp_path / "nope", tmp_path / "m.onnx", backbone=backbone_file)
    (tmp_path / "one" / "a").mkdir(parents=True)
    cv2.imwrite(str(tmp_path / "one" / "a" / "x.png"), np.zeros((8, 8), np.uint8))
    with pytest.raises(WorkbenchError, match="at least 2 class folders"):
        train_classifier(tmp_path / "one", tmp_path / "m.onnx", backbone=backbone_file)
    root = digits_set(tmp_path / "d", per_class=2, test_per_class=1)
    with pytest.raises(Cancelled):
        train_classifier(root, tmp_path / "m.onnx", job=Job(cancelled=lambda: True), backbone=backbone_file)
    assert not list(tmp_path.glob("m.*"))


def test_cli_train_both_tasks(tmp_path, capsys, backbone_file, monkeypatch):
    monkeypatch.setattr("workbench.training.backbone.backbone_dir", lambda: backbone_file.parent)
    root = texture_set(tmp_path / "tex", "gravel", n_good=5, n_test_good=0, n_bad=2)
    assert main(["train", "anomaly", "--good", str(root / "good"), "--bad", str(root / "bad"),
                 "-o", str(tmp_path / "ad.onnx"), "--size", "128"]) == 0
    out = capsys.readouterr().out
    assert "held-out AUROC" in out and "memory bank" in out and (tmp_path / "ad.report.json").is_file()
    d = digits_set(tmp_path / "dig", per_class=3, test_per_class=1)
    assert main(["train", "classify", "--data", str(d), "-o", str(tmp_path / "c.onnx"), "--augment", "0",
                 "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["test_count"] == 10 and rep["classes"][0] == "0"
    img = str(root / "bad" / "b00_scratch.png")
    assert main(["train", "mark-good", "--model", str(tmp_path / "ad.onnx"), img]) == 0
    assert "1 image(s) added" in capsys.readouterr().out
    assert main(["train", "undo", "--model", str(tmp_path / "ad.onnx")]) == 0
    assert "undone" in capsys.readouterr().out and (tmp_path / "ad.audit.jsonl").read_text().count("\n") == 2
    assert main(["train", "classify", "--data", str(tmp_path / "missing"), "-o", str(tmp_path / "x.onnx")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: data folder not found: {tmp_path / 'missing'}"]


def test_ctrl_c_during_training_writes_nothing(tmp_path, backbone_file):
    import os
    import signal
    import subprocess
    import sys

    root = texture_set(tmp_path / "tex", "brick", n_good=12, n_test_good=0, n_bad=0)
    code = ("import sys; import workbench.training.backbone as b; from pathlib import Path; "
            f"b.backbone_dir = lambda: Path({str(backbone_file.parent)!r}); "
            "from workbench.cli import main; sys.exit(main(sys.argv[1:]))")
    p = subprocess.Popen([sys.executable, "-c", code, "train", "anomaly", "--good", str(root / "good"),
                          "-o", str(tmp_path / "m.onnx")], stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = b""
    while b"selecting the memory bank" not in seen and p.poll() is None:  # interrupt it mid-training
        seen += os.read(p.stderr.fileno(), 4096)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130 and err.decode().strip().endswith("cancelled")
    assert sorted(x.name for x in tmp_path.iterdir()) == ["tex"]
