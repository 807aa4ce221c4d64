"""Run > PLC I/O…: the set-up is saved with the pipeline, "Test write" reaches a real pymodbus
server on loopback, the connection state follows the server going away and coming back, and the
saved set-up is used by `workbench stream` without --plc."""

from __future__ import annotations

import time

import pytest

from tests.runtime.modbus_server import ModbusTestServer
from workbench.core.pipeline_file import load_pipeline, save_pipeline
from workbench.gui.plc_panel import PlcDialog


def pump_until(qapp, cond, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end and not cond():
        qapp.processEvents()
        time.sleep(0.01)
    return bool(cond())


@pytest.fixture
def server():
    srv = ModbusTestServer(lifetime_s=120).start()
    yield srv
    srv.stop()


def fill(dlg: PlcDialog, port: int) -> None:
    dlg.host.setText("127.0.0.1")
    dlg.port.setValue(port)
    dlg.verdict.kind.setCurrentIndex(1)  # register
    dlg.verdict.addr.setValue(30)
    dlg.counters["total"].setValue(31)
    dlg.trigger.kind.setCurrentIndex(2)  # coil
    dlg.trigger.addr.setValue(7)


def test_test_write_and_the_server_going_away_and_coming_back(qapp, win, server):
    dlg = PlcDialog(win.doc.pipeline, win)
    fill(dlg, server.port)
    dlg.test_write()
    assert pump_until(qapp, lambda: server.register(30) == 1 and "connected" in dlg.state.text(), 20)
    assert server.register(31) == 1
    server.stop()
    dlg.test_write()  # queued while the PLC is away: shown as waiting
    assert pump_until(qapp, lambda: "reconnecting" in dlg.state.text() or "connecting" in dlg.state.text(), 20)
    assert "waiting" in dlg.state.text() or "lost" in dlg.state.text(), dlg.state.text()
    back = server.restarted()
    try:
        assert pump_until(qapp, lambda: back.register(31) == 2, 30), dlg.state.text()  # the queued one arrived
        assert pump_until(qapp, lambda: dlg.state.text().startswith("PLC connected"), 20), dlg.state.text()
    finally:
        dlg.reject()
        back.stop()
    assert dlg.plc is None  # closing the dialog closes its connection


def test_the_setup_is_saved_with_the_pipeline_and_used_by_stream(qapp, win, server, tmp_path):
    from workbench.cli import main
    from workbench.core.paths import samples_dir

    win.open(_demo(tmp_path))
    dlg = PlcDialog(win.doc.pipeline, win)
    fill(dlg, server.port)
    dlg.accept()
    assert win.doc.pipeline.meta["plc"] == {"host": "127.0.0.1", "port": server.port, "unit": 1,
                                            "verdict": {"register": 30}, "counters": {"total": 31},
                                            "trigger": {"coil": 7}}
    path = tmp_path / "with_plc.json"
    save_pipeline(win.doc.pipeline, path)
    assert load_pipeline(path).meta["plc"]["verdict"] == {"register": 30}
    assert main(["stream", str(path), "--source", f"folder:{samples_dir()}", "--frames", "3", "--no-db",
                 "--output", str(tmp_path / "o"), "--quiet"]) == 0
    assert server.register(31) == 3  # three results counted on the PLC, with no --plc given


def _demo(tmp_path):
    from workbench.core.paths import demo_pipeline

    p = load_pipeline(demo_pipeline())
    p.remove_node("save")
    path = tmp_path / "demo.json"
    save_pipeline(p, path)
    return path
