"""A serial scale on a real pseudo-terminal, behind a stable symlink like /dev/serial/by-id/.

One reader thread per plugged-in pty blocks in select() on the pty and a wake pipe;
waits for line pacing and for a load to settle are single waits on an event or a
condition, so nothing polls, and unplug() or stop() interrupts every one of them.
"""

from __future__ import annotations

import logging
import os
import random
import select
import shutil
import tempfile
import termios
import threading
import time
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

from .protocol import ScaleProtocol
from .pty_port import PtyPort, point_link, write_what_fits
from .responder import PROTOCOL_NAMES, SERIAL_NUMBER, STABLE_WAIT, ScaleFrontPanel, ScaleResponder, make_protocol
from .state import ScaleState

log = logging.getLogger(__name__)

RECEIVE_SIZE = 1024
JOIN_TIMEOUT = 2.0
BITS_PER_BYTE = 10  # 8N1: a start bit, 8 data bits, a stop bit

__all__ = ["PROTOCOL_NAMES", "ScaleSimulator", "make_protocol"]


class ScaleSimulator(ScaleFrontPanel):
    """A scale speaking `protocol` ("mt-sics" or "nci") on a pty reached through `device_path`."""

    def __init__(
        self,
        protocol: str = "mt-sics",
        link: Path | None = None,
        baudrate: int = 9600,
        capacity_grams: Decimal = Decimal("5000"),
        resolution: Mapping[str, int] | None = None,
        *,
        serial_number: str = SERIAL_NUMBER,
        stable_wait: float = STABLE_WAIT,
    ) -> None:
        speed = getattr(termios, f"B{baudrate}", None) if isinstance(baudrate, int) and baudrate > 0 else None
        if speed is None:
            raise ValueError(f"baudrate must be a standard serial speed such as 9600, not {baudrate!r}")
        self._speed: int = speed
        self._protocol: ScaleProtocol = make_protocol(
            protocol, resolution, serial_number=serial_number, stable_wait=stable_wait
        )
        self.protocol = protocol
        self.baudrate = baudrate
        self.state = ScaleState(capacity_grams=capacity_grams)
        self._requested_link = Path(link) if link is not None else None
        self._link: Path | None = None
        self._made_dir: Path | None = None
        self._port: PtyPort | None = None
        self._plugging = threading.Lock()
        self._random = random.Random()

    @property
    def device_path(self) -> str:
        """The symlink a driver opens; it stays the same across unplug() and plug()."""
        if self._link is None:
            raise RuntimeError("the scale simulator is not started")
        return str(self._link)

    @property
    def pty_path(self) -> str | None:
        """The /dev/pts/N the symlink points at now; None while unplugged."""
        port = self._port
        return port.pty_path if port is not None else None

    @property
    def plugged(self) -> bool:
        return self._port is not None

    def start(self) -> ScaleSimulator:
        if self._link is not None:
            return self
        if self._requested_link is None:
            self._made_dir = Path(tempfile.mkdtemp(prefix="scale-simulator-"))
            self._link = self._made_dir / "scale"
        else:
            self._link = self._requested_link
            if self._link.exists() and not self._link.is_symlink():
                self._link = None
                raise FileExistsError(f"{self._requested_link} exists and is not a symlink; not replacing it")
        try:
            self.plug()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._link is None:
            return
        self.unplug()
        self._link = None
        if self._made_dir is not None:
            shutil.rmtree(self._made_dir, ignore_errors=True)
            self._made_dir = None

    def __enter__(self) -> ScaleSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def plug(self) -> None:
        """Connect a new pty and point the symlink at it; nothing happens if already plugged."""
        with self._plugging:
            if self._link is None:
                raise RuntimeError("start the scale simulator before plugging it in")
            if self._port is not None:
                return
            port = PtyPort(self._speed)
            try:
                point_link(self._link, port.pty_path)
            except OSError:
                port.release()
                raise
            responder = ScaleResponder(self._protocol, self.state, self._random)
            port.reader = threading.Thread(target=self._serve, args=(port, responder), name="scale-sim-pty",
                                           daemon=True)
            self._port = port
            port.reader.start()

    def unplug(self) -> None:
        """Remove the pty and the symlink, as pulling the USB-serial adapter does."""
        with self._plugging:
            port, self._port = self._port, None
            if port is None:
                return
            port.close()
            self.state.wake_waiters()  # an S command waiting for the load to rest gives up
            assert port.reader is not None
            port.reader.join(JOIN_TIMEOUT)
            if port.reader.is_alive():
                log.warning("the scale simulator's reader did not stop within %s s", JOIN_TIMEOUT)
            if self._link is not None:
                self._link.unlink(missing_ok=True)
            port.release()

    def _serve(self, port: PtyPort, responder: ScaleResponder) -> None:
        while not port.closing.is_set():
            # While SIR streams, only look for input between frames; the pacing wait blocks.
            readable, _, _ = select.select([port.master, port.wake_read], [], [], 0 if responder.streaming else None)
            if port.wake_read in readable:
                return
            if port.master in readable:
                self._take_input(port, responder)
            elif responder.streaming:
                self._transmit(port, responder, responder.stream_frame())

    def _take_input(self, port: PtyPort, responder: ScaleResponder) -> None:
        """Answer every complete command line, each reply paced before the next is worked out."""
        try:
            data = os.read(port.master, RECEIVE_SIZE)
        except BlockingIOError:
            return
        except OSError as problem:  # not expected: this side keeps the slave open
            log.warning("scale simulator pty read failed: %s", problem)
            responder.streaming = False
            return
        for reply in responder.replies(data, port.closing):
            self._transmit(port, responder, reply)

    def _transmit(self, port: PtyPort, responder: ScaleResponder, reply: bytes) -> None:
        """Send `reply` as the line would deliver it, with any fault the state asks for."""
        data = responder.on_the_wire(reply, speed_matches=port.line_speed() == self._speed)
        if data and self._wait_for_line(port, len(data)):
            write_what_fits(port, data)

    def _wait_for_line(self, port: PtyPort, count: int) -> bool:
        """Wait until `count` more bytes would have crossed the line; False if unplugged meanwhile."""
        now = time.monotonic()
        done = max(now, port.line_free_at) + count * BITS_PER_BYTE / self.baudrate
        port.line_free_at = done
        return not port.closing.wait(done - now)
