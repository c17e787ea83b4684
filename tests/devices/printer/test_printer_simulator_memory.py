"""The simulated printer in memory: what the TCP simulator does with a connection, without the socket.

Nothing here waits: every reply is there when send() returns. That it answers byte
for byte as the TCP simulator does is checked in test_printer_simulator_transports.py.
"""

from __future__ import annotations

import errno

import pytest
from escpos_samples import DLE_EOT, NAMES, receipt_document

from frontdesk.devices.printer.simulator import MemoryPrinterSimulator

GS_A_ON, GS_A_OFF = b"\x1da\x0f", b"\x1da\x00"
READY_REPORT = bytes([0x10, 0, 0, 0])


def test_a_job_is_recorded_and_answered_at_once(tmp_path):
    simulator = MemoryPrinterSimulator(output_dir=tmp_path)
    line = simulator.connect()
    line.send(receipt_document() + DLE_EOT + b"\x04")
    assert line.receive(16) == b"\x12"
    assert line.receive(16) == b""  # nothing more is coming: no timeout to wait out
    line.close()
    [job] = simulator.jobs
    assert job is simulator.last_job() and job.errors == []
    assert [element.text for element in job.elements[:4]] == NAMES
    assert simulator.all_received() == bytes(job.received)
    assert NAMES[0] in (tmp_path / "job-0001.txt").read_text(encoding="utf-8")


def test_each_connection_is_a_job_of_its_own_on_one_printer():
    simulator = MemoryPrinterSimulator()
    first, second = simulator.connect(), simulator.connect()
    first.send(b"one\n")
    simulator.state.cover_open = True  # the printer's state is shared, as on TCP
    second.send(b"two\n" + DLE_EOT + b"\x02")
    assert second.receive(1) == b"\x16"
    assert [job.pending_text for job in simulator.jobs] == ["", ""]
    assert [len(job.elements) for job in simulator.jobs] == [1, 0]  # the open cover dropped "two"
    first.close()
    second.close()


def test_a_silent_printer_sends_nothing():
    simulator = MemoryPrinterSimulator()
    simulator.state.answers_status = False
    line = simulator.connect()
    line.send(DLE_EOT + b"\x01" + b"\x1dr\x01")
    assert line.receive(16) == b"" and not line.wait_readable(0)
    line.close()


def test_disconnect_clients_cuts_every_line_and_the_host_sees_it():
    simulator = MemoryPrinterSimulator()
    first, second = simulator.connect(), simulator.connect()
    first.send(b"half a li" + DLE_EOT + b"\x01")
    second.send(b"x")
    simulator.disconnect_clients()
    assert first.wait_readable(0) and first.receive(16) == b"\x12"  # what came before the cut is still read
    for line in (first, second):
        with pytest.raises(ConnectionResetError):
            line.receive(16)
        with pytest.raises(ConnectionResetError):
            line.send(b"more")
        line.close()
    assert sorted(job.pending_text for job in simulator.jobs) == ["half a li", "x"]
    simulator.connect().close()  # a new connection is taken


def test_unplugged_nothing_connects_until_plugged_in_again():
    simulator = MemoryPrinterSimulator()
    line = simulator.connect()
    simulator.unplug()
    with pytest.raises(ConnectionResetError):
        line.send(b"x")
    with pytest.raises(ConnectionRefusedError) as refused:
        simulator.connect()
    assert refused.value.errno == errno.ECONNREFUSED
    simulator.plug()
    simulator.connect().close()
    line.close()


def test_drops_after_cuts_the_next_connection_mid_job():
    simulator = MemoryPrinterSimulator()
    simulator.state.drops_after = 10
    line = simulator.connect()
    with pytest.raises(ConnectionResetError):
        line.send(b"0123456789abcdefghij\n")
    line.close()
    [job] = simulator.jobs
    assert bytes(job.received) == b"0123456789" and job.elements == []
    assert simulator.state.drops_after is None
    follow_up = simulator.connect()
    follow_up.send(b"whole\n" + DLE_EOT + b"\x01")
    assert follow_up.receive(1) == b"\x12"
    follow_up.close()


def test_status_back_reports_at_once_on_every_change_and_stops_when_switched_off():
    simulator = MemoryPrinterSimulator()
    line = simulator.connect()
    line.send(GS_A_ON)
    assert line.wait_readable(0) and line.receive(16) == READY_REPORT
    simulator.state.paper = "out"  # reported from the thread that changed the state: no waiting
    assert line.receive(16) == bytes([0x18, 0, 0x0F, 0])
    simulator.state.drawer_open = simulator.state.drawer_open  # not a change the report shows
    assert line.receive(16) == b""
    simulator.state.paper = "ok"
    line.send(GS_A_OFF)
    assert line.receive(16) == READY_REPORT
    simulator.state.cover_open = True
    assert line.receive(16) == b""
    simulator.state.cover_open = False
    line.send(GS_A_ON)  # switched on again: the state is reported at once, even if unchanged
    assert line.receive(16) == READY_REPORT
    line.close()
    simulator.state.paper = "near_end"  # a closed line is told nothing, and nothing fails
