"""ReceiptPrinter against the simulator over real TCP, a pty and a file."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from testbed import printer_config

from devices.printer import (
    CoverOpen,
    PaperOut,
    PrinterError,
    PrinterFault,
    PrinterUnreachable,
    PrintNotConfirmed,
    ReceiptPrinter,
)
from devices.printer.blocks import Columns, Text
from devices.printer.documents import Badge
from devices.printer.samples import sample_badge, sample_receipt
from devices.printer.simulator import Cut, DrawerKick, Qr, RasterImage, TextLine, decode_file

NAMES = {
    # what the visitor typed -> what must be on paper (TM-T20II has no comma-below ș ț)
    "Ștefan Țăranu": "Ştefan Ţăranu",
    "Łucja Żółkiewska": "Łucja Żółkiewska",
    "Jürgen Weiß": "Jürgen Weiß",
    "Françoise Lefèvre": "Françoise Lefèvre",
}


def printer_for(config) -> ReceiptPrinter:
    return ReceiptPrinter(config.printer[0], config.office)


def printed_lines(job) -> list[str]:
    return [element.text for element in job.elements if isinstance(element, TextLine)]


def assert_clean(job):
    assert job.errors == [], job.errors
    assert job.overflows == [], job.overflows


def test_sample_receipt_prints_cleanly_and_is_confirmed(printer_sim, network_config):
    result = printer_for(network_config).print_document(sample_receipt())
    job = printer_sim.wait_for_jobs(1)[-1]
    assert_clean(job)
    assert result.confirmed and result.status.health == "ok"
    lines = printed_lines(job)
    assert "Exemplu SRL" in lines and "Strada Ştefan cel Mare 12" in lines
    total = next(line for line in lines if line.startswith("TOTAL"))
    assert total.endswith("RON") and len(total) == 48, total
    assert any(isinstance(e, Qr) and e.payload == "frontdesk:receipt:TEST-000001" for e in job.elements)
    assert isinstance(job.elements[-1], Cut)


@pytest.mark.parametrize("typed, on_paper", NAMES.items())
def test_every_letter_of_the_five_languages_reaches_paper(printer_sim, network_config, typed, on_paper):
    printer = printer_for(network_config)
    printer.print_document(sample_badge(typed, language="ro"))
    printer.print_document([Text(f"Vizitator: {typed}"), Columns(typed, "12,50 zł")])
    badge, lines = (printed_lines(job) for job in printer_sim.wait_for_jobs(2)[-2:])
    assert on_paper in badge
    assert lines[0] == f"Vizitator: {on_paper}"
    assert lines[1].startswith(on_paper) and lines[1].endswith("12,50 zł")
    assert "?" not in "".join(badge + lines)
    for job in printer_sim.jobs:
        assert_clean(job)


def test_letters_no_code_page_has_are_printed_as_an_image():
    # The "simple" profile knows CP437 only: no Ł, Ż, ł.
    config = printer_config("file", profile="simple", device="/dev/null")
    data = printer_for(config).render([Text("Łucja Żółkiewska", align="center"), Text("Plain")])
    from devices.printer.simulator import EscPosMachine

    machine = EscPosMachine(profile="simple")
    machine.feed(data)
    assert_clean(machine)
    image, plain = machine.elements
    assert isinstance(image, RasterImage) and image.image.width == 42 * 12
    assert image.image.convert("L").getextrema()[0] == 0  # something is drawn
    assert isinstance(plain, TextLine) and plain.text == "Plain"


def test_control_bytes_in_a_visitor_name_cannot_reach_the_printer(printer_sim, network_config):
    evil = "Mallory\x1dV\x00\x1bp\x00\x19\xfa\x1b@\x10\x04\x01 Smith"
    printer_for(network_config).print_document(sample_badge(evil))
    job = printer_sim.wait_for_jobs(1)[-1]
    assert_clean(job)
    assert not any(isinstance(e, DrawerKick) for e in job.elements)
    assert [e for e in job.elements if isinstance(e, Cut)] == [job.elements[-1]]
    assert "MalloryVp" in "".join(printed_lines(job))


def test_layout_follows_the_paper_width(tmp_path):
    for profile, columns in (("TM-T20II", 48), ("POS-5890", 32)):
        config = printer_config("file", profile=profile, device=tmp_path / f"{profile}.prn")
        printer = printer_for(config)
        printer.print_document(sample_receipt(lines=20))
        job = decode_file(tmp_path / f"{profile}.prn", profile)
        assert_clean(job)
        assert printer.columns == columns
        amounts = [line for line in printed_lines(job) if line.rstrip().endswith("RON")]
        assert len(amounts) >= 20 and all(len(line) == columns for line in amounts), amounts


def test_status_reports_each_condition(printer_sim, network_config):
    printer = printer_for(network_config)
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
            setattr(printer_sim.state, key, value)
        status = printer.status()
        assert (status.reasons, status.health) == (reasons, health), change
        printer_sim.state.paper, printer_sim.state.cover_open = "ok", False
        printer_sim.state.error, printer_sim.state.online = None, True


def test_a_printer_that_never_answers_is_unknown_not_fine(printer_sim, network_config):
    printer_sim.state.answers_status = False
    printer = printer_for(network_config)
    status = printer.status()
    assert (status.paper, status.reasons, status.health) == ("unknown", ("no_status",), "warning")
    result = printer.print_document(sample_receipt())
    assert not result.confirmed
    assert printed_lines(printer_sim.wait_for_jobs(2)[-1])


@pytest.mark.parametrize(
    "change, error",
    [({"paper": "out"}, PaperOut), ({"cover_open": True}, CoverOpen), ({"error": "unrecoverable"}, PrinterFault)],
)
def test_a_printer_that_cannot_print_refuses_the_job_before_sending_it(printer_sim, network_config, change, error):
    for key, value in change.items():
        setattr(printer_sim.state, key, value)
    with pytest.raises(error, match="'desk'.*Nothing was printed"):
        printer_for(network_config).print_document(sample_receipt())
    job = printer_sim.wait_for_jobs(1)[-1]
    assert job.elements == [] and job.dropped_bytes == 0


def test_unplugged_mid_document_is_a_clear_error(printer_sim, network_config):
    printer_sim.state.drops_after = 600
    with pytest.raises(PrinterUnreachable, match=r"printer 'desk' \(127\.0\.0\.1:\d+\)"):
        printer_for(network_config).print_document(sample_receipt(lines=20))


def test_nothing_listening_is_a_clear_error_not_a_hang(printer_sim, network_config):
    printer_sim.stop()  # the port stays in network_config, now with nobody behind it
    printer = printer_for(network_config)
    with pytest.raises(PrinterUnreachable, match="cannot connect"):
        printer.print_document(sample_receipt())
    assert printer.status().reasons == ("unreachable",)


def test_paper_running_out_during_a_job_is_not_confirmed(printer_sim, network_config):
    printer = printer_for(network_config)
    printer_sim.state.paper = "near_end"
    assert printer.print_document(sample_receipt()).status.reasons == ("paper_near_end",)
    printer_sim.state.paper_left = 500  # the roll ends part-way through the next receipt
    with pytest.raises(PrintNotConfirmed, match="out of paper.*print it again"):
        printer.print_document(sample_receipt())
    job = printer_sim.wait_for_jobs(2)[-1]
    assert job.dropped_bytes > 0 and printer_sim.state.paper == "out"


def test_barcodes_in_hardware_or_drawn_when_the_printer_has_none(tmp_path):
    from devices.printer.simulator import Barcode as PrintedBarcode
    from devices.printer.documents import Receipt

    for profile, kind in (("TM-T20II", PrintedBarcode), ("POS-5890", RasterImage)):
        config = printer_config("file", profile=profile, device=tmp_path / "out.prn")
        receipt = sample_receipt(number="R-2026-0042")
        with_barcode = Receipt(**{**receipt.__dict__, "barcode": True, "qr_payload": None})
        printer_for(config).print_document(with_barcode)
        job = decode_file(tmp_path / "out.prn", profile)
        assert_clean(job)
        codes = [e for e in job.elements if isinstance(e, kind)]
        assert codes, profile
        if kind is PrintedBarcode:
            assert codes[0].data == "R-2026-0042" and codes[0].symbology == "CODE128"


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


def test_cash_drawer_kick(printer_sim):
    config = printer_config("network", host="127.0.0.1", port=printer_sim.port, drawer_pin=2, status_timeout=0.3)
    printer_for(config).open_drawer()
    job = printer_sim.wait_for_jobs(1)[-1]
    assert_clean(job)
    (kick,) = job.elements
    assert isinstance(kick, DrawerKick) and kick.pin == 2


def test_cash_drawer_not_configured_is_refused(network_config):
    with pytest.raises(PrinterError, match="no cash drawer configured; set drawer_pin"):
        printer_for(network_config).open_drawer()


def test_badge_needs_a_time_zone_and_a_name():
    with pytest.raises(ValueError, match="time zone"):
        Badge(number="V-1", visitor_name="Ann", signed_in_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="name"):
        Badge(number="V-1", visitor_name="  ", signed_in_at=datetime.now(timezone.utc))
