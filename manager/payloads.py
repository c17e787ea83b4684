"""The shapes of the MQTT payloads the manager stores, checked before anything is written.

Extra fields are allowed (the contract may grow: a newer agent must not be refused),
missing keys and wrong types are not. Times must carry a time zone.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
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
    started_at: AwareDatetime | None = None  # left the welcome screen; absent from older kiosks

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


class SignedOut(_Payload):
    event: Literal["signed_out"]
    id: Text
    visit: Text
    at: AwareDatetime
    signed_in_at: AwareDatetime
    duration_seconds: Annotated[float, Field(ge=0)]


class BadgePrinted(_Payload):
    event: Literal["badge_printed"]
    id: Text
    visit: Text
    at: AwareDatetime
    signed_in_at: AwareDatetime
    printed_at: AwareDatetime
    waited_seconds: Annotated[float, Field(ge=0, allow_inf_nan=False)]


class SignInAbandoned(_Payload):
    event: Literal["sign_in_abandoned"]
    id: Text
    at: AwareDatetime
    started_at: AwareDatetime
    seconds: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    step: Text


_LEDGER = {"receipt_issued": Receipt, "mail_recorded": MailEntry}
_VISITS = {"signed_in": SignedIn, "signed_out": SignedOut, "badge_printed": BadgePrinted,
           "sign_in_abandoned": SignInAbandoned}


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


def visit(payload: Any) -> SignedIn | SignedOut | BadgePrinted | SignInAbandoned:
    return _validate(_pick(_VISITS, payload), payload)


_CHECKS = {"state": state, "event": event, "ledger": ledger, "visit": visit}


def check(kind: str, payload: Any) -> Any:
    """The typed payload of a message of this kind; PayloadError when it breaks the contract."""
    return _CHECKS[kind](payload)
