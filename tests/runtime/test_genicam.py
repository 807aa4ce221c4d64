"""The GenICam back end (Aravis) against Debian's GigE Vision simulator on loopback: discovery,
parameters, software trigger, frame sizes, a kill-and-restart that the stream survives, and
`workbench stream --source genicam:ID`. Same code path as a real camera; nothing mocked."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from tests.runtime.fake_camera import FakeCamera, wait_until
from workbench.cli import main
from workbench.runtime.genicam import AravisSource, discover, parse_spec, to_array
from workbench.runtime.results import ResultsDB
from workbench.runtime.sources import SourceConfigError, SourceError, Trigger, open_source
from workbench.runtime.stream import RECONNECTING, RUNNING, Backoff, StreamRunner

SERIAL = f"WB{os.getpid() % 100000}"

@pytest.fixture
def camera():
    cam = FakeCamera(SERIAL).start()
    yield cam
    cam.kill()

def test_discovery_lists_the_simulator_with_model_and_serial(camera):
    found = {c.id: c for c in discover()}
    assert camera.device_id in found, list(found)
    info = found[camera.device_id]
    assert (info.vendor, info.model, info.serial, info.protocol) == ("Aravis", "Fake", SERIAL, "GigEVision")
    assert info.address == "127.0.0.1" and SERIAL in info.describe()

def test_workbench_cameras_lists_the_simulator(camera, capsys):
    assert main(["cameras"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.startswith(camera.device_id))
    assert f"serial {SERIAL}" in line and "Fake" in line and "GigEVision 127.0.0.1" in line


def test_parameters_are_set_and_read_back_and_frames_have_the_size_asked(camera):
    with AravisSource(camera.device_id) as src:  # the simulator's defaults: 512x512 Mono8
        assert src.refused == []
        frames = [src.read() for _ in range(3)]
        assert all(f.image.shape == (512, 512) and f.image.dtype == np.uint8 for f in frames)
        assert [f.index for f in frames] == [0, 1, 2]
        assert frames[1].frame_id > frames[0].frame_id
    src = AravisSource(camera.device_id, exposure_us=2000, gain=2.0, frame_rate=40.0, pixel_format="Mono16",
                       roi=(0, 0, 256, 128))
    with src:
        s = src.settings()
        assert (s["exposure_us"], s["gain"], s["frame_rate"], s["pixel_format"], s["roi"]) == \
            (2000.0, 2.0, 40.0, "Mono16", (0, 0, 256, 128))
        assert src.info["serial"] == SERIAL and src.refused == []
        f = src.read()
        assert f.image.shape == (128, 256) and f.image.dtype == np.uint16 and f.frame_id is not None
    with open_source(f"genicam:{camera.device_id}?format=RGB8&roi=0,0,64,48") as src:
        assert src.read().image.shape == (48, 64, 3)
    # a camera keeps its settings between connections (as real ones do until powered off)
    with AravisSource(camera.device_id) as src:
        assert src.settings()["roi"] == (0, 0, 64, 48)

def test_bad_settings_and_a_missing_camera_are_one_line_errors(camera):
    src = AravisSource(camera.device_id, pixel_format="Mono12Packed")
    with pytest.raises(SourceConfigError, match="not offered by this camera .*offers: .*Mono8"):
        src.open()
    with pytest.raises(SourceError, match="'no-such-camera' not found"):
        AravisSource("no-such-camera").open()
    with pytest.raises(SourceConfigError, match="unknown option 'shutter'"):
        parse_spec("X?shutter=3")
    with pytest.raises(SourceConfigError, match="unknown trigger mode"):
        AravisSource(camera.device_id, trigger_mode="sometimes")
    assert parse_spec("?fps=12") == (None, {"frame_rate": 12.0})

def test_software_trigger_takes_one_frame_per_fire(camera):
    src = AravisSource(camera.device_id, trigger_mode="software")
    with src:
        first = src.read()
        threading.Event().wait(0.3)  # in free run the camera would have sent ~7 frames meanwhile
        second = src.read()
        assert second.frame_id == first.frame_id + 1
        assert src._stream.try_pop_buffer() is None  # nothing else was sent
    results = []
    trigger = Trigger()
    runner = StreamRunner(_pipeline(), AravisSource(camera.device_id, trigger=trigger), on_result=results.append)
    with runner:
        assert wait_until(lambda: runner.state == RUNNING, 10)
        for _ in range(3):
            trigger.fire()
        assert wait_until(lambda: len(results) == 3, 10)
    assert [r.frame.index for r in results] == [0, 1, 2]
    assert all(r.trigger_ms is not None and r.trigger_ms >= r.latency_ms for r in results)
    assert runner.stats.snapshot()["trigger_ms"]["max"] > 0

def test_the_stream_survives_the_camera_being_killed_and_restarted(camera):
    results, states = [], []
    src = AravisSource(camera.device_id, timeout_s=1.0)
    runner = StreamRunner(_pipeline(), src, on_result=results.append, on_state=lambda s, m: states.append(s),
                          backoff=Backoff(0.2, 2.0, 1.0), max_frames=30)
    with runner:
        assert wait_until(lambda: len(results) >= 10, 20)
        camera.kill()
        assert wait_until(lambda: RECONNECTING in states, 20)
        assert len(results) < 30
        camera.start()
        assert runner.join(60), states  # ends after 30 frames, 10+ of them after the restart
    assert runner.stats.reconnects >= 1 and src.connections >= 2
    assert states.index(RECONNECTING) < len(states) - 1 - states[::-1].index(RUNNING)
    idx = [r.frame.index for r in results]
    assert idx == sorted(set(idx))  # no frame counted twice, in order
    s = runner.stats
    assert s.acquired == 30 == s.processed + s.dropped  # every frame processed or counted as dropped
    assert all(r.frame.image.shape == (512, 512) for r in results)

def test_workbench_stream_from_the_simulator_writes_n_rows(camera, tmp_path, capsys):
    from workbench.core.pipeline_file import save_pipeline

    path = tmp_path / "p.json"
    save_pipeline(_pipeline(tmp_path), path)
    db = tmp_path / "r.db"
    assert main(["stream", str(path), "--source", f"genicam:{camera.device_id}", "--frames", "12",
                 "--db", str(db), "--output", str(tmp_path / "o"), "--quiet"]) == 0
    with ResultsDB(db, readonly=True) as d:
        recs = d.query()
    assert len(recs) == 12 and sorted(r.frame for r in recs) == list(range(12))
    assert all(r.status == "ok" and r.verdict == "OK" for r in recs)

def test_pixel_conversions():
    raw = np.arange(16, dtype=np.uint8).tobytes()
    assert to_array(raw, 4, 4, "Mono8")[3, 3] == 15
    rgb = bytes([255, 0, 0] * 4)
    assert to_array(rgb, 2, 2, "RGB8")[0, 0].tolist() == [0, 0, 255]  # red, in BGR order
    bayer = np.zeros((4, 4), np.uint8)
    bayer[0::2, 0::2] = 200  # R sites of an RGGB pattern
    assert to_array(bayer.tobytes(), 4, 4, "BayerRG8")[1, 1].tolist()[2] > 100  # comes out red
    with pytest.raises(SourceConfigError, match="not supported"):
        to_array(raw, 4, 4, "YUV422_8")

def _pipeline(base=None):
    """Source -> threshold -> blobs -> count -> judge (count >= 0: every frame OK)."""
    from workbench.core.graph import Pipeline
    from workbench.core.registry import default_registry

    p = Pipeline(default_registry(), base_dir=base)
    p.add_node("io.image_file", "src", {})
    p.add_node("cv.threshold", "thr", {"mode": "OTSU"})
    p.add_node("cv.blob_analysis", "blobs", {})
    p.add_node("cv.count", "count", {"name": "n"})
    p.add_node("cv.judge", "judge", {"measurement": "n", "rule": "AT_LEAST", "low": 0.0})
    p.connect("src", "image", "thr", "image")
    p.connect("thr", "out", "blobs", "mask")
    p.connect("blobs", "regions", "count", "regions")
    p.connect("count", "measurements", "judge", "measurements")
    return p


def test_a_pipeline_with_a_camera_node_streams_from_its_own_camera(camera, tmp_path):
    from workbench.core.pipeline_file import save_pipeline

    p = _pipeline(tmp_path)
    p.remove_node("src")
    p.add_node("io.camera", "cam", {"device": f"genicam:{camera.device_id}", "pixel_format": "Mono8",
                                    "roi": {"shape": "rect", "x": 0, "y": 0, "w": 128, "h": 64}})
    p.connect("cam", "image", "thr", "image")
    path = tmp_path / "cam.json"
    save_pipeline(p, path)
    db = tmp_path / "r.db"
    assert main(["stream", str(path), "--frames", "5", "--db", str(db), "--output", str(tmp_path / "o"),
                 "--quiet"]) == 0
    with ResultsDB(db, readonly=True) as d:
        assert len(d.query()) == 5
    with AravisSource(camera.device_id) as src:  # the node's ROI reached the camera
        assert src.settings()["roi"] == (0, 0, 128, 64)


def test_camera_node_settings_become_the_source(camera, tmp_path):
    from workbench.core.params import Roi
    from workbench.nodes.io.camera import CameraTrigger
    from workbench.runtime.camera import camera_source
    from workbench.runtime.sources import CameraSource, TimerTrigger

    params = {"device": f"genicam:{camera.device_id}", "exposure": 5000.0, "gain": 3.0, "frame_rate": 20.0,
              "pixel_format": "", "roi": Roi.rect(0, 0, 100, 80), "trigger": CameraTrigger.SOFTWARE}
    src = camera_source(params)
    assert src.trigger is not None and src.trigger_mode == "software"
    with src:
        s = src.settings()
        assert (s["exposure_us"], s["gain"], s["frame_rate"], s["roi"]) == (5000.0, 3.0, 20.0, (0, 0, 100, 80))
    timer = TimerTrigger(0.05)
    assert camera_source({**params, "trigger": CameraTrigger.FREE}, trigger=timer).trigger_mode == "software"
    with pytest.raises(SourceConfigError, match="waits for hardware trigger LINE0"):
        camera_source({**params, "trigger": CameraTrigger.LINE0}, trigger=timer)
    with pytest.raises(SourceConfigError, match="must be a rectangle"):
        camera_source({**params, "roi": Roi.circle(5, 5, 3)})
    usb = camera_source({**params, "device": "camera:3", "trigger": CameraTrigger.FREE})
    assert isinstance(usb, CameraSource) and (usb.width, usb.height, usb.fps) == (100, 80, 20.0)


def test_a_timer_trigger_takes_frames_at_its_interval_and_records_trigger_latency(camera):
    from workbench.runtime.sources import TimerTrigger

    results = []
    runner = StreamRunner(_pipeline(), AravisSource(camera.device_id, trigger=TimerTrigger(0.1)),
                          on_result=results.append, max_frames=4)
    with runner:
        assert runner.join(30)
    assert len(results) == 4 and all(r.trigger_ms is not None for r in results)
    assert [r.frame.frame_id - results[0].frame.frame_id for r in results] == [0, 1, 2, 3]  # one per tick


def test_a_plc_register_triggers_the_camera_and_latency_is_recorded(camera):
    from tests.runtime.modbus_server import ModbusTestServer
    from workbench.runtime.plc import ModbusPlc

    srv = ModbusTestServer(lifetime_s=60).start()
    trigger = Trigger()
    plc = ModbusPlc({"host": "127.0.0.1", "port": srv.port, "trigger": {"register": 20, "poll_s": 0.01},
                     "verdict": {"register": 21}}, on_trigger=trigger.fire).start()
    results = []
    runner = StreamRunner(_pipeline(), AravisSource(camera.device_id, trigger=trigger), outputs=[plc],
                          on_result=results.append)
    try:
        with runner:
            assert wait_until(lambda: runner.state == RUNNING and plc.state == "connected", 20)
            for n in (1, 2):
                srv.set_register(20, 7)  # the PLC asks for a frame
                assert wait_until(lambda: len(results) == n, 20)
                assert wait_until(lambda: srv.register(20) == 0, 10)  # and sees its request taken
            assert wait_until(lambda: srv.register(21) == 1, 10)  # the verdict (OK) went back to the PLC
        assert plc.triggers == 2 and [r.frame.index for r in results] == [0, 1]
        assert all(r.trigger_ms is not None and r.trigger_ms > 0 for r in results)
    finally:
        plc.close()
        srv.stop()
