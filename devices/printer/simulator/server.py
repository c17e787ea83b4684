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
from .machine import EscPosMachine
from .state import PrinterState
from .status import status_back

log = logging.getLogger(__name__)

RECEIVE_SIZE = 4096
JOIN_TIMEOUT = 2.0

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
    ) -> None:
        load_profile(profile)  # fail now, not in a thread, if the profile is unknown
        self.host, self.profile = host, profile
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
            readable, _, _ = select.select([self._listener, self._wake_read], [], [])
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
        cut_off, ended = True, threading.Event()
        try:
            cut_off = self._receive_job(client, machine, ended)
        except OSError as problem:
            log.debug("job %d: connection error: %s", number, problem)
        finally:
            ended.set()
            self.state._announce()  # ends this connection's status-back thread
            with self._changed:
                self._clients.discard(client)
                cut_off = cut_off or client in self._unplugged
                self._unplugged.discard(client)
            if cut_off:
                _close_abruptly(client)
            else:
                client.close()
            self._finish_job(machine, number)

    def _receive_job(self, client: socket.socket, machine: EscPosMachine, ended: threading.Event) -> bool:
        """Feed the connection's bytes to `machine`; True if the printer cut it off."""
        budget: int | None = None
        reporting = False
        while True:
            data = client.recv(RECEIVE_SIZE)
            if not data:
                return False
            if budget is None:
                budget = self.state.claim_drop_budget()
            if budget is not None:
                data = data[:budget]
                budget -= len(data)
            reply = machine.feed(data)
            if reply:
                client.sendall(reply)
            if machine.asb_enabled and not reporting:
                reporting = True
                self._spawn(report_status_back, "printer-sim-asb", self.state, machine, client.sendall, ended)
            if budget == 0:
                return True  # unplugged mid-job: the rest never reaches the printer

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


def report_status_back(state: PrinterState, machine: EscPosMachine, send: Callable[[bytes], object],
                       ended: threading.Event) -> None:
    """GS a: a 4-byte report at once and after every change, until it is switched off
    (or the line ends). Waking it to notice either takes a `state._announce()`."""
    sent, seen = None, -1
    while not ended.is_set() and machine.asb_enabled:
        with state.changed:
            state.changed.wait_for(lambda: state.version != seen or ended.is_set())
            seen = state.version
        snapshot = state.snapshot()
        frame = status_back(snapshot)
        if frame != sent and snapshot.answers_status and not ended.is_set() and machine.asb_enabled:
            try:
                send(frame)
            except OSError:
                return
            sent = frame


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

    def __init__(self, profile: str = "TM-T20II", output_dir: Path | None = None) -> None:
        self.state = PrinterState()
        self.machine = EscPosMachine(profile, self.state)
        self.output_dir = Path(output_dir) if output_dir is not None else None
        self.device_path = ""
        self._master, self._slave = -1, -1
        self._wake_read, self._wake_write = -1, -1
        self._reader: threading.Thread | None = None
        self._stopping = threading.Event()
        self._reporter: threading.Thread | None = None  # GS a reports; the setting outlives a session

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
        self._stopping.set()
        self.state._announce()
        if self._reporter is not None:
            self._reporter.join(JOIN_TIMEOUT)
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
            reply = self.machine.feed(data)
            if reply:
                os.write(self._master, reply)
            self._follow_status_back()

    def _follow_status_back(self) -> None:
        reporting = self._reporter is not None and self._reporter.is_alive()
        if self.machine.asb_enabled and not reporting:
            self._reporter = threading.Thread(
                target=report_status_back, name="printer-sim-pty-asb", daemon=True,
                args=(self.state, self.machine, lambda frame: os.write(self._master, frame), self._stopping))
            self._reporter.start()
        elif reporting and not self.machine.asb_enabled:
            self.state._announce()  # the reporter sees it was switched off and ends
