"""A device's retained state (`devices/<device>/state`) and a scale's live `weight`.

The state's common fields, then each kind's own. A kind's fields are left out while the
agent cannot read them (the device offline, or not read yet; the agent's own
`supervisor_restarting` before the device's first report), so they are optional here. A
receiver that meets a kind it does not know (a newer agent's) takes the common fields.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, StringConstraints, Tag

from frontdesk.contract.payload import Health, Payload, PayloadError, ReasonCode, Text, Time, build, parse

__all__ = ["KINDS", "STATES", "ActiveJob", "AnyDeviceState", "DeviceState", "PrinterState", "QueueDeviceState", "ScaleState",
           "Supply", "Weight", "build_state", "parse_state", "parse_weight"]

CONTRACT_VERSION = 1


class DeviceState(Payload):
    device: Text
    kind: Text
    health: Health
    reasons: list[ReasonCode]  # most serious first
    since: Time  # when it entered this health
    updated: Time  # when this state was made
    v: Annotated[int, Field(ge=1)]  # the contract's version
    # For people: why the agent cannot read the device, or that its loop for it keeps failing.
    message: str | None = None


class PrinterState(DeviceState):
    kind: Literal["printer"]
    paper: Literal["ok", "near_end", "out", "unknown"] | None = None
    online: bool | None = None
    cover_open: bool | None = None
    columns: Annotated[int, Field(gt=0)] | None = None


class ScaleState(DeviceState):
    kind: Literal["scale"]
    unit: Text | None = None  # what the scale shows: g, kg, oz, lb


class Supply(Payload):
    # The same for one physical supply from read to read, whichever source answered (black,
    # cyan, waste, supply_2); agents before it sent none.
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")] | None = None
    name: str
    level: int | None  # percent; None when the machine does not know
    kind: str  # toner, ink, wasteToner, ...
    color: str | None = None
    low_level: int | None = None  # percent: at or below it the supply is low
    high_level: int | None = None  # percent: a waste tank this full is almost full


class ActiveJob(Payload):
    """The job a queue is working on."""

    id: Annotated[int, Field(ge=1)]  # the CUPS job
    name: str  # the job's title
    owner: str  # initials only: the state is seen by every subscriber
    pages: Annotated[int, Field(ge=0)] | None  # done so far; None before the first


class QueueDeviceState(DeviceState):
    """A CUPS copier or fax queue."""

    kind: Literal["copier", "fax"]
    state: Literal["idle", "processing", "stopped"] | None = None
    accepting: bool | None = None
    jobs_waiting: Annotated[int, Field(ge=0)] | None = None  # pending jobs, not started yet
    jobs_held: Annotated[int, Field(ge=0)] | None = None  # jobs held until someone releases them
    active_job: ActiveJob | None = None  # None while idle
    supplies: list[Supply] | None = None


STATES: dict[str, type[DeviceState]] = {
    "printer": PrinterState, "scale": ScaleState, "copier": QueueDeviceState, "fax": QueueDeviceState}
KINDS = tuple(STATES)


def _state_model(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return kind if kind in STATES else "other"


# Any device's state, as the model of its kind.
AnyDeviceState = Annotated[
    Annotated[PrinterState, Tag("printer")] | Annotated[ScaleState, Tag("scale")]
    | Annotated[QueueDeviceState, Tag("copier")] | Annotated[QueueDeviceState, Tag("fax")]
    | Annotated[DeviceState, Tag("other")],
    Discriminator(_state_model)]


def parse_state(payload: Any) -> DeviceState:
    """The state as the model of its kind (the common fields for a kind we do not know)."""
    if not isinstance(payload, dict):
        raise PayloadError(f"expected a JSON object, got {type(payload).__name__}")
    return parse(STATES.get(str(payload.get("kind")), DeviceState), payload)


def build_state(**fields: Any) -> dict[str, Any]:
    """A state for the wire; its kind's model decides which fields it may have."""
    return build(STATES.get(str(fields.get("kind")), DeviceState), **fields)


class Weight(Payload):
    """A scale's reading, on `devices/<scale>/weight` (QoS 0) and in the `scale_read` reply.

    Numbers are JSON numbers (older agents sent strings of decimals; they are still read)."""

    grams: Annotated[float, Field(allow_inf_nan=False)] | None  # None when over- or underloaded
    value: Annotated[float, Field(allow_inf_nan=False)] | None  # in `unit`, as the scale shows it
    unit: Text
    stable: bool  # the scale's own verdict
    condition: Literal["ok", "overload", "underload"]
    at: Time


def parse_weight(payload: Any) -> Weight:
    return parse(Weight, payload)


class KioskState(Payload):
    """A kiosk's retained summary (`kiosk/<kiosk>/state`), for Home Assistant: counts only,
    never a visitor's name."""

    on_site: Annotated[int, Field(ge=0)]  # visitors signed in and not yet out
    badges_waiting: Annotated[int, Field(ge=0)]  # badges of visitors on site not printed yet
    updated: Time
    v: Annotated[int, Field(ge=1)]


def build_kiosk_state(**fields: Any) -> dict[str, Any]:
    return build(KioskState, **fields)
