"""A job counts as printed only when the printer confirmed it: its status answers after the body
and after the cut, waited for as long as the printer takes to print what came before them."""

from __future__ import annotations

import pytest
from memory_printer import printed_lines, printer_for, printer_in_memory
from testbed import printer_config

from frontdesk.devices.printer import NoConfirmation
from frontdesk.devices.printer.samples import sample_receipt
from frontdesk.devices.printer.simulator import Cut, TcpPrinterSimulator

SLOW = 4000  # bytes per second: a long receipt takes about a second, five times the status timeout
CUT = b"\x1dV\x00"


@pytest.fixture
def slow_printer(tmp_path):
    with TcpPrinterSimulator(output_dir=tmp_path / "printouts", throttle=SLOW) as simulator:
        yield simulator


def slow_config(simulator, **settings):
    return printer_config("network", host="127.0.0.1", port=simulator.port, status_timeout=0.2, **settings)


def test_a_long_receipt_on_a_slow_printer_is_confirmed_once_it_is_printed(slow_printer):
    printer = printer_for(slow_config(slow_printer))  # bytes_per_second unset: 1,000 assumed
    receipt = sample_receipt(lines=40)
    body, cut = printer.render_parts(receipt)
    assert len(body) / SLOW > 4 * printer.config.status_timeout  # the answer comes long after status_timeout
    moments: list[str] = []
    result = printer.print_bytes(body, on_start=lambda: moments.append("sending"),
                                 on_sent=lambda: moments.append("sent"), finish=cut)
    assert result.confirmed and result.status.health == "ok"
    assert moments == ["sending", "sent"]
    job = slow_printer.wait_for_jobs(1)[-1]
    assert isinstance(job.elements[-1], Cut)
    assert any(line.startswith("TOTAL") for line in printed_lines(job))


def test_a_printer_said_to_be_faster_than_it_is_leaves_the_job_unconfirmed(slow_printer):
    """The wait follows `bytes_per_second`: a printer slower than its config says answers too late,
    and the body is not taken for printed (nor cut)."""
    printer = printer_for(slow_config(slow_printer, bytes_per_second=1_000_000))
    body, cut = printer.render_parts(sample_receipt(lines=40))
    moments: list[str] = []
    with pytest.raises(NoConfirmation, match=r"'desk' \(127\.0\.0\.1:\d+\) did not answer within 0\.2 s"):
        printer.print_bytes(body, on_start=lambda: moments.append("sending"),
                            on_sent=lambda: moments.append("sent"), finish=cut)
    assert moments == ["sending"]
    job = slow_printer.wait_for_jobs(1)[-1]
    assert not any(isinstance(element, Cut) for element in job.elements)


def test_a_printer_that_falls_silent_after_the_body_does_not_confirm_it(memory_sim):
    printer = printer_in_memory(memory_sim)
    moments: list[str] = []

    def switched_off() -> None:
        moments.append("sending")
        memory_sim.state.answers_status = False  # answered before the job, never after it

    with pytest.raises(NoConfirmation, match="may be incomplete"):
        printer.print_bytes(b"body\n", on_start=switched_off, on_sent=lambda: moments.append("sent"), finish=CUT)
    assert moments == ["sending"]
    assert CUT not in bytes(memory_sim.last_job().received)


def test_a_cut_the_printer_does_not_confirm_leaves_the_job_unconfirmed_after_its_body(memory_sim):
    printer = printer_in_memory(memory_sim)

    def body_confirmed() -> None:
        memory_sim.state.answers_status = False

    with pytest.raises(NoConfirmation):
        printer.print_bytes(b"body\n", on_sent=body_confirmed, finish=CUT)
    assert bytes(memory_sim.last_job().received).endswith(CUT + b"\x10\x04\x01")


def test_a_printer_that_never_answers_cannot_confirm_and_its_job_counts_as_sent(memory_sim):
    memory_sim.state.answers_status = False
    moments: list[str] = []
    result = printer_in_memory(memory_sim).print_bytes(b"body\n", on_sent=lambda: moments.append("sent"), finish=CUT)
    assert not result.confirmed and moments == ["sent"]
    assert bytes(memory_sim.last_job().received).endswith(CUT + b"\x10\x04\x01")


def test_the_wait_follows_a_serial_lines_own_rate_when_it_is_slower_than_a_printer():
    serial = printer_config("serial", device="/dev/ttyS0", baudrate=2400, parity="even").printer[0]
    assert serial.rate == pytest.approx(2400 / 11)
    assert printer_config("serial", device="/dev/ttyS0", baudrate=115200).printer[0].rate == 1000
    assert printer_config("network", host="x", bytes_per_second=2000).printer[0].rate == 2000
