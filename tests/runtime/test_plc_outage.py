"""A PLC that goes away mid-stream and comes back (a real pymodbus server on 127.0.0.1, stopped and
started again on the same port): verdicts wait in order and reach it, or are counted as lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.runtime.conftest import COINS, make_folder
from tests.runtime.modbus_server import ModbusTestServer
from workbench.core.errors import WorkbenchError
from workbench.core.pipeline_file import load_pipeline
from workbench.runtime.plc import ModbusPlc
from workbench.runtime.sources import FolderSource
from workbench.runtime.stream import ALARM, StreamRunner

VERDICT, TOTAL = 0, 1
N = 40


def _until(cond, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return False


def _stream_through_outage(tmp_path, queue: dict):
    """N frames at 40 fps; the PLC is stopped after frame 10 and back after frame 25."""
    frames = make_folder(tmp_path / "frames", N, half_every=3)
    srv = ModbusTestServer(lifetime_s=120).start()
    plc = ModbusPlc({"host": "127.0.0.1", "port": srv.port, "verdict": {"register": VERDICT},
                     "counters": {"total": TOTAL}, "queue": queue, "timeout_s": 0.5,
                     "backoff_max_s": 0.3}).start()
    assert _until(lambda: plc.state == "connected")
    states, seen = [], {}
    runner = StreamRunner(load_pipeline(COINS), FolderSource(frames[0].parent, rate=40), outputs=[plc],
                          output_dir=tmp_path / "out", on_state=lambda s, m: states.append(m))
    runner.start()
    try:
        assert _until(lambda: runner.stats.processed >= 10)
        srv.stop()
        assert _until(lambda: plc.state == "reconnecting")
        assert _until(lambda: runner.stats.processed >= 25)
        seen["waiting"], seen["status"], seen["alarm"] = plc.waiting, plc.status(), plc.alarm
        srv = srv.restarted()
        assert runner.join(60)
        assert plc.flush(10)
        seen["delivered"], seen["lost"], seen["max_waiting"] = plc.delivered, plc.lost, plc.max_waiting
    finally:
        plc.close()
        srv.stop()
    totals = [v for a, v in srv.writes if a == TOTAL]
    return seen, totals, states


def test_plc_outage_queue_policy_delivers_every_verdict_in_order(tmp_path):
    seen, totals, states = _stream_through_outage(tmp_path, {"size": 1000, "policy": "queue"})
    print(f"PLC outage (queue): {seen['max_waiting']} verdicts waited at most, {seen['delivered']} delivered, "
          f"{seen['lost']} lost; status during the outage: {seen['status']!r}")
    assert seen["waiting"] >= 10 and "reconnecting" in seen["status"] and "waiting" in seen["status"]
    assert seen["alarm"].startswith("PLC 127.0.0.1:") and "verdicts waiting" in seen["alarm"]
    assert any(m.startswith(ALARM + "PLC") for m in states)  # what the operator screen shows
    assert seen["delivered"] == N and seen["lost"] == 0
    # every verdict reached the PLC, in order: the total counter went 1, 2, ..., N (a verdict whose
    # write was cut by the outage is written again, so a number may repeat, never go back or skip)
    dedup = [t for i, t in enumerate(totals) if i == 0 or t != totals[i - 1]]
    assert dedup == list(range(1, N + 1)), totals


def test_plc_outage_drop_oldest_keeps_the_newest_and_counts_the_lost(tmp_path):
    seen, totals, _ = _stream_through_outage(tmp_path, {"size": 4, "policy": "drop-oldest"})
    print(f"PLC outage (drop-oldest, 4): {seen['max_waiting']} waited at most, {seen['delivered']} delivered, "
          f"{seen['lost']} lost")
    assert seen["max_waiting"] == 4 and seen["lost"] >= 6
    assert seen["delivered"] + seen["lost"] == N
    dedup = [t for i, t in enumerate(totals) if i == 0 or t != totals[i - 1]]
    assert dedup == sorted(set(dedup)) and dedup[-1] == N  # in order, the newest kept
    # a write the PLC took just as it went down (its answer lost) counts as not delivered: the PLC
    # may have one verdict more than the count says, never fewer
    assert len(dedup) - seen["delivered"] in (0, 1), (dedup, seen)
    assert "lost" in seen["alarm"] or seen["lost"] > 0


def test_plc_queue_configuration_errors_are_one_line():
    for bad, msg in (({"policy": "latest"}, "queue policy 'latest'"), ({"size": 0}, "queue size 0"),
                     ({"size": "x"}, "expected a whole number"), ([], "must be an object")):
        with pytest.raises(WorkbenchError, match=msg):
            ModbusPlc({"host": "127.0.0.1", "queue": bad})


def test_stream_cli_reports_plc_state_and_lost_verdicts(tmp_path):
    """No PLC listening at all: the status line shows the PLC state; the summary counts the
    verdicts that never reached it; exit status 4."""
    from tests.runtime.modbus_server import free_port

    frames = make_folder(tmp_path / "frames", 12, half_every=3)
    cfg = tmp_path / "plc.json"
    port = free_port()
    cfg.write_text(json.dumps({"host": "127.0.0.1", "port": port, "verdict": {"register": 0},
                               "queue": {"size": 5, "policy": "drop-oldest"}, "backoff_max_s": 0.2}))
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    p = subprocess.run([sys.executable, "-m", "workbench", "stream", str(COINS), "--source",
                        f"folder:{frames[0].parent}", "--rate", "6", "--plc", str(cfg), "--no-db",
                        "--output", str(tmp_path / "o")], capture_output=True, text=True, env=env, timeout=120)
    print(p.stdout[-800:], p.stderr[-800:])
    assert p.returncode == 4, p.stderr
    status = [ln for ln in p.stdout.splitlines() if ln.startswith("[")]
    assert status and "PLC reconnecting" in status[-1], p.stdout
    assert f"error: PLC 127.0.0.1:{port}: 0 of 12 verdicts reached the PLC, 12 lost" in p.stderr
    assert "Traceback" not in p.stderr
