"""The one frame feed (runtime/feed.py): batch files and streamed frames reach the source node the
same way; a streamed image folder's ``count`` is the number of images, not the frame index."""

from __future__ import annotations

import pytest

from tests.runtime.conftest import make_folder
from workbench.core.errors import WorkbenchError
from workbench.core.graph import Pipeline
from workbench.core.registry import default_registry
from workbench.runtime.batch import BatchRun
from workbench.runtime.feed import FrameFeed, pick_source, pipeline_source
from workbench.runtime.sources import FileListSource, FolderSource
from workbench.runtime.stream import StreamRunner


def folder_pipeline(folder) -> Pipeline:
    p = Pipeline(default_registry(), base_dir=folder)
    p.add_node("io.image_folder", "src", {"folder": str(folder)})
    p.add_node("cv.gaussian_blur", "blur")
    p.connect("src", "image", "blur", "image")
    return p


def test_streamed_folder_count_is_the_number_of_images_not_the_frame_index(tmp_path):
    files = make_folder(tmp_path / "f", 5)
    pipe = folder_pipeline(files[0].parent)
    results = []
    runner = StreamRunner(pipe, FolderSource(files[0].parent), on_result=results.append)
    runner.start()
    assert runner.join(60)
    assert [r.frame.index for r in results] == [0, 1, 2, 3, 4]
    counts = [r.run.output("src", "count") for r in results]
    assert counts == [5, 5, 5, 5, 5]  # was [0, 1, 2, 3, 4]: the frame index, fed by the Int type
    assert [r.run.output("src", "path") for r in results] == [str(f) for f in files]
    assert all(r.run.output("blur").shape == r.frame.image.shape for r in results)


def test_a_video_source_declares_what_each_output_gets():
    spec = default_registry()["io.video_file"]
    assert dict(spec.frame_outputs) == {"image": "image", "frame_count": "count", "fps": "fps"}


def test_batch_and_stream_give_the_same_measurements(tmp_path):
    from workbench.core.paths import demo_pipeline
    from workbench.core.pipeline_file import load_pipeline

    files = make_folder(tmp_path / "f", 4, half_every=2)
    batch = BatchRun(load_pipeline(demo_pipeline()), tmp_path / "out")
    rows = batch.run(files)
    streamed = []
    runner = StreamRunner(load_pipeline(demo_pipeline()), FileListSource(files), on_result=streamed.append)
    runner.start()
    assert runner.join(60)
    assert [r.measurements for r in rows] == [s.row.measurements for s in streamed]
    assert [r.verdict for r in rows] == [s.row.verdict for s in streamed] == ["NG", "OK", "NG", "OK"]


def test_choosing_the_source(tmp_path):
    files = make_folder(tmp_path / "f", 3)
    pipe = folder_pipeline(files[0].parent)
    assert pick_source(pipe).id == "src" and FrameFeed(pipe).node.id == "src"
    with pytest.raises(WorkbenchError, match="'blur' is not a source node of this pipeline"):
        pick_source(pipe, "blur")
    src = pipeline_source(pipe)
    assert isinstance(src, FileListSource) and src.given == files
    empty = Pipeline(default_registry())
    empty.add_node("io.image_file", "img")
    with pytest.raises(WorkbenchError, match="img has no input set: give --source SPEC"):
        pipeline_source(empty, hint="give --source SPEC")
    with pytest.raises(WorkbenchError, match="no image source node"):
        pick_source(Pipeline(default_registry()))
