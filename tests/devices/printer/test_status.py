"""Decoding DLE EOT replies: unknown is never reported as fine."""

import pytest

from frontdesk.devices.printer.status import PrinterStatus, StatusQuery, is_status_byte

Q = StatusQuery
FINE = {Q.PRINTER: 0x12, Q.OFFLINE_CAUSE: 0x12, Q.ERROR_CAUSE: 0x12, Q.PAPER_SENSOR: 0x12}


def test_a_printer_that_answers_fine_is_ready():
    status = PrinterStatus.from_replies(FINE)
    assert (status.health, status.reasons, status.paper, status.ready) == ("ok", (), "ok", True)


def test_no_answer_is_unknown_not_paper_ok():
    status = PrinterStatus.from_replies({})
    assert status.paper == "unknown" and status.online is None
    assert status.reasons == ("no_status",) and status.health == "warning"
    assert not status.ready


def test_unreachable_is_offline():
    status = PrinterStatus(reachable=False)
    assert (status.health, status.reasons) == ("offline", ("unreachable",))
    assert "cannot be reached" in status.describe()


@pytest.mark.parametrize(
    "replies, reasons, health",
    [
        ({Q.PAPER_SENSOR: 0x1E}, ("paper_near_end",), "warning"),
        ({Q.PAPER_SENSOR: 0x7E, Q.PRINTER: 0x1A, Q.OFFLINE_CAUSE: 0x32}, ("paper_out",), "error"),
        ({Q.PRINTER: 0x1A, Q.OFFLINE_CAUSE: 0x16}, ("cover_open",), "error"),
        ({Q.PRINTER: 0x1A, Q.OFFLINE_CAUSE: 0x52, Q.ERROR_CAUSE: 0x1A}, ("cutter_error",), "error"),
        ({Q.PRINTER: 0x1A, Q.ERROR_CAUSE: 0x32}, ("unrecoverable_error",), "error"),
        ({Q.PRINTER: 0x1A, Q.OFFLINE_CAUSE: 0x12, Q.ERROR_CAUSE: 0x12, Q.PAPER_SENSOR: 0x12}, ("offline",), "error"),
    ],
)
def test_each_condition_maps_to_one_reason(replies, reasons, health):
    status = PrinterStatus.from_replies({**FINE, **replies})
    assert (status.reasons, status.health) == (reasons, health)


def test_drawer_signal_is_reported():
    assert PrinterStatus.from_replies({**FINE, Q.PRINTER: 0x16}).drawer_open is True


@pytest.mark.parametrize("value, valid", [(0x12, True), (0x7E, True), (0x00, False), (0xFF, False), (0x13, False), (0x92, False)])
def test_only_bytes_with_the_fixed_bits_are_status_replies(value, valid):
    assert is_status_byte(value) is valid


def test_as_dict_is_json_ready():
    data = PrinterStatus.from_replies(FINE).as_dict()
    assert data["health"] == "ok" and data["checked_at"].endswith("+00:00")
