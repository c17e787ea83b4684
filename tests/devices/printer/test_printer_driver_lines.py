"""ReceiptPrinter over real lines: TCP to the simulator, a serial port (pty), a device file.

What the driver does with the bytes is tested in memory (test_printer_driver.py); these
check what only a real line shows: the connections' own timeouts and error messages.
"""

from __future__ import annotations

import pytest
from memory_printer import assert_clean, printed_lines, printer_for
from testbed import printer_config

from frontdesk.devices.printer import PrinterUnreachable
from frontdesk.devices.printer.samples import sample_badge, sample_receipt
from frontdesk.devices.printer.simulator import Cut, Qr, decode_file




def test_a_receipt_over_tcp_is_printed_and_its_status_read_back(printer_sim, network_config):
    printer = printer_for(network_config)
    result = printer.print_document(sample_receipt())
    job = printer_sim.wait_for_jobs(1)[-1]
    assert_clean(job)
    assert result.confirmed and result.status.health == "ok"
    assert any(isinstance(e, Qr) and e.payload == "frontdesk:receipt:TEST-000001" for e in job.elements)
    assert isinstance(job.elements[-1], Cut)
    printer_sim.state.paper = "near_end"
    assert printer.status().reasons == ("paper_near_end",)


def test_a_silent_printer_over_tcp_is_unknown_once_the_status_timeout_passes(printer_sim):
    printer_sim.state.answers_status = False
    config = printer_config("network", host="127.0.0.1", port=printer_sim.port, status_timeout=0.1)
    status = printer_for(config).status()
    assert (status.reachable, status.reasons) == (True, ("no_status",))


def test_unplugged_mid_document_over_tcp_names_the_printer_and_its_address(printer_sim, network_config):
    printer_sim.state.drops_after = 600
    with pytest.raises(PrinterUnreachable, match=r"printer 'desk' \(127\.0\.0\.1:\d+\)"):
        printer_for(network_config).print_document(sample_receipt(lines=20))


def test_nothing_listening_is_a_clear_error_not_a_hang(printer_sim, network_config):
    printer_sim.stop()  # the port stays in network_config, now with nobody behind it
    printer = printer_for(network_config)
    with pytest.raises(PrinterUnreachable, match="cannot connect"):
        printer.print_document(sample_receipt())
    assert printer.status().reasons == ("unreachable",)


def test_serial_printer_over_a_pty(serial_sim):
    config = printer_config("serial", device=serial_sim.device_path, baudrate=19200, status_timeout=0.5)
    printer = printer_for(config)
    result = printer.print_document(sample_badge("Jürgen Weiß", language="de"))
    assert result.confirmed
    assert_clean(serial_sim.machine)
    assert "Jürgen Weiß" in printed_lines(serial_sim.machine)
    serial_sim.state.paper = "near_end"
    assert printer.status().paper == "near_end"


def test_file_printer_writes_the_document_and_cannot_confirm(tmp_path):
    target = tmp_path / "lp0"
    config = printer_config("file", device=target)
    result = printer_for(config).print_document(sample_badge("Françoise Lefèvre", language="fr"))
    assert not result.confirmed and result.status.reasons == ("no_status",)
    job = decode_file(target, "TM-T20II")
    assert_clean(job)
    assert "Françoise Lefèvre" in printed_lines(job) and "VISITEUR" in printed_lines(job)


def test_missing_device_file_says_what_to_check(tmp_path):
    config = printer_config("file", device=tmp_path / "no-such-dir" / "lp0")
    with pytest.raises(PrinterUnreachable, match="no such device; is the printer plugged in"):
        printer_for(config).print_document(sample_receipt())


def test_a_network_line_sends_small_writes_at_once(network_config):
    """Nagle's algorithm would hold each status query until the printer ACKs the job before it,
    which printers delay by ~40 ms: 87 ms per receipt instead of a few (tests/bench/bench_printer.py)."""
    import socket

    from frontdesk.devices.printer.connections import connection_for

    with connection_for(network_config.printer[0]) as connection:
        assert connection._socket.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
