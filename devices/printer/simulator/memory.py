"""The simulated printer without a socket, for protocol tests that wait for nothing.

Like a connection to TcpPrinterSimulator, every `connect()` is one job with its own
EscPosMachine on the shared PrinterState, and its bytes go through the same HostLink;
but the machine is fed in the caller's thread, so every reply is there when `send()`
returns. GS a reports are sent from the thread that changed the state. Replies travel
through a pipe only so that a host can select() on the line as it does on a socket.
"""

from __future__ import annotations

import errno
import logging
import os
import select
import threading
from collections.abc import Callable
from pathlib import Path

from .codepages import load_profile
from .link import HostLink
from .machine import EscPosMachine
from .server import write_job_files
from .state import PrinterState

log = logging.getLogger(__name__)


class MemoryLine:
    """One open connection: `send()` to the printer; what it says back is read with `receive()`,
    and `fileno()` is readable when there is something (or the line was cut)."""

    def __init__(self, machine: EscPosMachine, on_close: Callable[[MemoryLine], None], *,
                 status_back: bool = True) -> None:
        self.machine = machine
        self._on_close = on_close
        self._read_end, self._write_end = os.pipe()
        os.set_blocking(self._read_end, False)
        # A host that never reads must not block the thread that changed the state.
        os.set_blocking(self._write_end, False)
        self._link = HostLink(machine, self._reply, status_back=status_back)
        self._cut = False
        self._closed = False
        self._lock = threading.Lock()  # the host's thread, and whichever changes the state or unplugs
        machine.state.add_listener(self._state_changed)

    def send(self, data: bytes) -> None:
        if self._cut:
            raise ConnectionResetError(errno.ECONNRESET, "the printer cut the line")
        if not self._link.receive(data):
            self.cut()
            raise ConnectionResetError(errno.ECONNRESET, "the printer cut the line in the middle of the data")
        if self._link.switched_reports_on:
            self._link.report_if_due()

    def receive(self, size: int) -> bytes:
        """Up to `size` bytes the printer sent and nobody read yet; b"" if there are none.
        Once the line is cut, what came before it is read first, then this raises."""
        try:
            data = os.read(self._read_end, size)
        except BlockingIOError:
            return b""
        if not data:
            raise ConnectionResetError(errno.ECONNRESET, "the printer cut the line")
        return data

    def wait_readable(self, timeout: float) -> bool:
        """Whether a report (or the end of the line) came within `timeout`: GS a reports come
        from other threads; everything else the printer says is there when send() returns."""
        readable, _, _ = select.select([self._read_end], [], [], timeout)
        return bool(readable)

    def fileno(self) -> int:
        return self._read_end

    def cut(self) -> None:
        """End the line from the printer's side, as pulling the cable does."""
        with self._lock:
            if self._cut:
                return
            self._cut = True
            os.close(self._write_end)  # the host's reads now see the end of the line
        self.machine.state.remove_listener(self._state_changed)

    def close(self) -> None:
        """The host hangs up: the job is over."""
        if self._closed:
            return
        self.cut()
        self._closed = True
        os.close(self._read_end)
        self._on_close(self)

    def _reply(self, data: bytes) -> None:
        with self._lock:
            if self._cut:
                raise ConnectionResetError(errno.ECONNRESET, "the line is cut")
            try:
                os.write(self._write_end, data)
            except BlockingIOError:
                log.warning("the host does not read the printer's replies: %d bytes lost", len(data))

    def _state_changed(self) -> None:
        try:
            self._link.report_if_due()
        except ConnectionResetError:
            pass  # cut meanwhile: nobody is there to tell


class MemoryPrinterSimulator:
    """A printer reached in memory: `connect()` as a host would connect to port 9100."""

    def __init__(self, profile: str = "TM-T20II", output_dir: Path | None = None, *, status_back: bool = True) -> None:
        """`status_back=False`: a printer that ignores GS a and only answers DLE EOT."""
        load_profile(profile)
        self.profile = profile
        self.status_back = status_back
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.state = PrinterState()
        self.jobs: list[EscPosMachine] = []  # one per connection, open ones included
        self.plugged = True
        self._open: list[MemoryLine] = []
        self._lock = threading.Lock()

    def connect(self) -> MemoryLine:
        if not self.plugged:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "nothing answers: the printer is unplugged")
        machine = EscPosMachine(self.profile, self.state)
        line = MemoryLine(machine, self._closed, status_back=self.status_back)
        with self._lock:
            self.jobs.append(machine)
            self._open.append(line)
        return line

    def disconnect_clients(self) -> None:
        """Cut every open line at once, as pulling the cable would; new ones are taken."""
        with self._lock:
            lines = list(self._open)
        for line in lines:
            line.cut()

    def unplug(self) -> None:
        """Cut every open line and take no new one until plug()."""
        self.plugged = False
        self.disconnect_clients()

    def plug(self) -> None:
        self.plugged = True

    def last_job(self) -> EscPosMachine | None:
        with self._lock:
            return self.jobs[-1] if self.jobs else None

    def all_received(self) -> bytes:
        with self._lock:
            return b"".join(bytes(job.received) for job in self.jobs)

    def _closed(self, line: MemoryLine) -> None:
        with self._lock:
            self._open.remove(line)
            number = self.jobs.index(line.machine) + 1
        if self.output_dir is not None:
            write_job_files(line.machine, self.output_dir, number)
