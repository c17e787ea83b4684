"""Print requests are refused at the door for what would stop them printing (issue 14).

The request models and the documents use one set of text rules (devices/printer/text.py),
so whatever the models accept, the documents take, and a queued job prints.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError

from frontdesk.agent.commands import Commands
from frontdesk.agent.print_requests import badge_from, listing_from, stored
from frontdesk.contract.commands import BadgeRequest, ListRequest, ReceiptRequest
from frontdesk.agent.runtime import Devices
from frontdesk.contract import mqtt as contract
from frontdesk.devices.printer.documents import Badge, Listing, Receipt, ReceiptItem

BLANK = [" ", "   ", "\t\n", "\r\n\t ", "\u00a0", "\u200b", "\ufeff\u200d", "\u3000"]
NOW = datetime(2026, 5, 14, 9, 41, tzinfo=timezone.utc)

RECEIPT = {"items": [{"description": "Copies A4", "unit_price": "0.50"}], "payment_method": "card"}
BADGE = {"visitor_name": "Ana Pop", "badge_number": "017"}
LISTING = {"title": "EVACUARE", "lines": ["09:02 Ana Pop"]}


def receipt_with(**item) -> dict:
    return {**RECEIPT, "items": [{**RECEIPT["items"][0], **item}]}


# Each text a document cannot do without: (the command, its request with that text, where).
REQUIRED = [
    ("print_receipt", lambda text: receipt_with(description=text), "items.0.description"),
    ("print_receipt", lambda text: {**RECEIPT, "payment_method": text}, "payment_method"),
    ("print_badge", lambda text: {**BADGE, "visitor_name": text}, "visitor_name"),
    ("print_badge", lambda text: {**BADGE, "badge_number": text}, "badge_number"),
    ("print_list", lambda text: {**LISTING, "title": text}, "title"),
]


@pytest.fixture
def commands(tmp_path) -> Commands:
    return Commands(Devices(), "usps", tmp_path)


@pytest.mark.parametrize("text", BLANK)
@pytest.mark.parametrize("name, request_with, field", REQUIRED)
def test_text_a_document_needs_is_refused_when_nothing_of_it_would_print(commands, name, request_with, field, text):
    reply = commands.handle(name, json.dumps(request_with(text)).encode())
    assert reply["error"]["code"] == contract.INVALID_REQUEST, reply
    assert reply["error"]["message"] == f"{field}: has nothing to print: it is empty, or only spaces and invisible characters"


@pytest.mark.parametrize("text", BLANK)
def test_the_documents_refuse_the_same_blank_text(text):
    """The rule the door applies is the one the document builder relies on."""
    with pytest.raises(ValueError, match="visitor's name"):
        Badge(number="017", visitor_name=text, signed_in_at=NOW)
    with pytest.raises(ValueError, match="its number"):
        Badge(number=text, visitor_name="Ana", signed_in_at=NOW)
    with pytest.raises(ValueError, match="title"):
        Listing(title=text, lines=(), printed_at=NOW)
    with pytest.raises(ValueError, match="description"):
        ReceiptItem(text, Decimal(1))
    with pytest.raises(ValueError, match="payment method"):
        Receipt(number="R-1", items=(ReceiptItem("Copies", Decimal(1)),), payment_method=text, issued_at=NOW)


@pytest.mark.parametrize("control", ["\x1b", "\x1bp\x00\x19\xfa", "\x1dV\x00", "\x00", "\x7f", "\x9b", "\x0c"])
@pytest.mark.parametrize("name, request_with, field", [
    *REQUIRED,
    ("print_badge", lambda text: {**BADGE, "company": text}, "company"),
    ("print_badge", lambda text: {**BADGE, "host": text}, "host"),
    ("print_badge", lambda text: {**BADGE, "signout_code": text}, "signout_code"),
    ("print_list", lambda text: {**LISTING, "lines": ["ok", text]}, "lines.1"),
    ("print_list", lambda text: {**LISTING, "footer": text}, "footer"),
])
def test_control_characters_are_refused_and_the_reply_says_so(commands, name, request_with, field, control):
    reply = commands.handle(name, json.dumps(request_with(f"Ana {control}Pop")).encode())
    message = reply["error"]["message"]
    assert reply["error"]["code"] == contract.INVALID_REQUEST, reply
    assert message.startswith(f"{field}: holds U+{ord(control[0]):04X}") and "refused rather than printed" in message


def test_tabs_and_line_breaks_in_a_name_are_printed_as_single_spaces():
    request = BadgeRequest.model_validate({**BADGE, "visitor_name": " Ana\tMaria\r\nPop ", "company": "Exemplu  SRL"})
    assert request.visitor_name == "Ana Maria Pop" and request.company == "Exemplu SRL"


@pytest.mark.parametrize("text", ["", *BLANK])
def test_blank_optional_text_counts_as_not_given(text):
    badge = BadgeRequest.model_validate({**BADGE, "company": text, "host": text, "signout_code": text})
    assert (badge.company, badge.host, badge.signout_code) == (None, None, None)
    assert ListRequest.model_validate({**LISTING, "footer": text}).footer is None
    document = badge_from(json.loads(json.dumps(stored(badge, NOW))))
    assert document.signout_code is None  # so the QR code carries the badge number


def test_blank_lines_of_a_list_stay_gaps():
    request = ListRequest.model_validate({**LISTING, "lines": ["Ana", "", " ", "Ion"]})
    assert request.lines == ["Ana", "", "", "Ion"]
    assert listing_from(json.loads(json.dumps(stored(request, NOW)))).lines == ("Ana", "", "", "Ion")


def test_lengths_count_what_was_sent():
    with pytest.raises(ValidationError, match="at most 120 characters"):
        BadgeRequest.model_validate({**BADGE, "visitor_name": "Ana" + " " * 200})
    with pytest.raises(ValidationError, match="at most 200 characters"):
        ListRequest.model_validate({**LISTING, "lines": ["x" * 201]})


def test_letters_of_any_script_are_taken():
    """No code page has them all: the printer draws those lines as images (see compose.py)."""
    request = ReceiptRequest.model_validate(receipt_with(description="李小龍 😀 Ωμέγα ș"))
    assert request.items[0].description == "李小龍 😀 Ωμέγα ș"


def test_a_badge_with_a_blank_sign_out_code_still_gets_its_qr_code():
    from frontdesk.devices.printer.blocks import QrCode
    from frontdesk.contract.config import OfficeConfig

    badge = Badge(number="017", visitor_name="Ana", signed_in_at=NOW, signout_code=" \u200b")
    codes = [block for block in badge.blocks(OfficeConfig()) if isinstance(block, QrCode)]
    assert [code.payload for code in codes] == ["017"]


def test_the_longest_sign_out_code_fits_narrow_paper_as_a_smaller_qr_code():
    """A POS-5890 (58 mm, 384 dots) has no QR engine: the code is drawn, and at its usual
    module size a 200-character code was wider than the paper (ImageWidthError)."""
    from frontdesk.devices.printer import ReceiptPrinter
    from testbed import printer_config

    config = printer_config("network", "POS-5890", host="x")
    request = BadgeRequest.model_validate({**BADGE, "signout_code": "ș" * 200})
    assert ReceiptPrinter(config.printer[0], config.office).render(badge_from(json.loads(json.dumps(stored(request, NOW)))))
