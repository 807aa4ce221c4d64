"""Streaming runner throughput against the ideal pipelined throughput, 1 / (slowest stage time).

    .venv/bin/python bench/bench_stream.py            # 600 frames, 3 repetitions
    .venv/bin/python bench/bench_stream.py --quick    # smoke check: 120 frames, 1 repetition

The video: the coins sample scaled to --size (default 1280x960) with a shift per frame, written as
MJPG .avi in a temp folder (generated here; nothing is downloaded). The pipeline: the demo
(resources/pipelines/coins.json) with the file-writing Save node removed.

Stages, timed one after the other in one thread, frame by frame (time.perf_counter, mean per frame):
  acquisition = VideoSource.read (decode), processing = Engine.run with the frame fed to the
  source node (as the runner does), output = ResultsDB.add of the record (SQLite, WAL, commit).
Ideal = 1 / max(stage means). Threaded = StreamRunner over a fresh VideoSource of the same file,
recording into a fresh database: (frames - 1) / (time of the last result - time of the first).
Ratio = threaded / ideal (target >= 0.9). The figure is the median over the repetitions.
OpenCV's thread count: --threads (default 1, so the stages do not compete for cores the way a
pipeline with many internal threads would; the figure is printed with it). Prints only;
writes nothing outside the temp folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.core.engine import Engine  # noqa: E402
from workbench.core.paths import demo_pipeline, samples_dir  # noqa: E402
from workbench.core.pipeline_file import load_pipeline  # noqa: E402
from workbench.core.samples import ensure_samples  # noqa: E402
from workbench.core.spec import NodeContext  # noqa: E402
from workbench.runtime.batch import row_from_result  # noqa: E402
from workbench.runtime.results import ResultsDB, inspection_from_run  # noqa: E402
from workbench.runtime.sources import VideoSource  # noqa: E402
from workbench.runtime.stream import StreamRecorder, StreamRunner  # noqa: E402


def make_video(path: Path, frames: int, size: tuple[int, int]) -> None:
    ensure_samples()
    img = cv2.imread(str(samples_dir() / "coins.png"), cv2.IMREAD_COLOR)
    img = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, size)
    for i in range(frames):
        w.write(np.roll(img, (i * 3) % size[0], axis=1))
    w.release()


def pipeline():
    p = load_pipeline(demo_pipeline())
    if "save" in p.nodes:
        p.remove_node("save")
    return p


def stage_times(video: Path, db_path: Path) -> dict[str, float]:
    """One thread, frame by frame: read, process, record; each stage timed on its own."""
    pipe = pipeline()
    runner = StreamRunner(pipe, VideoSource(video))  # only for its _feed (the runner's feeding code)
    engine = Engine()
    db = ResultsDB(db_path)
    t_acq, t_proc, t_out = [], [], []
    src = VideoSource(video)
    with src:
        while True:
            t0 = time.perf_counter()
            f = src.read()
            if f is None:
                break
            t1 = time.perf_counter()
            res = engine.run(pipe, context=NodeContext(base_dir=pipe.base_dir, frame_index=f.index),
                             feed=runner._feed(f))
            row = row_from_result(f.source_id, res, {"source"})
            t2 = time.perf_counter()
            db.add(inspection_from_run(res, row, pipeline_name="coins", pipeline_digest="x", frame=f.index))
            t3 = time.perf_counter()
            t_acq.append(t1 - t0)
            t_proc.append(t2 - t1)
            t_out.append(t3 - t2)
    db.close()
    return {"acquisition": statistics.fmean(t_acq), "processing": statistics.fmean(t_proc),
            "output": statistics.fmean(t_out), "frames": len(t_acq)}


def threaded_fps(video: Path, db_path: Path) -> tuple[float, dict]:
    pipe = pipeline()
    db = ResultsDB(db_path)
    runner = StreamRunner(pipe, VideoSource(video), recorder=StreamRecorder(db, pipe, "coins"), queue_size=8)
    runner.start()
    runner.join()
    db.close()
    return runner.stats.overall_fps(), runner.stats.snapshot()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--frames", type=int, default=600)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--size", default="1280x960")
    ap.add_argument("--threads", type=int, default=1, help="cv2.setNumThreads (default 1)")
    args = ap.parse_args()
    if args.quick:
        args.frames, args.reps = 120, 1
    cv2.setNumThreads(args.threads)
    size = tuple(int(x) for x in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        video = tmp / "coins.avi"
        make_video(video, args.frames, size)
        ratios = []
        for rep in range(args.reps):
            st = stage_times(video, tmp / f"stages{rep}.db")
            slowest = max(("acquisition", "processing", "output"), key=lambda k: st[k])
            ideal = 1.0 / st[slowest]
            fps, snap = threaded_fps(video, tmp / f"threaded{rep}.db")
            ratios.append(fps / ideal)
            print(f"rep {rep + 1}: stages ms/frame: acquisition {st['acquisition'] * 1e3:.2f}, processing "
                  f"{st['processing'] * 1e3:.2f}, output {st['output'] * 1e3:.2f} (slowest: {slowest}); "
                  f"ideal {ideal:.1f} fps; threaded {fps:.1f} fps ({snap['processed']} frames, "
                  f"{snap['dropped']} dropped); ratio {fps / ideal:.3f}")
    print(f"\nstreaming runner / (1 / slowest stage) on a {size[0]}x{size[1]} MJPG video, {args.frames} frames, "
          f"cv2 threads {args.threads}, {os.cpu_count()} CPUs: median ratio {statistics.median(ratios):.3f} "
          f"(target >= 0.9)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
