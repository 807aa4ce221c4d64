"""PLC / IO outputs: a Modbus TCP client (pymodbus) and plain text over TCP or serial. No Qt.

Modbus configuration (a dict, or a JSON file for ``workbench stream --plc FILE``)::

    {"host": "192.168.0.10", "port": 502, "unit": 1,
     "verdict":   {"register": 100} | {"coil": 0},   # register: 1 OK, 2 NG, 3 error; coil: on = OK
     "counters":  {"total": 101, "ok": 102, "ng": 103},   # holding registers (mod 65536)
     "heartbeat": {"register": 104, "period_s": 1.0},     # toggles 0/1 (or "coil": n)
     "trigger":   {"coil": 10, "poll_s": 0.02, "reset": true},  # rising edge fires the trigger
                  # or {"register": 20, ...}: 0 -> not 0 fires it (reset writes 0)
     "queue": {"size": 1000, "policy": "queue", "interval_s": 0.0},
     "timeout_s": 1.0, "backoff_max_s": 10.0}

All Modbus traffic happens in one worker thread (the sync client is not thread-safe): ``send``
puts the verdict (with the counters as they were then) into a bounded, ordered queue
(:class:`~workbench.runtime.retry_queue.BoundedQueue`) and the worker writes them oldest first. While
the PLC is unreachable verdicts wait; when it is back they are written in order (``interval_s``
apart, so a PLC that scans the register sees each; the ``total`` counter register numbers them).
A full queue loses verdicts by its policy: "queue" keeps the waiting ones and loses the new one,
"drop-oldest" loses the oldest waiting one; ``lost`` counts them, ``alarm`` and ``status()`` say so.
A lost connection is retried with exponential back-off; ``state`` is connecting / connected /
reconnecting / stopped.
"""

from __future__ import annotations

import json
import logging
import queue
import socket
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from workbench.core.errors import WorkbenchError
from workbench.core.fsnames import FSNAME_ERRORS
from workbench.runtime.retry_queue import BoundedQueue, check_policy

log = logging.getLogger(__name__)

VERDICT_CODES = {"OK": 1, "NG": 2, None: 3}


def load_plc_config(path: str | Path) -> dict:
    try:
        cfg = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WorkbenchError(f"PLC configuration not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise WorkbenchError(f"PLC configuration {Path(path).name}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(cfg, dict) or "host" not in cfg:
        raise WorkbenchError(f"PLC configuration {Path(path).name}: expected an object with at least \"host\"")
    return cfg


def pipeline_plc(pipeline) -> dict | None:
    """The PLC set-up saved with the pipeline (``meta["plc"]``, from the GUI's PLC I/O panel), or None."""
    cfg = (getattr(pipeline, "meta", None) or {}).get("plc")
    if cfg is None:
        return None
    if not isinstance(cfg, dict) or not cfg.get("host"):
        raise WorkbenchError("the pipeline's PLC set-up has no address: set it in Run > PLC I/O…")
    return dict(cfg)


def _verdict_of(result) -> str | None:
    row = getattr(result, "row", result)
    if getattr(row, "status", "ok") == "error":
        return None
    return getattr(row, "verdict", None)


class ModbusPlc:
    """Writes verdict, counters and a heartbeat; reads a trigger coil. ``on_trigger`` is called
    (in the worker thread) on each rising edge of the trigger coil: pass ``Trigger.fire``."""

    def __init__(self, config: dict, *, on_trigger: Callable[[], None] | None = None) -> None:
        try:
            from pymodbus.client import ModbusTcpClient  # noqa: F401
        except ImportError:
            raise WorkbenchError("Modbus output needs the 'pymodbus' package (pip install pymodbus)") from None
        self.cfg = dict(config)
        self.host = str(self.cfg.get("host", "127.0.0.1"))
        self.port = int(self.cfg.get("port", 502))
        self.unit = int(self.cfg.get("unit", 1))
        self.on_trigger = on_trigger
        self.total = self.ok = self.ng = 0
        self.state = "stopped"
        self.last_error = ""
        self.writes = 0
        self.triggers = 0
        self.delivered = 0  # verdicts written to the PLC
        q = self.cfg.get("queue", {})
        if not isinstance(q, dict):
            raise WorkbenchError('PLC configuration: "queue" must be an object such as '
                                 '{"size": 1000, "policy": "queue"}')
        size, policy = q.get("size", 1000), str(q.get("policy", "queue"))
        if not isinstance(size, int):
            raise WorkbenchError(f'PLC configuration: "queue" size {size!r}: expected a whole number')
        check_policy(policy, size)
        self.interval_s = float(q.get("interval_s", 0.0))
        self._queue: BoundedQueue[dict[str, Any]] = BoundedQueue(size, policy)
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._client = None
        self._hb = 0
        self._last_coil = False
        self._unit_kw: dict | None = None

    # -- public -------------------------------------------------------------------------------
    def start(self) -> ModbusPlc:
        pm = logging.getLogger("pymodbus")
        if pm.level == logging.NOTSET and not log.isEnabledFor(logging.DEBUG):
            pm.setLevel(logging.CRITICAL)  # one line per failed connect attempt: the state and alarm say it
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="workbench-plc", daemon=True)
        self._thread.start()
        return self

    def send(self, result) -> None:
        """Count the result and queue its verdict + counters for writing, in order."""
        verdict = _verdict_of(result)
        with self._lock:
            self.total += 1
            self.ok += verdict == "OK"
            self.ng += verdict == "NG"
            item = {"verdict": verdict, "total": self.total, "ok": self.ok, "ng": self.ng}
        self._queue.put(item)
        self._wake.set()

    def reset_counters(self) -> None:
        with self._lock:
            self.total = self.ok = self.ng = 0
        self._queue.put({"verdict": "skip", "total": 0, "ok": 0, "ng": 0})
        self._wake.set()

    @property
    def waiting(self) -> int:
        """Verdicts queued, not yet written."""
        return len(self._queue)

    @property
    def lost(self) -> int:
        """Verdicts that never reached the PLC (queue full, or still waiting at close)."""
        return self._queue.dropped

    @property
    def max_waiting(self) -> int:
        return self._queue.max_len

    def status(self) -> str:
        """One short line: "PLC connected", "PLC reconnecting (12 waiting, 0 lost)"."""
        extra = [f"{n} {what}" for n, what in ((self.waiting, "waiting"), (self.lost, "lost")) if n]
        return f"PLC {self.state}" + (f" ({', '.join(extra)})" if extra else "")

    @property
    def alarm(self) -> str:
        """"" while the PLC is connected and no verdict was lost; else what is wrong."""
        if self.state in ("connected", "stopped") and not self.lost:
            return ""
        why = f": {self.last_error}" if self.last_error and self.state != "connected" else ""
        return (f"PLC {self.host}:{self.port} {self.state}{why} - {self.waiting} verdicts waiting"
                + (f", {self.lost} lost" if self.lost else ""))

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued (when connected; up to ``timeout``), then stop the worker and
        disconnect. Verdicts still waiting then are counted in ``lost``."""
        if self.state == "connected":
            self.flush(timeout)
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        lost = self._queue.drain()
        if lost:
            log.info("PLC %s:%s: %d verdict(s) never reached the PLC", self.host, self.port, len(lost))
        self.state = "stopped"

    stop = close

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until queued values are written (tests, shutdown)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not len(self._queue):
                return True
            time.sleep(0.01)
        return False

    # -- worker -------------------------------------------------------------------------------
    def _kw(self) -> dict:
        if self._unit_kw is None:
            self._unit_kw = self._unit_kwarg()
        return self._unit_kw

    def _unit_kwarg(self) -> dict:
        # pymodbus >= 3.10 names the unit "device_id"; 3.6-3.9 named it "slave"
        import inspect

        from pymodbus.client import ModbusTcpClient

        name = "device_id" if "device_id" in inspect.signature(ModbusTcpClient.write_coil).parameters else "slave"
        return {name: self.unit}

    def _connect(self) -> bool:
        from pymodbus.client import ModbusTcpClient

        if self._client is None:
            self._client = ModbusTcpClient(self.host, port=self.port, timeout=float(self.cfg.get("timeout_s", 1.0)),
                                           retries=0, reconnect_delay=0)
        try:
            return bool(self._client.connect())
        except Exception as exc:
            self.last_error = str(exc)
            return False

    def _drop(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:
                pass
            self._client = None

    def _check(self, resp, what: str) -> None:
        if resp is None or (hasattr(resp, "isError") and resp.isError()):
            raise ConnectionError(f"{what}: {resp}")

    def _write_pending(self, budget: int = 64) -> bool:
        """Write up to ``budget`` queued verdicts, oldest first; True when more are waiting. A
        failed write raises and leaves its verdict at the head of the queue (written again later)."""
        for _ in range(budget):
            p = self._queue.claim()  # while it is written, a full queue drops others, not this one
            if p is None:
                return False
            try:
                self._write_one(p)
            except Exception:
                self._queue.release()  # failed: it waits at the head again (dropped first when full)
                raise
            self._queue.pop(p)  # delivered (and no longer claimed)
            self.writes += 1
            self.delivered += p["verdict"] != "skip"
            if self.interval_s > 0 and len(self._queue) and self._stop.wait(self.interval_s):
                return False
        return bool(len(self._queue))

    def _write_one(self, p: dict[str, Any]) -> None:
        c, kw = self._client, self._kw()
        v = self.cfg.get("verdict") or {}
        if p["verdict"] != "skip":
            if "register" in v:
                self._check(c.write_register(int(v["register"]), VERDICT_CODES.get(p["verdict"], 3), **kw), "verdict")
            elif "coil" in v:
                self._check(c.write_coil(int(v["coil"]), p["verdict"] == "OK", **kw), "verdict")
        cnt = self.cfg.get("counters") or {}
        for name in ("total", "ok", "ng"):
            if name in cnt:
                self._check(c.write_register(int(cnt[name]), p[name] % 65536, **kw), f"counter {name}")

    def _heartbeat(self) -> None:
        hb = self.cfg.get("heartbeat") or {}
        self._hb ^= 1
        if "register" in hb:
            self._check(self._client.write_register(int(hb["register"]), self._hb, **self._kw()), "heartbeat")
        elif "coil" in hb:
            self._check(self._client.write_coil(int(hb["coil"]), bool(self._hb), **self._kw()), "heartbeat")

    def _poll_trigger(self) -> None:
        """A rising edge of the trigger coil, or of the trigger register (0 -> not 0), fires the
        trigger; with "reset" (default) the PLC's bit or register is written back to 0."""
        tr = self.cfg.get("trigger") or {}
        if "coil" in tr:
            resp = self._client.read_coils(int(tr["coil"]), count=1, **self._kw())
            self._check(resp, "trigger")
            value = bool(resp.bits[0])
        elif "register" in tr:
            resp = self._client.read_holding_registers(int(tr["register"]), count=1, **self._kw())
            self._check(resp, "trigger")
            value = bool(resp.registers[0])
        else:
            return
        if value and not self._last_coil:
            self.triggers += 1
            if tr.get("reset", True):
                write = (self._client.write_coil(int(tr["coil"]), False, **self._kw()) if "coil" in tr
                         else self._client.write_register(int(tr["register"]), 0, **self._kw()))
                self._check(write, "trigger reset")
                value = False
            if self.on_trigger:
                try:
                    self.on_trigger()
                except Exception:
                    log.exception("PLC trigger callback failed")
        self._last_coil = value

    def _loop(self) -> None:
        delay = 0.2
        max_delay = float(self.cfg.get("backoff_max_s", 10.0))
        hb_period = float((self.cfg.get("heartbeat") or {}).get("period_s", 1.0))
        poll = float((self.cfg.get("trigger") or {}).get("poll_s", 0.02))
        tick = min(hb_period, poll) if self.cfg.get("trigger") else hb_period
        self.state = "connecting"
        next_hb = 0.0
        try:
            while not self._stop.is_set():
                if self._client is None or not self._client.connected:
                    if not self._connect():
                        self.state = "reconnecting"
                        self._drop()
                        if self._stop.wait(delay):
                            break
                        delay = min(delay * 2, max_delay)
                        continue
                    delay = 0.2
                    self.state = "connected"
                try:
                    more = self._write_pending()
                    now = time.monotonic()
                    if self.cfg.get("heartbeat") and now >= next_hb:
                        self._heartbeat()
                        next_hb = now + hb_period
                    self._poll_trigger()
                except Exception as exc:
                    self.last_error = str(exc)
                    log.warning("PLC %s:%s: %s", self.host, self.port, exc)
                    self.state = "reconnecting"
                    self._drop()
                    continue
                if more:  # a backlog after an outage: go on after the heartbeat and trigger poll
                    continue
                self._wake.wait(tick)
                self._wake.clear()
        finally:
            self._drop()
            self.state = "stopped"


def format_result(fmt: str, result, count: int) -> str:
    row = getattr(result, "row", result)
    verdict = _verdict_of(result) or "ERROR"
    frame = getattr(result, "frame", None)
    from workbench.core.templates import template_problem

    problem = template_problem(fmt, ("verdict", "count", "time", "input", "index", "latency_ms", "reasons"))
    if problem:
        raise WorkbenchError(f"output format {fmt!r}: {problem}")
    try:
        return fmt.format(verdict=verdict, count=count, time=datetime.now().isoformat(timespec="milliseconds"),
                          input=getattr(row, "input", ""), index=getattr(frame, "index", count - 1),
                          latency_ms=round(getattr(result, "latency_ms", 0.0), 1),
                          reasons="; ".join(getattr(row, "reasons", [])))
    except (KeyError, IndexError, ValueError) as exc:
        raise WorkbenchError(f"output format {fmt!r}: {exc} (fields: verdict, count, time, input, index, "
                             "latency_ms, reasons)") from None


class TcpTextOutput:
    """Sends one formatted line per result to host:port (a PLC, a printer, a line controller).
    Reconnects with back-off; while down, lines are dropped (counted in ``dropped``)."""

    def __init__(self, host: str, port: int, fmt: str = "{verdict};{count};{time}\r\n", *,
                 timeout_s: float = 1.0, backoff_max_s: float = 10.0) -> None:
        format_result(fmt, None, 0)  # validates the format now: one line at start, not per frame
        self.host, self.port, self.fmt = host, int(port), fmt
        self.timeout_s, self.backoff_max_s = timeout_s, backoff_max_s
        self.count = 0
        self.dropped = 0
        self._sock: socket.socket | None = None
        self._retry_at = 0.0
        self._delay = 0.2

    def send(self, result) -> None:
        self.count += 1
        line = format_result(self.fmt, result, self.count)
        if self._sock is None:
            if time.monotonic() < self._retry_at:
                self.dropped += 1
                return
            try:
                self._sock = socket.create_connection((self.host, self.port), timeout=self.timeout_s)
                self._delay = 0.2
            except OSError as exc:
                self._retry_at = time.monotonic() + self._delay
                self._delay = min(self._delay * 2, self.backoff_max_s)
                self.dropped += 1
                log.warning("text output %s:%s: %s", self.host, self.port, exc)
                return
        try:
            self._sock.sendall(line.encode("utf-8", FSNAME_ERRORS))
        except OSError:
            self.close()
            self.dropped += 1

    @property
    def alarm(self) -> str:
        return f"text output {self.host}:{self.port}: {self.dropped} lines not sent" if self.dropped else ""

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None


class SerialTextOutput:
    """The same line over a serial port; needs the optional 'pyserial' package."""

    def __init__(self, port: str, baudrate: int = 9600, fmt: str = "{verdict};{count};{time}\r\n") -> None:
        try:
            import serial  # optional
        except ImportError:
            raise WorkbenchError("serial output needs the 'pyserial' package (pip install pyserial)") from None
        format_result(fmt, None, 0)
        self.fmt = fmt
        self.count = 0
        try:
            self._port = serial.Serial(port, baudrate, timeout=1)
        except Exception as exc:
            raise WorkbenchError(f"cannot open serial port {port}: {exc}") from None

    def send(self, result) -> None:
        self.count += 1
        self._port.write(format_result(self.fmt, result, self.count).encode("utf-8", FSNAME_ERRORS))

    def close(self) -> None:
        self._port.close()
