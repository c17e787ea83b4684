"""Automatic Status Back (GS a): the printer tells of a fault by itself on a kept-open line.

The watch's logic runs against the printer in memory; a TCP line and a serial port (pty)
check that the simulator's real transports report the same way.
"""

from __future__ import annotations

import itertools
import os
import threading

import pytest
from memory_printer import printer_in_memory
from testbed import printer_config

from frontdesk.contract.config import ConfigError
from frontdesk.devices.printer import ReceiptPrinter
from frontdesk.devices.printer.errors import PrinterError
from frontdesk.devices.printer.memory_connection import MemoryConnection
from frontdesk.devices.printer.simulator import MemoryPrinterSimulator, PtyPrinterSimulator, TcpPrinterSimulator
from frontdesk.devices.printer.simulator.state import ERROR_KINDS, PAPER_LEVELS, StateSnapshot
from frontdesk.devices.printer.simulator.status import realtime_status, status_back
from frontdesk.devices.printer.status import PrinterStatus, StatusQuery

DLE_EOT_1 = b"\x10\x04\x01"
STATES = [StateSnapshot(paper, cover, online, error, drawer, True)
          for paper, cover, online, error, drawer in itertools.product(
              PAPER_LEVELS, (False, True), (False, True), ERROR_KINDS, (False, True))]


@pytest.mark.parametrize("state", STATES, ids=str)
def test_a_status_back_report_means_what_the_status_replies_mean(state):
    from_replies = PrinterStatus.from_replies({query: realtime_status(query, state) for query in StatusQuery})
    from_report = PrinterStatus.from_status_back(status_back(state))
    fields = ("online", "paper", "cover_open", "errors", "drawer_open")
    assert [getattr(from_report, f) for f in fields] == [getattr(from_replies, f) for f in fields]


class Watch:
    """ReceiptPrinter.watch_status on its own thread, with a pipe to end it."""

    def __init__(self, printer: ReceiptPrinter, check_every: float = 30.0) -> None:
        self.reports: list[PrinterStatus] = []
        self.error: Exception | None = None
        self.changed = threading.Condition()
        self._read, self._write = os.pipe()
        self.thread = threading.Thread(target=self._run, args=(printer, check_every))
        self.thread.start()

    def _run(self, printer, check_every) -> None:
        try:
            printer.watch_status(self._report, self._read, check_every)
        except PrinterError as error:
            self.error = error
        with self.changed:
            self.changed.notify_all()

    def _report(self, status: PrinterStatus) -> None:
        with self.changed:
            self.reports.append(status)
            self.changed.notify_all()

    def wait_for(self, predicate, timeout: float = 5.0) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self), timeout), self.reports[-3:]

    def end(self) -> None:
        os.write(self._write, b"!")
        self.thread.join(5)
        os.close(self._read)
        os.close(self._write)


@pytest.fixture(params=["memory", "network", "serial"])
def watched_printer(request):
    """(ReceiptPrinter, simulator) in memory, on a TCP line or on a serial port (pty)."""
    if request.param == "memory":
        sim = request.getfixturevalue("memory_sim")
        return printer_in_memory(sim, status_timeout=0.5), sim
    if request.param == "network":
        sim = request.getfixturevalue("printer_sim")
        config = printer_config("network", host="127.0.0.1", port=sim.port, status_timeout=0.5)
    else:
        sim = request.getfixturevalue("serial_sim")
        config = printer_config("serial", device=sim.device_path, baudrate=19200, status_timeout=0.5)
    return ReceiptPrinter(config.printer[0]), sim


def watch_line(sim) -> bytearray:
    """What the printer has received on the watch's line: its first job, or the pty's one machine."""
    return sim.machine.received if isinstance(sim, PtyPrinterSimulator) else sim.jobs[0].received


def test_faults_are_reported_as_they_happen_and_a_job_ends_the_watch(watched_printer):
    printer, sim = watched_printer
    assert printer.can_watch_status
    watch = Watch(printer)
    try:
        watch.wait_for(lambda w: w.reports and w.reports[-1].ready)  # the report sent when ASB is switched on
        sim.state.paper = "out"
        watch.wait_for(lambda w: w.reports[-1].paper == "out" and "paper_out" in w.reports[-1].reasons)
        sim.state.cover_open = True
        watch.wait_for(lambda w: w.reports[-1].cover_open)
        sim.state.paper, sim.state.cover_open = "ok", False
        watch.wait_for(lambda w: w.reports[-1].ready)
        assert bytes(watch_line(sim)) == b"\x1da\x0f"  # the printer told of every change: nobody asked
    finally:
        watch.end()
    assert not watch.thread.is_alive() and watch.error is None
    # The watch gave the line back: the printer takes a job now.
    assert printer.print_bytes(b"after the watch\n").confirmed


def test_a_line_that_goes_quiet_is_checked_and_a_lost_one_ends_the_watch(memory_sim):
    printer = printer_in_memory(memory_sim, status_timeout=0.5)
    memory_sim.state.answers_status = False  # sends no reports: the watch asks by itself
    watch = Watch(printer, check_every=0.01)
    try:
        watch.wait_for(lambda w: len(w.reports) >= 2 and not w.reports[-1].answered)
        memory_sim.disconnect_clients()  # the cable is pulled
        watch.wait_for(lambda w: w.error is not None)
    finally:
        watch.end()
    assert "printer 'desk' (in memory): connection lost" in str(watch.error)


def test_a_tcp_line_that_is_lost_ends_the_watch(printer_sim):
    printer = ReceiptPrinter(printer_config("network", host="127.0.0.1", port=printer_sim.port,
                                            status_timeout=0.5).printer[0])
    watch = Watch(printer)
    try:
        watch.wait_for(lambda w: w.reports and w.reports[-1].ready)
        printer_sim.disconnect_clients()  # the cable is pulled: the socket reports it, no check needed
        watch.wait_for(lambda w: w.error is not None)
    finally:
        watch.end()
    assert "printer 'desk' (127.0.0.1:" in str(watch.error)


def test_a_watch_begun_while_the_printer_is_out_of_paper_sees_it_come_back_and_reports_again(memory_sim):
    # Asked every status_poll while not ready: shortened, as the order of events is what counts.
    printer = printer_in_memory(memory_sim, status_timeout=0.5, status_poll=0.05)
    memory_sim.state.paper = "out"  # offline: the printer ignores GS a until it is ready again
    watch = Watch(printer, check_every=30)
    try:
        watch.wait_for(lambda w: w.reports and w.reports[-1].paper == "out")
        [job] = memory_sim.jobs  # the watch's line
        memory_sim.state.paper = "ok"
        watch.wait_for(lambda w: w.reports[-1].ready)  # asked again and again while not ready
        asked, queries = len(watch.reports), job.received.count(DLE_EOT_1)
        memory_sim.state.cover_open = True  # reports are on again: no need to wait for the 30 s check
        watch.wait_for(lambda w: w.reports[-1].cover_open)
        assert len(watch.reports) > asked
        assert job.received.count(DLE_EOT_1) == queries  # the printer told; nobody asked
    finally:
        watch.end()
    assert watch.error is None
    # GS a was sent again once the printer was ready; the one sent while it was out was dropped.
    assert job.received.count(b"\x1da\x0f") >= 2 and job.dropped_bytes >= 3


# -- printers that do not report by themselves: asked every status_poll ----------------------


@pytest.fixture(params=["memory", "network", "serial"])
def printer_without_status_back(request):
    """(ReceiptPrinter, simulator) for a printer that ignores GS a, in memory, on TCP or on a pty;
    asked every 0.1 s, as the order of events is what counts."""
    settings = {"status_timeout": 0.5, "status_poll": 0.1}
    if request.param == "memory":
        sim = MemoryPrinterSimulator(status_back=False)
        yield printer_in_memory(sim, **settings), sim
        sim.disconnect_clients()
    elif request.param == "network":
        with TcpPrinterSimulator(status_back=False) as sim:
            yield ReceiptPrinter(printer_config("network", host="127.0.0.1", port=sim.port, **settings).printer[0]), sim
    else:
        with PtyPrinterSimulator(status_back=False) as sim:
            yield ReceiptPrinter(printer_config("serial", device=sim.device_path, baudrate=19200,
                                                **settings).printer[0]), sim


def test_a_printer_that_ignores_gs_a_is_asked_and_each_fault_is_reported(printer_without_status_back):
    printer, sim = printer_without_status_back
    # No report ever comes and the 30 s check is beyond every wait here: what is seen was asked.
    watch = Watch(printer, check_every=30)
    try:
        watch.wait_for(lambda w: w.reports and w.reports[-1].ready)
        for fault, reason, mend in ((("paper", "out"), "paper_out", ("paper", "ok")),
                                    (("cover_open", True), "cover_open", ("cover_open", False)),
                                    (("online", False), "offline", ("online", True))):
            setattr(sim.state, *fault)
            watch.wait_for(lambda w, reason=reason: reason in w.reports[-1].reasons)
            setattr(sim.state, *mend)
            watch.wait_for(lambda w: w.reports[-1].ready)
    finally:
        watch.end()
    assert watch.error is None
    line = watch_line(sim)
    assert b"\x1da\x0f" in line and line.count(DLE_EOT_1) >= 6  # told to report, it did not: it was asked
    job = sim.machine if isinstance(sim, PtyPrinterSimulator) else sim.jobs[0]
    assert job.errors == []  # GS a was taken as a command, and ignored
    assert printer.print_bytes(b"after the watch\n").confirmed


class LineThatCannotBeWatched(MemoryConnection):
    """Reads status but cannot wait for a report, as a USB printer."""

    supports_status_back = False


def test_a_printer_on_a_line_that_cannot_be_watched_is_asked_without_gs_a(memory_sim):
    config = printer_config("usb", vendor_id="04b8", product_id="0e15", status_timeout=0.5, status_poll=0.1)
    printer = ReceiptPrinter(config.printer[0], connect=lambda c: LineThatCannotBeWatched(c, memory_sim))
    assert printer.can_watch_status
    watch = Watch(printer, check_every=30)
    try:
        watch.wait_for(lambda w: w.reports and w.reports[-1].ready)
        memory_sim.state.paper = "out"
        watch.wait_for(lambda w: "paper_out" in w.reports[-1].reasons)
    finally:
        watch.end()
    assert watch.error is None
    [job] = memory_sim.jobs
    assert b"\x1da" not in job.received and job.received.count(DLE_EOT_1) >= 2


def test_a_file_printer_cannot_be_watched(tmp_path):
    assert not ReceiptPrinter(printer_config("file", device=tmp_path / "lp0").printer[0]).can_watch_status


@pytest.mark.parametrize("value", [0, 0.01, 61])
def test_status_poll_is_kept_to_sane_values(value):
    with pytest.raises(ConfigError, match=r"printer\[0\]\.status_poll: input should be"):
        printer_config("network", host="127.0.0.1", status_poll=value)
