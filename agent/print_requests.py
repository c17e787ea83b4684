"""What the print commands ask for, validated, and the documents they become.

A job stores its validated request (with the time it was taken), so a reprint
after a crash is the same document with the same receipt number and time.

Text is checked here with the rules the documents check again when a job prints
(devices/printer/text.py): control characters are refused, not stripped; text
with nothing printable is refused where it is needed and dropped where it is
optional; what is stored is the text as it prints (whitespace made single spaces).
So a job accepted here can always be rendered.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from devices.printer.documents import Badge, Listing, Receipt, ReceiptItem
from devices.printer.text import is_blank, refused_characters, sanitize

Language = Literal["en", "ro", "de", "fr", "pl"]


def _printable(value: str) -> str:
    if found := refused_characters(value):
        names = ", ".join(f"U+{ord(char):04X}" for char in found[:5])
        raise PydanticCustomError(
            "control_character",
            "holds {names}, refused rather than printed: a printer takes control characters as "
            "commands (and a lone surrogate is no character); send the text without them",
            {"names": names})
    return sanitize(value)


def _required(value: str) -> str:
    if is_blank(value):
        raise PydanticCustomError("blank", "has nothing to print: it is empty, or only spaces and invisible characters")
    return value


def _or_none(value: str) -> str | None:
    return None if is_blank(value) else value


# Field constraints first, then these: lengths count what was sent, not what is left.
PRINTABLE = AfterValidator(_printable)
NOT_BLANK = AfterValidator(_required)
BLANK_IS_NONE = AfterValidator(_or_none)  # for text a document prints only if there is some


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Item(Strict):
    description: Annotated[str, Field(min_length=1, max_length=200), PRINTABLE, NOT_BLANK]
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    quantity: Decimal = Field(default=Decimal(1), gt=0, max_digits=9, decimal_places=3)


class ReceiptRequest(Strict):
    request_id: str | None = Field(default=None, max_length=128)
    printer: str | None = None
    items: list[Item] = Field(min_length=1, max_length=100)
    payment_method: Annotated[str, Field(min_length=1, max_length=40), PRINTABLE, NOT_BLANK]
    language: Language | None = None
    wait: float = Field(default=10.0, ge=0, le=60, description="seconds to wait for the printout")


class BadgeRequest(Strict):
    request_id: str | None = Field(default=None, max_length=128)
    printer: str | None = None
    visitor_name: Annotated[str, Field(min_length=1, max_length=120), PRINTABLE, NOT_BLANK]
    company: Annotated[str, Field(max_length=120), PRINTABLE, BLANK_IS_NONE] | None = None
    host: Annotated[str, Field(max_length=120), PRINTABLE, BLANK_IS_NONE] | None = None
    badge_number: Annotated[str, Field(min_length=1, max_length=40), PRINTABLE, NOT_BLANK]
    # Printed as a QR code; Composer shrinks its modules to fit narrow paper.
    signout_code: Annotated[str, Field(max_length=200), PRINTABLE, BLANK_IS_NONE] | None = None
    language: Language | None = None
    wait: float = Field(default=10.0, ge=0, le=60)


class ListRequest(Strict):
    """A plain list (the kiosk's evacuation list): no number, no prices, not a receipt."""

    request_id: str | None = Field(default=None, max_length=128)
    printer: str | None = None
    title: Annotated[str, Field(min_length=1, max_length=80), PRINTABLE, NOT_BLANK]
    lines: list[Annotated[str, Field(max_length=200), PRINTABLE]] = Field(max_length=500)  # a blank one is a gap
    footer: Annotated[str, Field(max_length=200), PRINTABLE, BLANK_IS_NONE] | None = None
    language: Language | None = None
    wait: float = Field(default=10.0, ge=0, le=60)


class DrawerRequest(Strict):
    request_id: str | None = Field(default=None, max_length=128)
    printer: str | None = None
    wait: float = Field(default=10.0, ge=0, le=60)


def stored(request: BaseModel, taken_at: datetime) -> dict:
    """The request as the job keeps it: JSON-ready, with the moment it was taken."""
    return {**request.model_dump(mode="json", exclude={"wait", "request_id", "printer"}), "taken_at": taken_at.isoformat()}


def receipt_from(stored_request: dict, number: str) -> Receipt:
    items = tuple(ReceiptItem(i["description"], Decimal(i["unit_price"]), Decimal(i["quantity"]))
                  for i in stored_request["items"])
    return Receipt(number=number, items=items, payment_method=stored_request["payment_method"],
                   issued_at=datetime.fromisoformat(stored_request["taken_at"]), language=stored_request["language"],
                   qr_payload=f"frontdesk:receipt:{number}")


def listing_from(stored_request: dict) -> Listing:
    return Listing(title=stored_request["title"], lines=tuple(stored_request["lines"]),
                   printed_at=datetime.fromisoformat(stored_request["taken_at"]), footer=stored_request["footer"],
                   language=stored_request["language"])


def badge_from(stored_request: dict) -> Badge:
    return Badge(number=stored_request["badge_number"], visitor_name=stored_request["visitor_name"],
                 signed_in_at=datetime.fromisoformat(stored_request["taken_at"]), company=stored_request["company"],
                 host=stored_request["host"], language=stored_request["language"],
                 signout_code=stored_request["signout_code"])


def receipt_record(stored_request: dict, number: str, office) -> dict:
    """What the manager learns of a receipt: number, total, method; never the items' text."""
    items = stored_request["items"]
    total = sum((Decimal(i["unit_price"]) * Decimal(i["quantity"]) for i in items), Decimal(0))
    return {"number": number, "total": str(total.quantize(Decimal("0.01"))),
            "currency": office.currency if office is not None else "EUR",
            "payment_method": stored_request["payment_method"], "items": len(items)}
