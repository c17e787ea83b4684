"""What every MQTT payload model shares: the base class, the field types, building and parsing.

One model per payload (contract/states.py, events.py, records.py, results.py, replies.py).
A receiver parses with it (`parse`): extra fields are taken and kept, because a newer sender
may add some and must not be refused; a missing field, a wrong type or a time without a
time zone is a PayloadError that names the field. A sender builds with it (`build`), which
refuses a field the model does not have, so nothing leaves that the contract does not say:
a new field is added to the model (and docs/mqtt.md, tests/contract checks) first.

On the wire, times are ISO 8601 with their offset, amounts are strings of decimals ("12.50",
exact), and measurements (grams, seconds) are JSON numbers.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from frontdesk.contract.reasons import Reason

__all__ = [
    "Amount", "Code", "Currency", "Health", "Payload", "PayloadError", "ReasonCode", "Seconds", "Text", "Time",
    "build", "is_reason_code", "parse",
]

M = TypeVar("M", bound=BaseModel)


class PayloadError(ValueError):
    """A payload that does not follow the contract; the message says which field."""


class Payload(BaseModel):
    """Extra fields are allowed when parsing (a newer sender's) and refused by `build`."""

    model_config = ConfigDict(extra="allow", frozen=True)


def _iso(moment: datetime) -> str:
    # As precise as the time is, no more: `since` (whole seconds) and `now()` (milliseconds)
    # come out as they were written.
    micro = moment.microsecond
    return moment.isoformat(timespec="seconds" if micro == 0 else "milliseconds" if micro % 1000 == 0
                            else "microseconds")


Time = Annotated[AwareDatetime, PlainSerializer(_iso, return_type=str, when_used="json")]
Health = Literal["ok", "warning", "error", "offline"]
Text = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# Money: a string of decimals on the wire, exact; a number is taken from older senders.
Amount = Annotated[Decimal, Field(max_digits=12, decimal_places=2, allow_inf_nan=False)]
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
# A machine-readable code that is not (only) a Reason: error codes, a job's state.
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,64}$")]

# A CUPS keyword nobody listed, as a queue reports it: lower case, `-` and `.` made `_`
# (devices/queues/state.py). The dots are taken: agents before the contract models kept a
# vendor keyword's (`com.example.tray_jam`), and their states must still be read.
_KEYWORD = re.compile(r"[a-z0-9_.]{1,64}")
# A supply below its low level, with the supply's name: `toner_low:Black Toner`.
_SUPPLY_LOW = re.compile(r"[A-Za-z0-9_.-]{1,40}_low:[^\x00-\x1f\x7f]{1,120}")


def is_reason_code(code: str) -> bool:
    return _KEYWORD.fullmatch(code) is not None or _SUPPLY_LOW.fullmatch(code) is not None


def _reason(code: str) -> str:
    if code in Reason._value2member_map_:
        return Reason(code)
    if not is_reason_code(code):
        raise ValueError("not a reason code: a Reason, a CUPS keyword (a-z, 0-9, _), or <supply kind>_low:<name>")
    return code


ReasonCode = Annotated[str, AfterValidator(_reason)]


def parse(model: type[M] | TypeAdapter[Any], payload: Any) -> Any:
    """The payload as the model; PayloadError (naming the first bad field) when it breaks the contract."""
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(payload)
        return model.model_validate(payload)
    except ValidationError as error:
        raise PayloadError(_first_problem(error)) from None


def build(model: type[M], **fields: Any) -> dict[str, Any]:
    """The JSON-ready payload of `model` with these fields, checked: a field the model does not
    have, or a wrong value, is a PayloadError (a sender's bug, caught where it is made)."""
    try:
        built = model.model_validate(fields)
    except ValidationError as error:
        raise PayloadError(f"{model.__name__}: {_first_problem(error)}") from None
    if extra := _extras(built):
        raise PayloadError(f"{model.__name__}: {extra} is not in the contract (add it to the model first)")
    return built.model_dump(mode="json", exclude_unset=True)


def _extras(value: Any, where: str = "") -> str | None:
    """The first field, anywhere in the model, that came in as an extra."""
    if isinstance(value, BaseModel):
        for name in value.__pydantic_extra__ or {}:
            return f"{where}{name}"
        for name in type(value).model_fields:
            if found := _extras(getattr(value, name), f"{where}{name}."):
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            if found := _extras(item, f"{where}{index}."):
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            if found := _extras(item, f"{where}{key}."):
                return found
    return None


def _first_problem(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "payload"
    return f"{where}: {first['msg']}"
