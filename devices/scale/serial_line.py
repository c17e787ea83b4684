"""The serial line to a scale: framed reads with timeouts, and honest errors.

The port is opened on first use and again after any failure, so a scale that
was unplugged and plugged back in is picked up by the next request.
"""

from __future__ import annotations

import termios
from collections.abc import Callable
from typing import Protocol

import serial

from frontdesk.contract.config import MtSicsScaleConfig, NciScaleConfig
from frontdesk.devices.scale.errors import ScaleOffline

# pyserial lets termios.error (not an OSError) through from tcflush on a dead port.
_PORT_ERRORS = (serial.SerialException, OSError, termios.error)
_PARITY = {"none": serial.PARITY_NONE, "even": serial.PARITY_EVEN, "odd": serial.PARITY_ODD}



class SerialPort(Protocol):
    """The part of pyserial's Serial a scale line uses."""

    timeout: float | None

    def write(self, data: bytes, /) -> int | None: ...

    def flush(self) -> None: ...

    def reset_input_buffer(self) -> None: ...

    def read_until(self, expected: bytes = ..., size: int | None = ...) -> bytes: ...

    def close(self) -> None: ...


# Called like serial.Serial(device, baudrate=..., ...): pyserial's own, or a test's in-memory port
# (devices/scale/simulator/memory.py) that answers as the simulator does on a pty.
PortOpener = Callable[..., SerialPort]


class SerialLine:
    def __init__(
        self, config: MtSicsScaleConfig | NciScaleConfig, terminator: bytes, open_port: PortOpener = serial.Serial,
    ) -> None:
        self.config = config
        self.terminator = terminator
        self.label = f"scale {config.id!r} ({config.address})"
        self._open_port = open_port
        self._port: SerialPort | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def send(self, command: bytes) -> None:
        port = self._open()
        try:
            port.write(command)
            port.flush()
        except _PORT_ERRORS as error:
            raise self._failed("writing failed", error) from None

    def discard_input(self) -> None:
        """Forget replies nobody waits for any more (after a timeout or a stopped stream)."""
        if self._port is not None:
            try:
                self._port.reset_input_buffer()
            except _PORT_ERRORS as error:
                raise self._failed("the port failed", error) from None

    def read_frame(self, timeout: float | None = None) -> bytes:
        """Bytes up to and including the terminator; fewer if the time ran out."""
        port = self._open()
        try:
            port.timeout = self.config.timeout if timeout is None else timeout  # reconfigures the port
            return port.read_until(self.terminator)
        except _PORT_ERRORS as error:
            raise self._failed("reading failed", error) from None

    def close(self) -> None:
        if self._port is not None:
            try:
                self._port.close()
            except _PORT_ERRORS:
                pass
            self._port = None

    def _open(self) -> SerialPort:
        if self._port is not None:
            return self._port
        try:
            self._port = self._open_port(
                self.config.device,
                baudrate=self.config.baudrate,
                bytesize=self.config.bytesize,
                parity=_PARITY[self.config.parity],
                stopbits=self.config.stopbits,
                timeout=self.config.timeout,
                write_timeout=self.config.timeout,
                exclusive=True,
            )
        except _PORT_ERRORS as error:
            raise ScaleOffline(f"{self.label}: cannot open the port: {_why(error)}", device_id=self.config.id) from None
        return self._port

    def _failed(self, what: str, error: BaseException) -> ScaleOffline:
        self.close()
        return ScaleOffline(
            f"{self.label}: {what} ({_why(error)}); unplugged or switched off?", device_id=self.config.id
        )


def _why(error: BaseException) -> str:
    text = str(error)
    if "No such file" in text or "could not open port" in text and "Errno 2" in text:
        return "no such device; is the scale plugged in?"
    if "Permission denied" in text:
        return "permission denied; is the user in the dialout group?"
    if "Could not exclusively lock" in text or "Resource temporarily unavailable" in text:
        return "another program has the port open"
    return text
