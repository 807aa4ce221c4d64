"""Frame sources: folder order/loop/rate, video file, triggers, spec parsing, GenICam message."""

from __future__ import annotations

import threading
import time

import cv2
import numpy as np
import pytest

from tests.runtime.conftest import make_folder
from workbench.runtime.sources import (GENICAM_MISSING, CameraSource, FileListSource, FolderSource, GenICamSource,
                                       SourceConfigError, Trigger, VideoSource, open_source)


def _all(src):
    out = []
    with src:
        while (f := src.read()) is not None:
            out.append(f)
    return out


def test_folder_natural_order_and_indices(tmp_path):
    for name in ("f10.png", "f2.png", "f1.png", "notes.txt"):
        p = tmp_path / name
        if name.endswith(".png"):
            cv2.imwrite(str(p), np.full((8, 8), int(name[1:-4]), np.uint8))
        else:
            p.write_text("x")
    frames = _all(FolderSource(tmp_path))
    assert [f.name for f in frames] == ["f1.png", "f2.png", "f10.png"]
    assert [f.index for f in frames] == [0, 1, 2]
    assert [int(f.image[0, 0]) for f in frames] == [1, 2, 10]
    assert all(f.timestamp > 0 and f.error is None for f in frames)


def test_folder_loop_and_corrupt_frame(tmp_path):
    make_folder(tmp_path, 3, corrupt=(1,))
    src = FolderSource(tmp_path, loop=True)
    with src:
        frames = [src.read() for _ in range(7)]
    assert [f.name for f in frames] == ["f000.png", "f001.png", "f002.png"] * 2 + ["f000.png"]
    assert [f.index for f in frames] == list(range(7))
    bad = frames[1]
    assert bad.image is None and "not a readable image" in bad.error


def test_file_list_in_the_given_order_looped(tmp_path):
    paths = make_folder(tmp_path, 3)
    src = FileListSource([paths[2], paths[0]], loop=True)
    assert src.describe() == f"files:{tmp_path} (2)"
    with src:
        frames = [src.read() for _ in range(5)]
    assert [f.name for f in frames] == ["f002.png", "f000.png"] * 2 + ["f002.png"]
    assert [f.index for f in frames] == list(range(5)) and all(f.image is not None for f in frames)
    one = FileListSource([paths[1]])
    assert one.describe() == f"file:{paths[1]}" and [f.name for f in _all(one)] == ["f001.png"]
    with pytest.raises(SourceConfigError, match="image file not found"):
        FileListSource([tmp_path / "gone.png"]).open()
    with pytest.raises(SourceConfigError, match="no image files"):
        FileListSource([]).open()


def test_folder_rate_never_exceeds_the_rate(tmp_path):
    """A rate is a ceiling: consecutive frames are at least 1/rate apart (a sleep never ends early,
    so this lower bound holds on any machine; how close to the rate it gets is bench/'s business).
    Frames are due on a grid from the moment the source opens: frame k no earlier than k / rate."""
    make_folder(tmp_path, 6)
    t_open = time.perf_counter()
    frames = _all(FolderSource(tmp_path, rate=20))
    assert len(frames) == 6
    for k, f in enumerate(frames):
        assert f.t_acquired - t_open >= k / 20 * 0.999, (k, f.t_acquired - t_open)


def test_interrupt_wakes_a_slow_rate(tmp_path):
    make_folder(tmp_path, 3)
    src = FolderSource(tmp_path, rate=0.0001)  # the next frame is due in 10,000 s
    src.open()
    src.read()
    got = []
    reader = threading.Thread(target=lambda: got.append(src.read()))
    reader.start()
    src.interrupt()
    reader.join(120)  # a watchdog, not a timing: without the interrupt the read would wait 10,000 s
    assert not reader.is_alive() and got == [None]
    src.close()


def test_video_file_and_loop(tmp_path):
    path = tmp_path / "clip.avi"
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 25, (64, 48))
    for i in range(5):
        w.write(np.full((48, 64, 3), i * 40, np.uint8))
    w.release()
    frames = _all(VideoSource(path))
    assert len(frames) == 5 and frames[0].image.shape == (48, 64, 3)
    assert frames[3].source_id.endswith("#3")
    src = VideoSource(path, loop=True)
    with src:
        assert len([src.read() for _ in range(12)]) == 12


def test_trigger_counts_fires():
    t = Trigger()
    assert not t.wait(0.01)
    t.fire()
    t()
    assert t.pending == 2 and t.wait(0) and t.wait(0) and not t.wait(0.01)
    threading.Timer(0.05, t.fire).start()
    assert t.wait(2)


def test_open_source_specs(tmp_path):
    make_folder(tmp_path, 1)
    assert isinstance(open_source(f"folder:{tmp_path}"), FolderSource)
    assert isinstance(open_source(str(tmp_path)), FolderSource)
    cam = open_source("camera:0", width=640)
    assert isinstance(cam, CameraSource) and cam.device == 0 and cam.live and cam.width == 640
    url = open_source("url:rtsp://127.0.0.1:8554/line1")
    assert isinstance(url, CameraSource) and url.device == "rtsp://127.0.0.1:8554/line1"
    assert not url.opened  # nothing is opened by parsing
    for bad in ("camera:x", "url:ftp://a", "nope:1", "no-such-thing"):
        with pytest.raises(SourceConfigError):
            open_source(bad)


def test_genicam_without_harvesters_is_one_line(tmp_path):
    src = GenICamSource(tmp_path / "producer.cti")
    with pytest.raises(SourceConfigError) as exc:
        src.open()
    assert str(exc.value).startswith(GENICAM_MISSING)
    assert "\n" not in str(exc.value)
