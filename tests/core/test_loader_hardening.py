"""Loading never fails with anything but one clear line; what loads can be saved (issue #18 item 11),
and a seeded fuzz run of 10,000 mutated pipelines finds no uncaught exception."""

import json
import os
import time

import pytest

from tests.core.fuzz_pipelines import run
from workbench.cli import main
from workbench.core.errors import PipelineError
from workbench.core.paths import demo_pipeline
from workbench.core.pipeline_file import (STALE_TMP_S, clean_stale_temp_files, load_pipeline, loads_pipeline,
                                          save_pipeline)

DEMO = demo_pipeline().read_text(encoding="utf-8")


@pytest.mark.parametrize("text, msg", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"format": "workbench.pipeline", "schema_version": ' + "9" * 5000 + "}", "4300 digits"),
    ('{"format": "workbench.pipeline", "format": "x"}', "duplicate key 'format'"),
    (DEMO.replace('"name": "', '"name": "\\ud800', 1), "lone surrogate"),
    ('{"a": ' + "[" * 300 + "]" * 300 + "}", "nested more than 200 levels"),
])
def test_bad_json_is_one_clear_problem(text, msg):
    with pytest.raises(PipelineError) as info:
        loads_pipeline(text)
    assert msg in str(info.value) and "\n" not in str(info.value)


def test_duplicate_keys_anywhere_are_refused():
    data = json.loads(DEMO)
    text = json.dumps(data).replace('"sigma":', '"sigma": 3, "sigma":', 1)
    assert '"sigma": 3, "sigma":' in text
    with pytest.raises(PipelineError, match="duplicate key 'sigma'"):
        loads_pipeline(text)


def test_cli_validate_and_run_say_it_in_one_line(tmp_path, capsys):
    bad = tmp_path / "deep.json"
    bad.write_text("[" * 50_000 + "]" * 50_000)
    assert main(["validate", str(bad)]) == 1
    assert "nested too deeply" in capsys.readouterr().out
    assert main(["run", str(bad), "-o", str(tmp_path / "o")]) == 1  # the same exit code as validate
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nested too deeply" in err[0]
    folder = tmp_path / "afolder"
    folder.mkdir()
    assert main(["validate", str(folder)]) == 1
    assert "is a folder" in capsys.readouterr().out
    binary = tmp_path / "image.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert main(["validate", str(binary)]) == 1
    assert "not UTF-8" in capsys.readouterr().out


def test_stale_temp_files_of_killed_saves_are_removed_on_the_next_save(tmp_path):
    target = tmp_path / "p.json"
    pipe = load_pipeline(demo_pipeline())
    old = [tmp_path / f".p.json.kill{i}.tmp" for i in range(3)]
    for p in old:
        p.write_text("{half a file")
        os.utime(p, (time.time() - STALE_TMP_S - 5,) * 2)
    fresh = tmp_path / ".p.json.inflight.tmp"  # a save in progress elsewhere: left alone
    fresh.write_text("{")
    other = tmp_path / ".q.json.x.tmp"  # another file's temp: left alone
    other.write_text("{")
    os.utime(other, (time.time() - STALE_TMP_S - 5,) * 2)
    save_pipeline(pipe, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".p.json.inflight.tmp", ".q.json.x.tmp", "p.json"]
    assert clean_stale_temp_files(target, now=time.time() + STALE_TMP_S + 5) == [fresh]


def test_fuzz_ten_thousand_mutated_pipelines():
    outcome = run(10_000, seed=18)
    assert sum(outcome.values()) == 10_000
    assert outcome["loaded"] > 300 and outcome["refused"] > 5000  # both paths were exercised
