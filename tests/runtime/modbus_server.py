"""A real pymodbus TCP server on 127.0.0.1 (a free port) in a background thread, for tests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ModbusTestServer:
    """``restarted()`` brings a stopped server back on the same port (a PLC that comes back after a
    power cycle: its registers start at 0 again); ``writes`` lists every single-register write received, in order, as
    (address, value), across restarts when the list is passed on."""

    def __init__(self, lifetime_s: float = 60.0, *, port: int | None = None, context=None,
                 writes: list | None = None) -> None:
        from pymodbus.datastore import ModbusDeviceContext, ModbusSequentialDataBlock, ModbusServerContext

        if context is None:
            self.hr = ModbusSequentialDataBlock(1, [0] * 200)
            self.co = ModbusSequentialDataBlock(1, [False] * 200)
            device = ModbusDeviceContext(hr=self.hr, co=self.co, di=ModbusSequentialDataBlock(1, [False] * 10),
                                         ir=ModbusSequentialDataBlock(1, [0] * 10))
            context = ModbusServerContext(devices=device, single=True)
        self.context = context
        self.writes: list[tuple[int, int]] = [] if writes is None else writes
        self.port = port or free_port()
        self.lifetime_s = lifetime_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="modbus-test-server", daemon=True)

    def _run(self) -> None:
        from pymodbus.server import ModbusTcpServer

        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._server = ModbusTcpServer(self.context, address=("127.0.0.1", self.port), trace_pdu=self._trace)
            task = asyncio.create_task(self._server.serve_forever())
            self._ready.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), self.lifetime_s)  # stops itself
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass
            await self._server.shutdown()

        asyncio.run(main())

    def _trace(self, sending: bool, pdu):
        if not sending and pdu.function_code == 6:  # write single register
            self.writes.append((int(pdu.address), int(pdu.registers[0])))
        return pdu

    def restarted(self) -> "ModbusTestServer":
        """A new server on the same port, keeping the write log (after stop())."""
        return ModbusTestServer(self.lifetime_s, port=self.port, context=self.context, writes=self.writes).start()

    def start(self) -> "ModbusTestServer":
        self._thread.start()
        assert self._ready.wait(10), "modbus server did not start"
        # wait until it accepts connections
        end = time.monotonic() + 10
        while time.monotonic() < end:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("modbus server is not listening")

    def stop(self) -> None:
        if self._loop is not None and self._server is not None and self._thread.is_alive():
            fut = asyncio.run_coroutine_threadsafe(self._server.shutdown(), self._loop)
            try:
                fut.result(5)
            except Exception:
                pass
        self._thread.join(10)

    # values as a Modbus client reads them (the device context maps address a to block index a + 1)
    def register(self, address: int) -> int:
        from pymodbus.client import ModbusTcpClient

        c = ModbusTcpClient("127.0.0.1", port=self.port, timeout=2)
        try:
            assert c.connect()
            return c.read_holding_registers(address, count=1, device_id=1).registers[0]
        finally:
            c.close()

    def coil(self, address: int) -> bool:
        from pymodbus.client import ModbusTcpClient

        c = ModbusTcpClient("127.0.0.1", port=self.port, timeout=2)
        try:
            assert c.connect()
            return bool(c.read_coils(address, count=1, device_id=1).bits[0])
        finally:
            c.close()

    def set_coil(self, address: int, value: bool) -> None:
        from pymodbus.client import ModbusTcpClient

        c = ModbusTcpClient("127.0.0.1", port=self.port, timeout=2)
        try:
            assert c.connect()
            assert not c.write_coil(address, value, device_id=1).isError()
        finally:
            c.close()

    def set_register(self, address: int, value: int) -> None:
        from pymodbus.client import ModbusTcpClient

        c = ModbusTcpClient("127.0.0.1", port=self.port, timeout=2)
        try:
            assert c.connect()
            assert not c.write_register(address, value, device_id=1).isError()
        finally:
            c.close()
