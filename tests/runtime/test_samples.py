"""Sample images are made by the CLI/GUI after loading a pipeline (runtime/samples.py), never by a
node: reading a missing sample through the node alone is an error, ensure_for_pipeline fixes it."""

from __future__ import annotations

import pytest

import workbench.runtime.samples as samples
from workbench.core.engine import FAILED, OK, Engine
from workbench.core.graph import Pipeline
from workbench.core.registry import default_registry


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "samples_dir", lambda: tmp_path / "samples")
    return tmp_path / "samples"


def pipeline(path) -> Pipeline:
    p = Pipeline(default_registry(), base_dir=path.parent.parent)
    p.add_node("io.image_file", "src", {"path": str(path)})
    return p


def test_a_missing_sample_is_made_for_the_pipeline_not_by_the_node(folder):
    pipe = pipeline(folder / "coins.png")
    assert Engine().run(pipe).nodes["src"].status == FAILED  # the node only reads
    assert not folder.exists()
    samples.ensure_for_pipeline(pipe)
    assert (folder / "coins.png").is_file() and (folder / "lot_code.png").is_file()
    assert Engine().run(pipe).nodes["src"].status == OK


def test_other_missing_files_are_left_alone(folder, tmp_path):
    samples.ensure_for_pipeline(pipeline(tmp_path / "elsewhere" / "coins.png"))
    samples.ensure_for_pipeline(pipeline(folder / "not_a_sample.png"))
    assert not folder.exists()
