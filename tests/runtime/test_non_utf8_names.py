"""File names that are not valid UTF-8 (real files whose names hold bytes 0xff 0xfe): `run --input DIR`,
`stream`, `replay`, the results database and the CSV files handle them; nothing is skipped or lost."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from tests.runtime.conftest import COINS, coins_image
from workbench.runtime.results import ResultsDB

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="file names as raw bytes (Linux file systems)")

ODD = b"part\xff\xfe07.png"  # not UTF-8: Python sees "part\udcff\udcfe07.png"


def wb(*args, timeout=180):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], capture_output=True, env=env,
                          timeout=timeout)


@pytest.fixture
def odd_folder(tmp_path):
    """11 inputs; one has a name that is not UTF-8 and is NG (half the coins). Sorted by name it is the
    last (its 0xff sorts after every digit)."""
    folder = tmp_path / "in"
    folder.mkdir()
    img = coins_image()
    for i in range(11):
        name = ODD if i == 7 else f"part{i:02d}.png".encode()
        ok, buf = cv2.imencode(".png", img[:, : img.shape[1] // 2].copy() if i == 7 else img)
        (folder / os.fsdecode(name)).write_bytes(buf.tobytes())
    return folder


def _odd(folder: Path) -> str:
    return str(folder / os.fsdecode(ODD))


def test_run_input_dir_with_a_non_utf8_name(tmp_path, odd_folder):
    out, db = tmp_path / "out", tmp_path / "r.db"
    p = wb("run", COINS, "-i", odd_folder, "-o", out, "--db", db)
    stdout, stderr = p.stdout.decode("utf-8"), p.stderr.decode("utf-8")  # valid UTF-8 both
    assert p.returncode == 0, stderr
    assert "part\\xff\\xfe07.png: NG" in stdout and stdout.strip().splitlines()[-1].startswith("11 inputs: 10 OK, 1 NG")
    rows = list(csv.DictReader(open(out / "results.csv", encoding="utf-8")))  # strict UTF-8
    assert len(rows) == 11 and rows[10]["input"].endswith("part\\xff\\xfe07.png") and rows[10]["verdict"] == "NG"
    lines = (out / "results.jsonl").read_bytes().decode("utf-8").splitlines()
    assert len(lines) == 11 and os.fsencode(json.loads(lines[10])["input"]).endswith(ODD)  # the exact bytes
    with ResultsDB(db, readonly=True) as d:
        recs = d.query()
        assert len(recs) == 11 and recs[10].input == _odd(odd_folder) and recs[10].verdict == "NG"
        d.export_csv(tmp_path / "export.csv")
    exported = list(csv.DictReader(open(tmp_path / "export.csv", encoding="utf-8")))
    assert exported[10]["input"].endswith("part\\xff\\xfe07.png")


def test_stream_and_replay_with_a_non_utf8_name_and_archive_folder(tmp_path, odd_folder):
    db = tmp_path / "s.db"
    archive = tmp_path / os.fsdecode(b"archive\xe9")  # the archive folder's name is not UTF-8 either
    p = wb("stream", COINS, "--source", f"folder:{odd_folder}", "--db", db, "--archive", archive,
           "--archive-all", "-o", tmp_path / "o", "-q")
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode("utf-8").strip().splitlines()[-1].startswith("11 frames: 10 OK, 1 NG, 0 errors")
    with ResultsDB(db, readonly=True) as d:
        recs = d.query()
    assert len(recs) == 11 and recs[10].input == _odd(odd_folder) and recs[10].verdict == "NG"
    assert all(Path(r.image_path).is_file() and r.image_path.startswith(str(archive)) for r in recs)
    p = wb("replay", COINS, "--db", db, "-o", tmp_path / "rep")
    stdout = p.stdout.decode("utf-8")
    assert p.returncode == 0, p.stderr.decode()
    assert "part\\xff\\xfe07.png" in stdout
    assert stdout.strip().splitlines()[-1].startswith("11 inspections: 0 newly NG, 0 newly OK, 11 unchanged, "
                                                      "0 missing image, 0 error")
    rows = list(csv.DictReader(open(tmp_path / "rep" / "replay.csv", encoding="utf-8")))
    assert len(rows) == 11 and rows[10]["input"].endswith("part\\xff\\xfe07.png") and rows[10]["new_verdict"] == "NG"
