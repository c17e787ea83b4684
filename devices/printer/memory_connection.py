"""A connection to a printer simulated in memory, for protocol tests and demos.

python-escpos' `Dummy` keeps what was written in memory; this keeps it in the
simulated printer's EscPosMachine (`MemoryPrinterSimulator.jobs`), which also
answers DLE EOT, GS r and GS a byte for byte as the TCP simulator does, with no
socket and no timeout waited out. Not chosen by config: a test builds the
ReceiptPrinter with `connect=MemoryConnection.to(simulator)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from frontdesk.contract.config import PrinterConfig
from frontdesk.devices.printer.connections import DLE_EOT, Connection
from frontdesk.devices.printer.errors import PrinterUnreachable
from frontdesk.devices.printer.status import StatusQuery, is_status_byte

if TYPE_CHECKING:  # the driver never needs the simulator; only whoever builds this does
    from frontdesk.devices.printer.simulator.memory import MemoryLine, MemoryPrinterSimulator


class MemoryConnection(Connection):
    supports_status_back = True

    def __init__(self, config: PrinterConfig, printer: MemoryPrinterSimulator) -> None:
        super().__init__(config)
        self.printer = printer
        self.label = f"printer {config.id!r} (in memory)"
        self._line: MemoryLine | None = None

    @classmethod
    def to(cls, printer: MemoryPrinterSimulator) -> Callable[[PrinterConfig], MemoryConnection]:
        """What `ReceiptPrinter(connect=...)` takes: a new connection to `printer` for each job."""
        return lambda config: cls(config, printer)

    def open(self) -> None:
        try:
            self._line = self.printer.connect()
        except ConnectionRefusedError as error:
            raise PrinterUnreachable(
                f"{self.label}: cannot connect ({error.strerror}); is it switched on?", device_id=self.config.id
            ) from None

    def write(self, data: bytes) -> None:
        try:
            self._opened().send(data)
        except OSError as error:
            raise self._unreachable("connection lost while sending", error) from None

    def read_status(self, query: StatusQuery, timeout: float) -> int | None:
        line = self._opened()
        try:
            while line.receive(64):  # late replies and reports, so they are not taken for this one
                pass
            self.write(DLE_EOT + bytes([query]))
            # The machine answered while it was fed: a reply is here now or never comes.
            while reply := line.receive(1):
                if is_status_byte(reply[0]):
                    return reply[0]
        except OSError as error:
            raise self._unreachable("connection lost while reading status", error) from None
        return None

    def fileno(self) -> int:
        return self._opened().fileno()

    def read_status_back(self, timeout: float) -> bytes | None:
        """The next report; None when none came within `timeout`."""
        line = self._opened()
        try:
            if not line.wait_readable(timeout):
                return None
            return self._status_back_frame(line.receive)
        except OSError as error:
            raise self._unreachable("connection lost while waiting for status", error) from None

    def close(self) -> None:
        if self._line is not None:
            self._line.close()
            self._line = None

    def _opened(self) -> MemoryLine:
        if self._line is None:
            raise RuntimeError(f"{self.label}: not open")
        return self._line
