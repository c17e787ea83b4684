"""One plugged-in pseudo-terminal, and the symlink that stands for it like /dev/serial/by-id/."""

from __future__ import annotations

import logging
import os
import termios
import threading
import tty
from pathlib import Path

log = logging.getLogger(__name__)


class PtyPort:
    """One plugged-in pty: its descriptors, its reader thread, what stops them, and its line time."""

    def __init__(self, speed: int) -> None:
        self.master, self.slave = os.openpty()
        # Raw: no echo of our replies back to us, no line editing of the bytes.
        tty.setraw(self.slave)
        attributes = termios.tcgetattr(self.slave)
        attributes[4] = attributes[5] = speed  # as a port left at the scale's speed would be
        termios.tcsetattr(self.slave, termios.TCSANOW, attributes)
        # A driver that stops reading must not block us: a full line loses bytes instead.
        os.set_blocking(self.master, False)
        self.pty_path = os.ttyname(self.slave)
        self.closing = threading.Event()
        self.wake_read, self.wake_write = os.pipe()
        self.reader: threading.Thread | None = None
        self.line_free_at = 0.0  # time.monotonic() when the last byte sent has crossed the line

    def line_speed(self) -> int | None:
        """The termios speed constant the driver set; None if it cannot be read."""
        try:
            attributes = termios.tcgetattr(self.slave)
        except termios.error:
            return None
        return attributes[4] if attributes[4] == attributes[5] else None

    def close(self) -> None:
        self.closing.set()
        os.write(self.wake_write, b"x")

    def release(self) -> None:
        # Closing the master is what a driver holding the slave sees as the cable pulled (EIO).
        for descriptor in (self.master, self.slave, self.wake_read, self.wake_write):
            os.close(descriptor)


def point_link(link: Path, target: str) -> None:
    # A new symlink renamed over the old one: the path never points nowhere while it exists.
    temporary = link.with_name(f".{link.name}.{os.getpid()}.new")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, link)


def write_what_fits(port: PtyPort, data: bytes) -> None:
    try:
        written = os.write(port.master, data)
    except BlockingIOError:
        written = 0
    except OSError as problem:
        log.debug("scale simulator pty write failed: %s", problem)
        return
    if written < len(data):
        log.debug("driver is not reading: %d of %d bytes lost", len(data) - written, len(data))
