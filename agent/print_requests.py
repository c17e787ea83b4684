"""What the print commands ask for, validated, and the documents they become.

A job stores its validated request (with the time it was taken), so a reprint
after a crash is the same document with the same receipt number and time.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from devices.printer.documents import Badge, Listing, Receipt, ReceiptItem

Language = Literal["en", "ro", "de", "fr", "pl"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Item(Strict):
    description: str = Field(min_length=1, max_length=200)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    quantity: Decimal = Field(default=Decimal(1), gt=0, max_digits=9, decimal_places=3)


class ReceiptRequest(Strict):
    request_id: str | None = Field(default=None, max_length=128)
    printer: str | None = None
    items: list[Item] = Field(min_length=1, max_length=100)
    payment_method: str = Field(min_length=1, max_length=40)
    language: Language | None = None
    wait: float = Field(default=10.0, ge=0, le=60, description="seconds to wait for the printout")


class BadgeRequest(Strict):
    request_id: str | None = Field(default=None, max_length=128)
    printer: str | None = None
    visitor_name: str = Field(min_length=1, max_length=120)
    company: str | None = Field(default=None, max_length=120)
    host: str | None = Field(default=None, max_length=120)
    badge_number: str = Field(min_length=1, max_length=40)
    signout_code: str | None = Field(default=None, max_length=200)
    language: Language | None = None
    wait: float = Field(default=10.0, ge=0, le=60)


class ListRequest(Strict):
    """A plain list (the kiosk's evacuation list): no number, no prices, not a receipt."""

    request_id: str | None = Field(default=None, max_length=128)
    printer: str | None = None
    title: str = Field(min_length=1, max_length=80)
    lines: list[str] = Field(max_length=500)
    footer: str | None = Field(default=None, max_length=200)
    language: Language | None = None
    wait: float = Field(default=10.0, ge=0, le=60)

    @field_validator("lines")
    @classmethod
    def _short_lines(cls, lines: list[str]) -> list[str]:
        if any(len(line) > 200 for line in lines):
            raise ValueError("each line is at most 200 characters")
        return lines


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


def receipt_record(job, office) -> dict:
    """What the manager learns of a receipt: number, total, method; never the items' text."""
    items = job.request["items"]
    total = sum((Decimal(i["unit_price"]) * Decimal(i["quantity"]) for i in items), Decimal(0))
    return {"number": job.receipt_number, "total": str(total.quantize(Decimal("0.01"))),
            "currency": office.currency if office is not None else "EUR",
            "payment_method": job.request["payment_method"], "items": len(items)}
