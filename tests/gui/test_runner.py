"""Live tuning in a worker thread, folder runs, and what the viewer shows per node."""

import shutil
import numpy as np
import pytest

from workbench.core.engine import NodeStarted
from workbench.core.errors import WorkbenchError
from workbench.core.paths import demo_pipeline, resources_dir
from workbench.core.types import RegionSet, VerdictResult
from workbench.gui.display import node_for_file, upstream_image, view_content
from workbench.gui.document import Document
from workbench.gui.runner import FolderRun, RunController


@pytest.fixture
def demo(qapp):
    doc = Document()
    doc.open(demo_pipeline())
    runner = RunController()
    yield doc, runner
    runner.shutdown()


def _run(runner, doc, qtbot):
    with qtbot.waitSignal(runner.finished, timeout=30_000) as blocker:
        runner.request(doc.pipeline)
    return blocker.args[0]


def test_an_edit_reruns_only_the_node_and_its_downstream(demo, qtbot):
    doc, runner = demo
    _run(runner, doc, qtbot)
    started = []
    runner.event.connect(lambda ev: started.append(ev.node_id) if isinstance(ev, NodeStarted) else None)
    doc.set_param("open", "size", 7)
    res = _run(runner, doc, qtbot)
    expected = {"open"} | doc.pipeline.downstream("open")
    assert set(started) == expected
    assert {n for n, r in res.nodes.items() if r.status == "cached"} == set(doc.pipeline.nodes) - expected


def test_the_latest_edit_wins(demo, qtbot):
    doc, runner = demo
    _run(runner, doc, qtbot)
    results = []
    runner.finished.connect(lambda res, pipe: results.append((res, pipe)))
    for size in (3, 5, 7, 9, 11, 13):
        doc.set_param("open", "size", size)
        runner.request(doc.pipeline)
    assert runner.wait_idle(30)
    assert len(results) < 6  # edits made during a run were coalesced
    res, pipe = results[-1]
    assert pipe.nodes["open"].params["size"] == 13
    assert res.nodes["open"].status == "ok"


def test_the_worker_runs_a_snapshot_not_the_document(demo, qtbot):
    doc, runner = demo
    runner.request(doc.pipeline)
    doc.set_param("threshold", "c", -20.0)  # while the first run may be going on
    assert runner.wait_idle(30)
    assert runner.last_pipeline is not doc.pipeline
    runner.request(doc.pipeline)
    assert runner.wait_idle(30)
    assert runner.last_pipeline.nodes["threshold"].params["c"] == -20.0


def test_a_graph_error_is_one_line(qapp, qtbot):
    doc = Document()
    a = doc.add_node("cv.threshold")
    b = doc.add_node("cv.invert")
    doc.connect(a, "out", b, "image")
    doc.pipeline.edges.append(type(doc.pipeline.edges[0])(b, "out", a, "image"))  # a cycle behind the model's back
    doc.pipeline.structure_changed()
    runner = RunController()
    with qtbot.waitSignal(runner.failed, timeout=10_000) as blocker:
        runner.request(doc.pipeline)
    assert "cycle" in blocker.args[0] and "\n" not in blocker.args[0]
    runner.shutdown()


def test_folder_run_gives_a_row_per_image_and_can_be_cancelled(demo, qtbot, tmp_path):
    doc, _ = demo
    files = []
    for i in range(4):
        files.append(tmp_path / f"c{i}.png")
        shutil.copy(resources_dir() / "samples" / "coins.png", files[-1])
    (tmp_path / "broken.png").write_bytes(b"not a png")
    files.append(tmp_path / "broken.png")
    rows = []
    run = FolderRun(doc.pipeline, files, out_dir=tmp_path / "out")
    run.row.connect(lambda i, row, res: rows.append(row))
    with qtbot.waitSignal(run.finished, timeout=60_000) as blocker:
        run.start()
    assert blocker.args == [5, False]
    assert [r.verdict for r in rows[:4]] == ["OK"] * 4 and rows[4].status == "error"
    assert doc.pipeline.nodes["source"].params["path"] == "../samples/coins.png"  # the document is untouched
    run2 = FolderRun(doc.pipeline, files * 20, out_dir=tmp_path / "out2")
    run2.row.connect(lambda i, row, res: run2.cancel() if i == 1 else None)
    with qtbot.waitSignal(run2.finished, timeout=60_000) as blocker:
        run2.start()
    n, cancelled = blocker.args
    assert cancelled and n < 100


def test_view_content_per_node(demo, qtbot):
    doc, runner = demo
    res = _run(runner, doc, qtbot)
    pipe = runner.last_pipeline
    thr = view_content(pipe, res, "threshold")
    assert thr.image is res.nodes["threshold"].outputs["out"] and thr.overlays == []
    blobs = view_content(pipe, res, "blobs")
    assert blobs.image is res.nodes["fill"].outputs["out"]  # the image that flowed in
    assert any(isinstance(o, RegionSet) and len(o.contours) == 24 for o in blobs.overlays)
    judge = view_content(pipe, res, "judge")
    assert any(isinstance(o, VerdictResult) and o.ok for o in judge.overlays)
    assert isinstance(judge.image, np.ndarray)  # followed upstream to an image
    assert upstream_image(pipe, res, "source") is None
    assert view_content(pipe, None, "blobs").image is None


def test_dropped_files_become_nodes(tmp_path, ppocr_models):
    img = resources_dir() / "samples" / "coins.png"
    assert node_for_file(img) == ("io.image_file", {"path": str(img)})
    assert node_for_file(tmp_path) == ("io.image_folder", {"folder": str(tmp_path)})
    assert node_for_file(demo_pipeline())[1] == {"open": str(demo_pipeline())}
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(WorkbenchError, match="not an image"):
        node_for_file(tmp_path / "notes.txt")
    (tmp_path / "bad.onnx").write_bytes(b"garbage")
    with pytest.raises(WorkbenchError, match="bad.onnx"):
        node_for_file(tmp_path / "bad.onnx")
    rec = ppocr_models[2]
    assert node_for_file(rec) == ("dl.ocr", {"rec_model": str(rec)})
