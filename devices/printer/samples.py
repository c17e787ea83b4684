"""Sample documents for test prints, the demo and the benchmarks."""

from __future__ import annotations

from decimal import Decimal

from frontdesk.contract import clock
from frontdesk.devices.printer.documents import Badge, Receipt, ReceiptItem


def sample_receipt(language: str | None = None, number: str = "TEST-000001", lines: int = 4) -> Receipt:
    catalogue = [
        ReceiptItem("Copies A4, colour", Decimal("0.50"), Decimal(12)),
        ReceiptItem("Registered letter, domestic", Decimal("9.75")),
        ReceiptItem("Envelopes C4 (pack)", Decimal("4.20"), Decimal(2)),
        ReceiptItem("Coffee for visitors", Decimal("2.00"), Decimal(3)),
    ]
    items = tuple(catalogue[i % len(catalogue)] for i in range(lines))
    return Receipt(
        number=number,
        items=items,
        payment_method="card",
        issued_at=clock.now(),
        language=language,
        qr_payload=f"frontdesk:receipt:{number}",
    )


def sample_badge(name: str, language: str | None = None, number: str = "V-0001") -> Badge:
    return Badge(
        number=number,
        visitor_name=name,
        company="Exemplu SRL",
        host="Zoë Brândușa",
        signed_in_at=clock.now(),
        language=language,
        signout_code=f"frontdesk:signout:{number}",
    )
