"""Records for the books: the agent's `ledger`, the kiosk's `visits` and `visitors/arrivals`.

Ledger and visit records are events too (`event`, `id`, `at`; built with contract.mqtt.event)
and go through their sender's on-disk outbox, so the manager may get one twice (it drops
the repeat by `id`) or, for a visit's records, in any order. They carry no personal data:
no item descriptions, no staff or visitor names. `visitors/arrivals` is the one payload
with a visitor's name, for the host's notification; the manager never subscribes to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from frontdesk.contract.events import Event
from frontdesk.contract.payload import Amount, Currency, Payload, PayloadError, Seconds, Text, Time, parse

__all__ = ["LEDGER_RECORDS", "VISIT_RECORDS", "Arrival", "BadgePrinted", "MailEntry", "Receipt", "SignInAbandoned",
           "SignedIn", "SignedOut", "parse_arrival", "parse_ledger", "parse_visit"]

# The manager's history columns are this long (manager/history/schema.py).
Short = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class Receipt(Event):
    """A receipt was numbered: once per receipt, not again for a repeated request_id."""

    event: Literal["receipt_issued"]
    number: Short  # 2026-000042
    total: Amount
    currency: Currency
    payment_method: Short
    items: Annotated[int, Field(ge=0)]  # how many lines, not what they were


class MailEntry(Event):
    """A mail item was recorded in the agent's mail log."""

    event: Literal["mail_recorded"]
    entry: Text  # the mail log's id of it
    carrier: Short
    mail_class: Text
    destination: Short
    grams: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    price: Amount
    currency: Currency


class VisitRecord(Event):
    visit: Text  # an opaque id that ties one visit's records together
    signed_in_at: Time


class SignedIn(VisitRecord):
    event: Literal["signed_in"]
    pre_registered: bool = False  # came with an invitation code
    language: Annotated[str, StringConstraints(max_length=8)] | None = None
    purpose: Text | None = None
    # When the visitor left the welcome screen; None when not measured (absent from older kiosks).
    started_at: Time | None = None

    @field_validator("started_at")
    @classmethod
    def _not_after_the_sign_in(cls, started_at: datetime | None, info: ValidationInfo) -> datetime | None:
        signed_in_at = info.data.get("signed_in_at")  # absent when it was itself invalid
        if started_at is not None and signed_in_at is not None and started_at > signed_in_at:
            raise ValueError("must not be after signed_in_at")
        return started_at

    @property
    def sign_in_seconds(self) -> float | None:
        """How long the visitor took to sign in, from the welcome screen on."""
        return None if self.started_at is None else (self.signed_in_at - self.started_at).total_seconds()


class BadgePrinted(VisitRecord):
    """Sent once, when the badge is first confirmed printed."""

    event: Literal["badge_printed"]
    printed_at: Time
    waited_seconds: Seconds  # printed_at - signed_in_at


class SignedOut(VisitRecord):
    event: Literal["signed_out"]
    duration_seconds: Seconds


class SignInAbandoned(Event):
    """A started sign-in left to the idle reset: not a visit, and nothing the visitor typed."""

    event: Literal["sign_in_abandoned"]
    started_at: Time
    seconds: Seconds  # from started_at to the visitor's last touch
    step: Text  # the screen it was left on: name, company, host, purpose, field:<id>, policy, invitation


class Arrival(Payload):
    """`visitors/arrivals`: who arrived for whom, for the host's notification."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    company: str | None
    host: str | None
    host_email: str | None
    at: Time
    kiosk: Text
    language: Annotated[str, StringConstraints(max_length=8)]


LEDGER_RECORDS: dict[str, type[Event]] = {"receipt_issued": Receipt, "mail_recorded": MailEntry}
VISIT_RECORDS: dict[str, type[Event]] = {"signed_in": SignedIn, "signed_out": SignedOut,
                                         "badge_printed": BadgePrinted, "sign_in_abandoned": SignInAbandoned}


def _pick(table: dict[str, type[Event]], payload: Any) -> type[Event]:
    if not isinstance(payload, dict):
        raise PayloadError(f"expected a JSON object, got {type(payload).__name__}")
    name = payload.get("event")
    if not isinstance(name, str) or name not in table:
        raise PayloadError(f"event: {name!r} is not one of {', '.join(table)}")
    return table[name]


def parse_ledger(payload: Any) -> Receipt | MailEntry:
    return parse(_pick(LEDGER_RECORDS, payload), payload)


def parse_visit(payload: Any) -> SignedIn | BadgePrinted | SignedOut | SignInAbandoned:
    return parse(_pick(VISIT_RECORDS, payload), payload)


def parse_arrival(payload: Any) -> Arrival:
    return parse(Arrival, payload)
