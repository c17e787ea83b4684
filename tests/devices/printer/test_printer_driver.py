"""ReceiptPrinter against the simulated printer in memory: documents, status and errors, byte for byte.

The same driver over real TCP, a pty and a file is in test_printer_driver_lines.py.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from memory_printer import assert_clean, printed_lines, printer_for, printer_in_memory
from testbed import printer_config

from frontdesk.devices.printer import (
    CoverOpen,
    PaperOut,
    PrinterError,
    PrinterFault,
    PrinterUnreachable,
    PrintNotConfirmed,
)
from frontdesk.devices.printer.blocks import Columns, Text
from frontdesk.devices.printer.documents import Badge
from frontdesk.devices.printer.samples import sample_badge, sample_receipt
from frontdesk.devices.printer.simulator import Cut, DrawerKick, MemoryPrinterSimulator, Qr, RasterImage, TextLine

NAMES = {
    # what the visitor typed -> what must be on paper (TM-T20II has no comma-below ș ț)
    "Ștefan Țăranu": "Ştefan Ţăranu",
    "Łucja Żółkiewska": "Łucja Żółkiewska",
    "Jürgen Weiß": "Jürgen Weiß",
    "Françoise Lefèvre": "Françoise Lefèvre",
}
ALL_QUERIES = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"  # DLE EOT 1..4, what a status check sends




def test_sample_receipt_prints_cleanly_and_is_confirmed(memory_sim):
    result = printer_in_memory(memory_sim).print_document(sample_receipt())
    job = memory_sim.last_job()
    assert_clean(job)
    assert result.confirmed and result.status.health == "ok"
    lines = printed_lines(job)
    assert "Exemplu SRL" in lines and "Strada Ştefan cel Mare 12" in lines
    total = next(line for line in lines if line.startswith("TOTAL"))
    assert total.endswith("RON") and len(total) == 48, total
    assert any(isinstance(e, Qr) and e.payload == "frontdesk:receipt:TEST-000001" for e in job.elements)
    assert isinstance(job.elements[-1], Cut)


def test_a_job_is_the_status_check_the_document_and_the_status_check_again(memory_sim):
    printer = printer_in_memory(memory_sim)
    result = printer.print_bytes(b"x\n")
    assert bytes(memory_sim.last_job().received) == ALL_QUERIES + b"x\n" + ALL_QUERIES
    assert result.bytes_sent == 2
    printer.print_bytes(b"body\n", finish=b"\x1dV\x00")  # the cut goes after a check that all arrived
    assert bytes(memory_sim.last_job().received) == ALL_QUERIES + b"body\n" + ALL_QUERIES + b"\x1dV\x00" + ALL_QUERIES


@pytest.mark.parametrize("typed, on_paper", NAMES.items())
def test_every_letter_of_the_five_languages_reaches_paper(memory_sim, typed, on_paper):
    printer = printer_in_memory(memory_sim)
    printer.print_document(sample_badge(typed, language="ro"))
    printer.print_document([Text(f"Vizitator: {typed}"), Columns(typed, "12,50 zł")])
    badge, lines = (printed_lines(job) for job in memory_sim.jobs[-2:])
    assert on_paper in badge
    assert lines[0] == f"Vizitator: {on_paper}"
    assert lines[1].startswith(on_paper) and lines[1].endswith("12,50 zł")
    assert "?" not in "".join(badge + lines)
    for job in memory_sim.jobs:
        assert_clean(job)


def test_letters_no_code_page_has_are_printed_as_an_image():
    # The "simple" profile knows CP437 only: no Ł, Ż, ł.
    config = printer_config("file", profile="simple", device="/dev/null")
    data = printer_for(config).render([Text("Łucja Żółkiewska", align="center"), Text("Plain")])
    from frontdesk.devices.printer.simulator import EscPosMachine

    machine = EscPosMachine(profile="simple")
    machine.feed(data)
    assert_clean(machine)
    image, plain = machine.elements
    assert isinstance(image, RasterImage) and image.image.width == 42 * 12
    assert image.image.convert("L").getextrema()[0] == 0  # something is drawn
    assert isinstance(plain, TextLine) and plain.text == "Plain"


def test_control_bytes_in_a_visitor_name_cannot_reach_the_printer(memory_sim):
    evil = "Mallory\x1dV\x00\x1bp\x00\x19\xfa\x1b@\x10\x04\x01 Smith"
    printer_in_memory(memory_sim).print_document(sample_badge(evil))
    job = memory_sim.last_job()
    assert_clean(job)
    assert not any(isinstance(e, DrawerKick) for e in job.elements)
    assert [e for e in job.elements if isinstance(e, Cut)] == [job.elements[-1]]
    assert "MalloryVp" in "".join(printed_lines(job))


@pytest.mark.parametrize("profile, columns", [("TM-T20II", 48), ("POS-5890", 32)])
def test_layout_follows_the_paper_width(profile, columns):
    simulator = MemoryPrinterSimulator(profile)
    printer = printer_in_memory(simulator, profile=profile)
    printer.print_document(sample_receipt(lines=20))
    job = simulator.last_job()
    assert_clean(job)
    assert printer.columns == columns
    amounts = [line for line in printed_lines(job) if line.rstrip().endswith("RON")]
    assert len(amounts) >= 20 and all(len(line) == columns for line in amounts), amounts


def test_status_reports_each_condition(memory_sim):
    printer = printer_in_memory(memory_sim)
    assert printer.status().reasons == ()
    cases = [
        ({"paper": "near_end"}, ("paper_near_end",), "warning"),
        ({"paper": "out"}, ("paper_out",), "error"),
        ({"cover_open": True}, ("cover_open",), "error"),
        ({"error": "cutter"}, ("cutter_error",), "error"),
        ({"online": False}, ("offline",), "error"),
    ]
    for change, reasons, health in cases:
        for key, value in change.items():
            setattr(memory_sim.state, key, value)
        status = printer.status()
        assert (status.reasons, status.health) == (reasons, health), change
        memory_sim.state.paper, memory_sim.state.cover_open = "ok", False
        memory_sim.state.error, memory_sim.state.online = None, True


def test_a_printer_that_never_answers_is_unknown_not_fine(memory_sim):
    memory_sim.state.answers_status = False
    printer = printer_in_memory(memory_sim)
    status = printer.status()
    assert (status.paper, status.reasons, status.health) == ("unknown", ("no_status",), "warning")
    receipt = sample_receipt()
    result = printer.print_document(receipt)
    assert not result.confirmed
    job = memory_sim.last_job()
    assert printed_lines(job)
    # One unanswered query is enough: the driver does not ask the other three.
    assert bytes(job.received) == b"\x10\x04\x01" + printer.render(receipt) + b"\x10\x04\x01"


@pytest.mark.parametrize(
    "change, error",
    [({"paper": "out"}, PaperOut), ({"cover_open": True}, CoverOpen), ({"error": "unrecoverable"}, PrinterFault)],
)
def test_a_printer_that_cannot_print_refuses_the_job_before_sending_it(memory_sim, change, error):
    for key, value in change.items():
        setattr(memory_sim.state, key, value)
    with pytest.raises(error, match="'desk'.*Nothing was printed"):
        printer_in_memory(memory_sim).print_document(sample_receipt())
    job = memory_sim.last_job()
    assert job.elements == [] and job.dropped_bytes == 0
    assert bytes(job.received) == ALL_QUERIES  # asked, and nothing sent after the answer


def test_unplugged_mid_document_is_a_clear_error(memory_sim):
    memory_sim.state.drops_after = 600
    with pytest.raises(PrinterUnreachable, match=r"printer 'desk' \(in memory\): connection lost while sending"):
        printer_in_memory(memory_sim).print_document(sample_receipt(lines=20))
    assert len(memory_sim.last_job().received) == 600


def test_a_printer_that_is_gone_is_a_clear_error_not_a_hang(memory_sim):
    memory_sim.unplug()
    printer = printer_in_memory(memory_sim)
    with pytest.raises(PrinterUnreachable, match="cannot connect"):
        printer.print_document(sample_receipt())
    assert printer.status().reasons == ("unreachable",)
    memory_sim.plug()
    assert printer.status().reasons == ()


def test_paper_running_out_during_a_job_is_not_confirmed(memory_sim):
    printer = printer_in_memory(memory_sim)
    memory_sim.state.paper = "near_end"
    assert printer.print_document(sample_receipt()).status.reasons == ("paper_near_end",)
    memory_sim.state.paper_left = 500  # the roll ends part-way through the next receipt
    with pytest.raises(PrintNotConfirmed, match="out of paper.*print it again"):
        printer.print_document(sample_receipt())
    job = memory_sim.last_job()
    assert job.dropped_bytes > 0 and memory_sim.state.paper == "out"


@pytest.mark.parametrize("profile", ["TM-T20II", "POS-5890"])
def test_barcodes_in_hardware_or_drawn_when_the_printer_has_none(profile):
    from frontdesk.devices.printer.documents import Receipt
    from frontdesk.devices.printer.simulator import Barcode as PrintedBarcode

    kind = PrintedBarcode if profile == "TM-T20II" else RasterImage
    simulator = MemoryPrinterSimulator(profile)
    receipt = sample_receipt(number="R-2026-0042")
    with_barcode = Receipt(**{**receipt.__dict__, "barcode": True, "qr_payload": None})
    printer_in_memory(simulator, profile=profile).print_document(with_barcode)
    job = simulator.last_job()
    assert_clean(job)
    codes = [e for e in job.elements if isinstance(e, kind)]
    assert codes, profile
    if kind is PrintedBarcode:
        assert codes[0].data == "R-2026-0042" and codes[0].symbology == "CODE128"


def test_cash_drawer_kick(memory_sim):
    printer_in_memory(memory_sim, drawer_pin=2).open_drawer()
    job = memory_sim.last_job()
    assert_clean(job)
    (kick,) = job.elements
    assert isinstance(kick, DrawerKick) and kick.pin == 2


def test_cash_drawer_not_configured_is_refused(memory_sim):
    with pytest.raises(PrinterError, match="no cash drawer configured; set drawer_pin"):
        printer_in_memory(memory_sim).open_drawer()
    assert memory_sim.jobs == []


def test_badge_needs_a_time_zone_and_a_name():
    with pytest.raises(ValueError, match="time zone"):
        Badge(number="V-1", visitor_name="Ann", signed_in_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="name"):
        Badge(number="V-1", visitor_name="  ", signed_in_at=datetime.now(timezone.utc))
