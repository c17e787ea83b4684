"""The documents the print commands become (their requests are contract/commands.py).

A job stores its validated request (with the time it was taken), so a reprint
after a crash is the same document with the same receipt number and time.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from frontdesk.devices.printer.documents import Badge, Listing, Receipt, ReceiptItem


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
