"""Consistency of the command line (issue #18 item 12): validate reports missing model and source files,
a folder or a device given as a model is named as such (OCR never falls back to the bundled models
silently), and OpenCV / libpng / FFmpeg add no noise of their own to stderr. (run and validate share
exit code 1 for a bad pipeline: tests/core/test_loader_hardening.py; SIGTERM ends `stream` with 0:
tests/runtime/test_cli_runtime.py.)"""

import json
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

from workbench.cli import main
from workbench.core.engine import Engine
from workbench.core.graph import Pipeline
from workbench.core.paths import demo_pipeline
from workbench.core.registry import default_registry
from workbench.core.spec import NodeContext


def _write(tmp_path, nodes, edges=()):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"format": "workbench.pipeline", "schema_version": 1, "nodes": nodes,
                                "edges": list(edges)}))
    return path


def _classify(tmp_path, model):
    return _write(tmp_path, [{"id": "src", "type": "io.image_file", "params": {"path": "part.png"}},
                             {"id": "cls", "type": "dl.classify", "params": {"model": model}}],
                  [{"from": ["src", "image"], "to": ["cls", "image"]}])


def test_validate_reports_missing_model_and_source_files(tmp_path, capsys):
    path = _classify(tmp_path, "models/net.onnx")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "node src: path: file not found: part.png" in out and "node cls: model: file not found: models/net.onnx" in out
    cv2.imwrite(str(tmp_path / "part.png"), np.zeros((8, 8), np.uint8))
    (tmp_path / "models").mkdir()
    assert main(["validate", str(path)]) == 1
    assert "model: file not found" in capsys.readouterr().out and main(["validate", str(demo_pipeline())]) == 0


def test_a_folder_or_a_device_as_a_model_is_named(tmp_path, capsys):
    cv2.imwrite(str(tmp_path / "part.png"), np.zeros((8, 8), np.uint8))
    (tmp_path / "models").mkdir()
    assert main(["validate", str(_classify(tmp_path, "models"))]) == 1
    assert "model: is a folder, not a file: models" in capsys.readouterr().out
    assert main(["validate", str(_classify(tmp_path, "/dev/zero"))]) == 1
    assert "model: not a regular file: /dev/zero" in capsys.readouterr().out
    pipe = Pipeline(default_registry(), base_dir=tmp_path)
    pipe.add_node("io.image_file", "src", {"path": "part.png"})
    pipe.add_node("dl.classify", "cls", {"model": "/dev/zero"})
    pipe.add_node("dl.ocr", "ocr", {"det_model": "models", "rec_model": "models"})
    pipe.connect("src", "image", "cls", "image")
    pipe.connect("src", "image", "ocr", "image")
    res = Engine().run(pipe, context=NodeContext(base_dir=tmp_path, output_dir=tmp_path / "o"))
    assert "not a regular file" in res.nodes["cls"].message
    assert res.nodes["ocr"].status == "failed" and "is a folder, not a model file" in res.nodes["ocr"].message


def _stderr_of(args, tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    p = subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], capture_output=True, text=True,
                       env=env, timeout=180, cwd=tmp_path)
    return p.returncode, p.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="fds")
def test_no_library_noise_on_stderr(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    ok, buf = cv2.imencode(".png", np.zeros((64, 64, 3), np.uint8))
    bad = bytearray(buf.tobytes())
    bad[30] ^= 0xFF  # an IHDR CRC error: libpng itself would print "libpng error: IHDR: CRC error"
    (folder / "bad_crc.png").write_bytes(bytes(bad))
    rc, err = _stderr_of(["run", demo_pipeline(), "-i", folder, "-o", tmp_path / "o", "-q"], tmp_path)
    assert rc == 0 and "libpng" not in err, err
    rows = (tmp_path / "o" / "results.jsonl").read_text()
    assert "corrupt PNG: CRC error in the 'IHDR' chunk" in rows
    video = tmp_path / "v.avi"
    w = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 64))
    rng = np.random.default_rng(0)
    for _ in range(20):
        w.write(rng.integers(0, 255, (64, 64, 3), np.uint8))
    w.release()
    data = video.read_bytes()
    video.write_bytes(data[: len(data) // 2])  # cut in the middle of a frame: FFmpeg says "overread"
    rc, err = _stderr_of(["stream", demo_pipeline(), "--source", f"video:{video}", "--no-db", "--quiet",
                          "-o", tmp_path / "s"], tmp_path)
    # the cut video is reported in our own one line (frames read of expected, exit 4: data lost), not FFmpeg's
    assert rc == 4 and "@ 0x" not in err and "overread" not in err, err
    assert [ln for ln in err.splitlines() if ln.strip()] == [ln for ln in err.splitlines() if "of 20" in ln], err
