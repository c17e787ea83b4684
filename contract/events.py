"""A device's events (`devices/<device>/events`, QoS 1, not retained).

Every event has `event` (its name), `at` and a unique `id` (subscribers drop a redelivery
by it). A name that is none of the events below is a reason the device newly has
(`paper_out`, `toner_low`, any CUPS keyword), with the device's `health`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from frontdesk.contract.payload import Health, Payload, PayloadError, ReasonCode, Seconds, Text, Time, parse

__all__ = ["EVENTS", "Event", "FaxFailed", "FaxPending", "FaxSent", "JobCompleted", "JobFailed", "JobFields",
           "JobUncertain", "JobWaiting", "ReasonEvent", "Recovered", "event_model", "parse_event"]


class Event(Payload):
    event: Text
    at: Time
    id: Text


class ReasonEvent(Event):
    """The device has a reason it did not have (one event per new reason)."""

    event: ReasonCode
    health: Health


class Recovered(Event):
    """The device is ok again, after `down_seconds` of trouble for these reasons."""

    event: Literal["recovered"]
    after: list[ReasonCode]
    down_seconds: Seconds


class JobFields(Payload):
    """A print job as the agent's queue has it (agent/ledger/print_jobs.py), in the print
    commands' replies and the job events."""

    job: Annotated[int, Field(gt=0)]
    request_id: str | None
    printer: Text
    kind: Literal["receipt", "badge", "list", "drawer"]
    receipt_number: str | None  # receipts only: 2026-000042
    state: Literal["queued", "sending", "sent", "uncertain", "printed", "failed"]
    attempts: Annotated[int, Field(ge=0)]
    last_error: str | None


class JobCompleted(JobFields, Event):
    """A job the printer confirmed; also one that had to wait (paper out, printer away)."""

    event: Literal["job_completed"]


class JobWaiting(JobFields, Event):
    """A job that could not print now and waits, first in line; `reason` is the printer's."""

    event: Literal["job_waiting"]
    reason: ReasonCode


class JobUncertain(JobFields, Event):
    """A job whose body went out unconfirmed: it is voided on paper and printed again."""

    event: Literal["job_uncertain"]
    reason: ReasonCode  # unreachable, no_confirmation, not_confirmed, ...


class JobFailed(JobFields, Event):
    """A job that can never print left the queue, so the jobs behind it print."""

    event: Literal["job_failed"]
    state: Literal["failed"]
    reason: Literal["unprintable"]
    last_error: str


class FaxOutcome(Event):
    job: Annotated[int, Field(gt=0)]  # the CUPS job
    number: str  # E.164
    reason: str  # for people: CUPS' message, empty when there is nothing to say


class FaxSent(FaxOutcome):
    event: Literal["fax_sent"]


class FaxFailed(FaxOutcome):
    event: Literal["fax_failed"]


class FaxPending(FaxOutcome):
    """No outcome within the agent's follow-up time (or it lost track of the job)."""

    event: Literal["fax_pending"]


EVENTS: dict[str, type[Event]] = {
    "recovered": Recovered, "job_completed": JobCompleted, "job_waiting": JobWaiting,
    "job_uncertain": JobUncertain, "job_failed": JobFailed,
    "fax_sent": FaxSent, "fax_failed": FaxFailed, "fax_pending": FaxPending,
}


def event_model(name: Any) -> type[Event]:
    return EVENTS.get(name, ReasonEvent) if isinstance(name, str) else ReasonEvent


def parse_event(payload: Any) -> Event:
    if not isinstance(payload, dict):
        raise PayloadError(f"expected a JSON object, got {type(payload).__name__}")
    return parse(event_model(payload.get("event")), payload)
