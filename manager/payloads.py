"""The shapes of the MQTT payloads the manager stores, checked before anything is written.

Extra fields are allowed (the contract may grow: a newer agent must not be refused),
missing keys and wrong types are not. Times must carry a time zone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

__all__ = ["PayloadError", "check", "event", "ledger", "state", "visit"]

Text = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Amount = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]


class PayloadError(ValueError):
    """A payload that does not follow the contract; the message says which field."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class State(_Payload):
    device: Text
    kind: Text
    health: Literal["ok", "warning", "error", "offline"]
    reasons: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]]
    since: AwareDatetime


class Event(_Payload):
    event: Text
    at: AwareDatetime
    id: Text


class Receipt(_Payload):
    event: Literal["receipt_issued"]
    id: Text
    at: AwareDatetime
    number: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    total: Amount
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    payment_method: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    items: Annotated[int, Field(ge=0)]


class MailEntry(_Payload):
    event: Literal["mail_recorded"]
    id: Text
    at: AwareDatetime
    entry: Text
    carrier: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    mail_class: Text
    destination: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    grams: Annotated[float, Field(ge=0)]
    price: Amount
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class SignedIn(_Payload):
    event: Literal["signed_in"]
    id: Text
    visit: Text
    at: AwareDatetime
    signed_in_at: AwareDatetime
    pre_registered: bool = False
    language: Annotated[str, StringConstraints(max_length=8)] | None = None
    purpose: Text | None = None


class SignedOut(_Payload):
    event: Literal["signed_out"]
    id: Text
    visit: Text
    at: AwareDatetime
    signed_in_at: AwareDatetime
    duration_seconds: Annotated[float, Field(ge=0)]


_LEDGER = {"receipt_issued": Receipt, "mail_recorded": MailEntry}
_VISITS = {"signed_in": SignedIn, "signed_out": SignedOut}


def _validate(model: type[_Payload], payload: Any) -> Any:
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "payload"
        raise PayloadError(f"{where}: {first['msg']}") from None


def _pick(table: dict[str, type[_Payload]], payload: Any) -> type[_Payload]:
    if not isinstance(payload, dict):
        raise PayloadError(f"expected a JSON object, got {type(payload).__name__}")
    name = payload.get("event")
    if name not in table:
        raise PayloadError(f"event: {name!r} is not one of {', '.join(table)}")
    return table[name]


def state(payload: Any) -> State:
    return _validate(State, payload)


def event(payload: Any) -> Event:
    return _validate(Event, payload)


def ledger(payload: Any) -> Receipt | MailEntry:
    return _validate(_pick(_LEDGER, payload), payload)


def visit(payload: Any) -> SignedIn | SignedOut:
    return _validate(_pick(_VISITS, payload), payload)


_CHECKS = {"state": state, "event": event, "ledger": ledger, "visit": visit}


def check(kind: str, payload: Any) -> Any:
    """The typed payload of a message of this kind; PayloadError when it breaks the contract."""
    return _CHECKS[kind](payload)
