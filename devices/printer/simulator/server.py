"""Real transports for the simulated printer: a TCP port (like port 9100) and a pty.

Threads block in recv/select; stopping wakes them through a pipe or by shutting the
socket down, so nothing polls.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import struct
import threading
from pathlib import Path
from typing import Callable

from .codepages import load_profile
from .link import JOIN_TIMEOUT, HostLink, StatusBackThread
from .machine import EscPosMachine
from .state import PrinterState

log = logging.getLogger(__name__)

RECEIVE_SIZE = 4096

JobCallback = Callable[[int, EscPosMachine], None]


def decode_file(path: str | Path, profile: str = "TM-T20II") -> EscPosMachine:
    """What a printer makes of a file written through a /dev/usb/lp0-style connection."""
    machine = EscPosMachine(profile)
    machine.feed(Path(path).read_bytes())
    return machine


def write_job_files(machine: EscPosMachine, output_dir: Path, number: int) -> list[Path]:
    """job-0001.txt and job-0001.png, if the job printed or got anything wrong."""
    if not (machine.elements or machine.errors or machine.pending_text):
        return []
    output_dir.mkdir(parents=True, exist_ok=True)
    text_path = output_dir / f"job-{number:04d}.txt"
    text_path.write_text(machine.text_rendering(), encoding="utf-8")
    written = [text_path]
    try:
        written.append(machine.png_rendering(output_dir / f"job-{number:04d}.png"))
    except RuntimeError as problem:  # fonts missing: the text rendering still helps
        log.error("job %d: no PNG rendering: %s", number, problem)
    return written


class TcpPrinterSimulator:
    """A network printer: every connection is one job with its own EscPosMachine."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        profile: str = "TM-T20II",
        output_dir: Path | None = None,
        *,
        on_job_done: JobCallback | None = None,
        status_back: bool = True,
        throttle: int | None = None,
    ) -> None:
        """`status_back=False`: a printer that ignores GS a and only answers DLE EOT.

        `throttle`: the bytes per second it prints at. It takes no more from the line than it
        prints, as a real printer whose buffer is full holds the line, so a status query is
        answered only once everything sent before it is on paper."""
        load_profile(profile)  # fail now, not in a thread, if the profile is unknown
        if throttle is not None and throttle <= 0:
            raise ValueError(f"throttle must be a positive number of bytes per second, not {throttle!r}")
        self.host, self.profile = host, profile
        self.status_back = status_back
        self.throttle = throttle
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.state = PrinterState()
        self.jobs: list[EscPosMachine] = []
        self._requested_port = port
        self._on_job_done = on_job_done
        self._listener: socket.socket | None = None
        self._wake_read, self._wake_write = -1, -1
        self._threads: list[threading.Thread] = []
        self._clients: set[socket.socket] = set()
        self._unplugged: set[socket.socket] = set()
        self._finished = 0
        self._changed = threading.Condition()

    @property
    def port(self) -> int:
        if self._listener is None:
            raise RuntimeError("the simulator is not started")
        return self._listener.getsockname()[1]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self) -> "TcpPrinterSimulator":
        listener = socket.create_server((self.host, self._requested_port), reuse_port=False)
        self._listener = listener
        self._wake_read, self._wake_write = os.pipe()
        self._spawn(self._accept_loop, "printer-sim-accept")
        return self

    def stop(self) -> None:
        if self._listener is None:
            return
        os.write(self._wake_write, b"x")
        self.disconnect_clients()
        with self._changed:
            threads = list(self._threads)
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        self._listener.close()
        os.close(self._wake_read)
        os.close(self._wake_write)
        self._listener, self._threads = None, []

    def __enter__(self) -> "TcpPrinterSimulator":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def disconnect_clients(self) -> None:
        """Drop every open connection at once, as pulling the cable would."""
        with self._changed:
            clients = list(self._clients)
            self._unplugged.update(clients)
            self._changed.notify_all()  # ends a throttled job's wait at once
        for client in clients:
            _wake_receiver(client)

    def last_job(self) -> EscPosMachine | None:
        with self._changed:
            return self.jobs[-1] if self.jobs else None

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[EscPosMachine]:
        """Wait until `count` connections have ended; returns the jobs so far."""
        with self._changed:
            if not self._changed.wait_for(lambda: self._finished >= count, timeout):
                raise TimeoutError(f"only {self._finished} of {count} print jobs ended within {timeout} s")
            return list(self.jobs)

    def all_received(self) -> bytes:
        with self._changed:
            return b"".join(bytes(job.received) for job in self.jobs)

    def _spawn(self, target: Callable[..., None], name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._changed:
            self._threads = [running for running in self._threads if running.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while True:
            readable, _, _ = select.select([self._listener.fileno(), self._wake_read], [], [])
            if self._wake_read in readable:
                return
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._changed:
                machine = EscPosMachine(self.profile, self.state)
                self.jobs.append(machine)
                self._clients.add(client)
                number = len(self.jobs)
            self._spawn(self._serve, f"printer-sim-job-{number}", client, machine, number)

    def _serve(self, client: socket.socket, machine: EscPosMachine, number: int) -> None:
        cut_off = True
        link = HostLink(machine, client.sendall, status_back=self.status_back)
        reports = StatusBackThread(link, f"printer-sim-asb-{number}")
        try:
            cut_off = self._receive_job(client, link, reports)
        except OSError as problem:
            log.debug("job %d: connection error: %s", number, problem)
        finally:
            reports.stop()
            with self._changed:
                self._clients.discard(client)
                cut_off = cut_off or client in self._unplugged
                self._unplugged.discard(client)
            if cut_off:
                _close_abruptly(client)
            else:
                client.close()
            self._finish_job(machine, number)

    def _receive_job(self, client: socket.socket, link: HostLink, reports: StatusBackThread) -> bool:
        """Feed the connection's bytes to the link; True if the printer cut it off."""
        # Throttled, a twentieth of a second's worth at a time, so that a query is answered
        # about when the bytes before it would be on paper.
        size = RECEIVE_SIZE if self.throttle is None else max(1, min(RECEIVE_SIZE, self.throttle // 20))
        while True:
            data = client.recv(size)
            if not data:
                return False
            if self.throttle is not None and self._unplugged_while_printing(client, len(data)):
                return True  # the chunk being printed is lost with the line
            line_up = link.receive(data)
            reports.follow()
            if not line_up:
                return True  # unplugged mid-job: the rest never reaches the printer

    def _unplugged_while_printing(self, client: socket.socket, size: int) -> bool:
        """The time `size` bytes take to print at `throttle`; True if the line was cut meanwhile."""
        assert self.throttle is not None
        with self._changed:
            return self._changed.wait_for(lambda: client in self._unplugged, size / self.throttle)

    def _finish_job(self, machine: EscPosMachine, number: int) -> None:
        try:
            if self.output_dir is not None:
                write_job_files(machine, self.output_dir, number)
            if self._on_job_done is not None:
                self._on_job_done(number, machine)
        except Exception:  # a rendering bug must not hide that the job ended
            log.exception("job %d: could not write or report the job", number)
        with self._changed:
            self._finished += 1
            self._changed.notify_all()


def _wake_receiver(client: socket.socket) -> None:
    # shutdown() wakes a thread blocked in recv(); close() alone would not.
    try:
        client.shutdown(socket.SHUT_RD)
    except OSError:
        pass


def _close_abruptly(client: socket.socket) -> None:
    # Linger 0 makes close() send RST, so the peer sees a reset like a pulled cable.
    try:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    client.close()


class PtyPrinterSimulator:
    """A serial printer: a pseudo-terminal whose slave side pyserial opens at any baud rate."""

    def __init__(self, profile: str = "TM-T20II", output_dir: Path | None = None, *, status_back: bool = True) -> None:
        """`status_back=False`: a printer that ignores GS a and only answers DLE EOT."""
        self.state = PrinterState()
        self.machine = EscPosMachine(profile, self.state)
        self.status_back = status_back
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.device_path = ""
        self._master, self._slave = -1, -1
        self._wake_read, self._wake_write = -1, -1
        self._reader: threading.Thread | None = None
        # One link for the pty's life: a host may open and close the port many times, and
        # the GS a setting outlives each of them, as on a printer that stays switched on.
        self._link = HostLink(self.machine, self._write_reply, can_be_cut=False, status_back=status_back)
        self._reports = StatusBackThread(self._link, "printer-sim-pty-asb")

    def start(self) -> "PtyPrinterSimulator":
        import tty

        self._master, self._slave = os.openpty()
        # Raw: no echo of our replies back to us, no line editing of binary data.
        tty.setraw(self._slave)
        self.device_path = os.ttyname(self._slave)
        self._wake_read, self._wake_write = os.pipe()
        self._reader = threading.Thread(target=self._read_loop, name="printer-sim-pty", daemon=True)
        self._reader.start()
        return self

    def stop(self) -> None:
        if self._reader is None:
            return
        os.write(self._wake_write, b"x")
        self._reader.join(JOIN_TIMEOUT)
        self._reader = None
        self._reports.stop()
        for descriptor in (self._master, self._slave, self._wake_read, self._wake_write):
            os.close(descriptor)
        if self.output_dir is not None:
            write_job_files(self.machine, self.output_dir, 1)

    def __enter__(self) -> "PtyPrinterSimulator":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _read_loop(self) -> None:
        # The slave stays open here too, so the master never reads EIO when a client
        # closes the port; a session can open and close it many times.
        while True:
            readable, _, _ = select.select([self._master, self._wake_read], [], [])
            if self._wake_read in readable:
                return
            try:
                data = os.read(self._master, RECEIVE_SIZE)
            except OSError as problem:
                log.warning("pty read failed: %s", problem)
                return
            self._link.receive(data)
            self._reports.follow()

    def _write_reply(self, data: bytes) -> None:
        os.write(self._master, data)
