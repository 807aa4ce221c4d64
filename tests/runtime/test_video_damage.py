"""Truncated and corrupt video files (real files written with cv2.VideoWriter, then cut or damaged):
the frames read are reported against the frames expected; the stream exits 4 with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys

import cv2
import pytest

from tests.runtime.conftest import COINS, coins_image
from workbench.runtime.sources import VideoSource

N = 100


def wb(*args, timeout=300):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "workbench", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    """good.avi (100 MJPEG frames), truncated.avi (its first half), corrupt.avi (the JPEG data of one
    frame in the first half zeroed), truncated.mp4 (half an MPEG-4 file: its index is at the end)."""
    folder = tmp_path_factory.mktemp("videos")
    img = cv2.resize(coins_image(), (192, 152), interpolation=cv2.INTER_AREA)
    img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR) if img.ndim == 2 else img
    out = {}
    for ext, fourcc in (("avi", "MJPG"), ("mp4", "mp4v")):
        path = folder / f"good.{ext}"
        w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), 25, (img.shape[1], img.shape[0]))
        assert w.isOpened()
        for i in range(N):
            frame = img.copy()
            cv2.putText(frame, str(i), (5, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1)
            w.write(frame)
        w.release()
        data = path.read_bytes()
        out[f"good.{ext}"] = path
        (folder / f"truncated.{ext}").write_bytes(data[: len(data) // 2])
        out[f"truncated.{ext}"] = folder / f"truncated.{ext}"
    data = bytearray(out["good.avi"].read_bytes())
    chunks = [i for i in range(len(data) - 4) if data[i:i + 4] == b"00dc"]
    start = chunks[33] + 8  # a frame's JPEG bytes (after the chunk id and size; the header has a "00dc" too)
    data[start:start + 600] = bytes(600)
    (folder / "corrupt.avi").write_bytes(bytes(data))
    out["corrupt.avi"] = folder / "corrupt.avi"
    return out


def plain_read_count(path) -> int:
    cap = cv2.VideoCapture(str(path))
    n = 0
    while cap.read()[0]:
        n += 1
    cap.release()
    return n


def _all(src: VideoSource) -> list:
    src.open()
    frames = []
    while (f := src.read()) is not None:
        frames.append(f)
    src.close()
    return frames


def test_a_good_video_is_complete(videos):
    src = VideoSource(videos["good.avi"])
    assert len(_all(src)) == N and src.frames_read == N and src.unreadable == 0 and src.incomplete == ""


def test_truncated_video_reports_frames_read_of_expected(videos):
    src = VideoSource(videos["truncated.avi"])
    frames = _all(src)
    read = len(frames)
    print(f"truncated.avi: {read} of {N} frames read (plain cv2 loop: {plain_read_count(videos['truncated.avi'])})")
    assert 0 < read < N and src.frames_read == read and src.unreadable == N - read
    assert src.incomplete == (f"video truncated.avi: {read} of {N} frames read; the file is truncated or corrupt "
                              f"({N - read} unreadable)")


def test_corrupt_frame_is_skipped_and_the_rest_is_read(videos):
    plain = plain_read_count(videos["corrupt.avi"])
    src = VideoSource(videos["corrupt.avi"])
    frames = _all(src)
    print(f"corrupt.avi: {len(frames)} of {N} frames read; a plain cv2 read loop stops after {plain}")
    assert plain < 50  # what the stream processed before: it stopped at the damaged frame
    assert len(frames) > plain and len(frames) + src.unreadable == N and src.unreadable >= 1
    assert src.incomplete.startswith(f"video corrupt.avi: {len(frames)} of {N} frames read")
    indices = [int(f.source_id.rsplit("#", 1)[1]) for f in frames]
    assert set(range(N)) - set(indices) == {plain}  # the damaged frame is the one missing
    good = _all(VideoSource(videos["good.avi"]))
    after = frames[plain]  # the first frame after the gap is the file's next frame, labelled so
    assert after.source_id.endswith(f"#{plain + 1}")
    assert cv2.absdiff(after.image, good[plain + 1].image).max() == 0


def test_stream_cli_on_a_truncated_video_exits_4_with_one_line(videos, tmp_path):
    p = wb("stream", COINS, "--source", f"video:{videos['truncated.avi']}", "--no-db", "-o", tmp_path / "o", "-q")
    assert p.returncode == 4, p.stderr
    summary = p.stdout.strip().splitlines()[-1]
    read = int(summary.split()[0])
    assert 0 < read < N
    errors = [ln for ln in p.stderr.splitlines() if ln.startswith("error:")]
    assert errors == [f"error: video truncated.avi: {read} of {N} frames read; the file is truncated or corrupt "
                      f"({N - read} unreadable)"], p.stderr
    assert "Traceback" not in p.stderr


def test_a_video_cut_before_its_index_is_one_line(videos, tmp_path):
    p = wb("stream", COINS, "--source", f"video:{videos['truncated.mp4']}", "--no-db", "-o", tmp_path / "o", "-q")
    assert p.returncode == 2 and p.stderr.strip().splitlines()[-1] == \
        "error: cannot open video (unsupported format or codec): truncated.mp4", p.stderr
