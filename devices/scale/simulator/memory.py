"""The simulated serial scale without a pty, for protocol tests that wait for nothing.

`MemoryScaleSimulator.open_port` is called like `serial.Serial(...)` and returns a
port with the part of pyserial's interface a driver uses. What the host writes goes
to the same ScaleResponder the pty server uses, in the caller's thread, so the
replies are byte for byte the pty's, there as soon as `write()` returns: a read that
finds nothing has timed out at once, as nothing more can come. A repeating answer
(MT-SICS SIR) is made frame by frame as the host reads, at no line speed.
"""

from __future__ import annotations

import errno
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import serial

from .protocol import ScaleProtocol
from .responder import SERIAL_NUMBER, STABLE_WAIT, ScaleFrontPanel, ScaleResponder, make_protocol
from .state import ScaleState

BITS_PER_BYTE = 10  # 8N1: a start bit, 8 data bits, a stop bit


@dataclass(frozen=True)
class HostWrite:
    at: float  # time.monotonic()
    data: bytes


class _Cable:
    """One plugging-in: the responder's line state and the bytes waiting for the host."""

    def __init__(self, responder: ScaleResponder) -> None:
        self.responder = responder
        self.inbound = bytearray()
        self.injected = bytearray()  # bytes for the host ahead of the next reply
        self.pulled = threading.Event()  # also what a waiting MT-SICS S gives up on
        self.lock = threading.Lock()  # the host's thread, and one that unplugs


class MemoryScaleSimulator(ScaleFrontPanel):
    """A scale speaking `protocol` ("mt-sics" or "nci"), reached through `open_port(device_path, ...)`."""

    def __init__(
        self,
        protocol: str = "mt-sics",
        baudrate: int = 9600,
        capacity_grams: Decimal = Decimal("5000"),
        resolution: Mapping[str, int] | None = None,
        *,
        serial_number: str = SERIAL_NUMBER,
        stable_wait: float = STABLE_WAIT,
        device_path: str = "memory:scale",
    ) -> None:
        if isinstance(baudrate, bool) or not isinstance(baudrate, int) or baudrate not in serial.Serial.BAUDRATES:
            raise ValueError(f"baudrate must be a standard serial speed such as 9600, not {baudrate!r}")
        self._protocol: ScaleProtocol = make_protocol(
            protocol, resolution, serial_number=serial_number, stable_wait=stable_wait
        )
        self.protocol = protocol
        self.baudrate = baudrate
        self.device_path = device_path
        self.state = ScaleState(capacity_grams=capacity_grams)
        self.writes: list[HostWrite] = []  # everything a host wrote, in order
        self._written = threading.Condition()
        self._random = random.Random()
        self._cable: _Cable | None = None
        self.plug()

    @property
    def plugged(self) -> bool:
        return self._cable is not None

    def plug(self) -> None:
        """A new cable: ports opened from now on work; nothing happens if already plugged."""
        if self._cable is None:
            self._cable = _Cable(ScaleResponder(self._protocol, self.state, self._random))

    def unplug(self) -> None:
        """Pull the cable: open ports fail from now on, even after plug(), and none opens meanwhile."""
        cable, self._cable = self._cable, None
        if cable is not None:
            cable.pulled.set()
            self.state.wake_waiters()  # an S command waiting for the load to rest gives up

    def inject(self, data: bytes) -> None:
        """Put `data` on the line just after the host's next write, ahead of any reply: a stale
        frame or a glitch, byte for byte (`state.garbage_before_next` sends random bytes)."""
        if self._cable is not None:
            self._cable.injected += data

    def open_port(
        self, port: str, baudrate: int = 9600, bytesize: int = 8, parity: str = "N", stopbits: float = 1,
        timeout: float | None = None, write_timeout: float | None = None, exclusive: bool | None = None,
    ) -> MemorySerialPort:
        """What `serial.Serial(port, ...)` would open. Writes never block here, so write_timeout
        is not needed, and one test owns the port, so exclusive is not enforced."""
        cable = self._cable
        if cable is None or port != self.device_path:
            raise serial.SerialException(
                errno.ENOENT, f"could not open port {port}: [Errno 2] No such file or directory: {port!r}"
            )
        return MemorySerialPort(self, cable, port, baudrate, timeout)

    def wait_for_writes(self, predicate: Callable[[list[HostWrite]], bool], timeout: float = 5.0) -> list[HostWrite]:
        """Wait until `predicate(writes)` holds (for a host on another thread); returns the writes."""
        with self._written:
            if not self._written.wait_for(lambda: predicate(self.writes), timeout):
                raise TimeoutError(f"the host's writes did not match within {timeout} s: {self.writes[-5:]}")
            return list(self.writes)

    def _heard(self, data: bytes) -> None:
        with self._written:
            self.writes.append(HostWrite(time.monotonic(), data))
            self._written.notify_all()


class MemorySerialPort:
    """One open port on a MemoryScaleSimulator: write, flush, read, read_until, reset_input_buffer,
    timeout, baudrate and close, failing with pyserial's exceptions once the cable is pulled."""

    def __init__(self, simulator: MemoryScaleSimulator, cable: _Cable, port: str, baudrate: int,
                 timeout: float | None) -> None:
        self.simulator = simulator
        self.port = port
        self.baudrate = baudrate
        self.timeout = timeout
        self.is_open = True
        self._cable = cable

    def write(self, data: bytes) -> int:
        cable = self._usable("write failed")
        self.simulator._heard(bytes(data))
        with cable.lock:
            cable.inbound += cable.injected
            cable.injected.clear()
            for reply in cable.responder.replies(bytes(data), cable.pulled):
                cable.inbound += cable.responder.on_the_wire(reply, self._speed_matches)
        return len(data)

    def flush(self) -> None:
        self._usable("write failed")

    def reset_input_buffer(self) -> None:
        cable = self._usable("reset failed")
        with cable.lock:
            cable.inbound.clear()

    def read(self, size: int = 1) -> bytes:
        return self._take(size, None)

    def read_until(self, expected: bytes = b"\n", size: int | None = None) -> bytes:
        return self._take(size, expected)

    def close(self) -> None:
        self.is_open = False

    def __enter__(self) -> MemorySerialPort:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def _speed_matches(self) -> bool:
        return self.baudrate == self.simulator.baudrate

    def _take(self, size: int | None, expected: bytes | None) -> bytes:
        """What a read would return: up to `expected`, or `size` bytes, or all there is."""
        cable = self._usable("read failed")
        # A stream is made as it is read, as much of it as the line carries within the timeout:
        # without a limit a read_until on a stream that never matches would never return.
        line_bytes = max(1, int(self.baudrate / BITS_PER_BYTE * (1.0 if self.timeout is None else self.timeout)))
        with cable.lock:
            inbound, made = cable.inbound, 0
            while not _complete(inbound, size, expected) and cable.responder.streaming and made < line_bytes:
                frame = cable.responder.on_the_wire(cable.responder.stream_frame(), self._speed_matches)
                inbound += frame
                made += len(frame) or 1
            end = _end(inbound, size, expected)
            data = bytes(inbound[:end])
            del inbound[:end]
            return data

    def _usable(self, what: str) -> _Cable:
        if not self.is_open:
            raise serial.PortNotOpenError()
        if self._cable.pulled.is_set():
            # What pyserial says when the other end of a pty is gone.
            raise serial.SerialException(f"{what}: [Errno 5] Input/output error")
        return self._cable


def _complete(inbound: bytearray, size: int | None, expected: bytes | None) -> bool:
    if size is not None and len(inbound) >= size:
        return True
    return expected is not None and expected in inbound


def _end(inbound: bytearray, size: int | None, expected: bytes | None) -> int:
    end = len(inbound)
    if expected is not None and (found := inbound.find(expected)) >= 0:
        end = found + len(expected)
    return end if size is None else min(end, size)
