"""The Modbus client against a real pymodbus server on 127.0.0.1; the TCP text output on loopback."""

from __future__ import annotations

import socket
import threading
import time
from types import SimpleNamespace

import pytest


from tests.runtime.modbus_server import ModbusTestServer, free_port  # noqa: E402
from workbench.core.errors import WorkbenchError  # noqa: E402
from workbench.runtime.plc import ModbusPlc, SerialTextOutput, TcpTextOutput, format_result  # noqa: E402
from workbench.runtime.sources import Trigger  # noqa: E402


def _result(verdict, status="ok"):
    return SimpleNamespace(row=SimpleNamespace(verdict=verdict, status=status, input="a.png", reasons=[]),
                           frame=SimpleNamespace(index=0), latency_ms=1.0)


def _until(cond, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def server():
    srv = ModbusTestServer(lifetime_s=60).start()
    yield srv
    srv.stop()


def test_verdict_counters_heartbeat_and_trigger(server):
    trig = Trigger()
    cfg = {"host": "127.0.0.1", "port": server.port, "unit": 1, "verdict": {"register": 10},
           "counters": {"total": 11, "ok": 12, "ng": 13}, "heartbeat": {"register": 14, "period_s": 0.1},
           "trigger": {"coil": 5, "poll_s": 0.02}}
    plc = ModbusPlc(cfg, on_trigger=trig.fire).start()
    try:
        assert _until(lambda: plc.state == "connected")
        for v in ("OK", "OK", "NG"):
            plc.send(_result(v))
        assert plc.flush()
        assert server.register(10) == 2  # last verdict NG
        assert (server.register(11), server.register(12), server.register(13)) == (3, 2, 1)
        plc.send(_result(None, "error"))
        assert plc.flush()
        assert server.register(10) == 3 and server.register(11) == 4
        seen = {server.register(14)}
        assert _until(lambda: seen.add(server.register(14)) or seen == {0, 1}, 3), "heartbeat does not toggle"
        # the PLC sets the trigger coil: a rising edge fires the trigger and the coil is reset
        server.set_coil(5, True)
        assert trig.wait(3)
        assert _until(lambda: not server.coil(5))
        assert plc.triggers == 1
    finally:
        plc.close()
    assert plc.state == "stopped"


def test_verdict_coil(server):
    plc = ModbusPlc({"host": "127.0.0.1", "port": server.port, "verdict": {"coil": 3}}).start()
    try:
        plc.send(_result("OK"))
        assert plc.flush()
        assert server.coil(3) is True
        plc.send(_result("NG"))
        assert plc.flush()
        assert server.coil(3) is False
    finally:
        plc.close()


def test_reconnects_with_backoff_when_server_comes_later():
    port = free_port()
    plc = ModbusPlc({"host": "127.0.0.1", "port": port, "counters": {"total": 1}, "timeout_s": 0.3}).start()
    srv = None
    try:
        assert _until(lambda: plc.state == "reconnecting", 3)
        plc.send(_result("OK"))
        srv = ModbusTestServer(lifetime_s=30)
        srv.port = port
        srv.start()
        assert _until(lambda: plc.state == "connected", 15)
        assert plc.flush(10)
        assert srv.register(1) == 1
    finally:
        plc.close()
        if srv is not None:
            srv.stop()


def test_tcp_text_output_on_loopback():
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    port = lsock.getsockname()[1]
    got = []

    def serve():
        conn, _ = lsock.accept()
        with conn:
            conn.settimeout(5)
            data = b""
            while data.count(b"\n") < 2:
                chunk = conn.recv(1024)
                if not chunk:
                    break
                data += chunk
            got.append(data.decode())

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    out = TcpTextOutput("127.0.0.1", port, "{verdict};{count}\n")
    out.send(_result("OK"))
    out.send(_result("NG"))
    t.join(5)
    out.close()
    lsock.close()
    assert got == ["OK;1\nNG;2\n"]


def test_format_errors_and_serial_are_one_line():
    with pytest.raises(WorkbenchError, match="output format"):
        TcpTextOutput("127.0.0.1", 1, "{nope}")
    assert format_result("{verdict}|{count}", _result(None, "error"), 7) == "ERROR|7"
    try:
        import serial  # noqa: F401
    except ImportError:
        with pytest.raises(WorkbenchError, match="pyserial"):
            SerialTextOutput("/dev/null")
