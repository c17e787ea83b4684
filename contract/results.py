"""The `result` of each command's `{"ok": true, "result": ...}` reply: one model per command.

RESULTS is what docs/mqtt.md's command table lists (tests/contract checks it); the request
models are contract/commands.py's REQUESTS. Results follow the rules of every payload
(contract/payload.py): extra fields are taken from a newer agent, times carry their zone,
money is a string of decimals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel

from frontdesk.contract.events import JobFields
from frontdesk.contract.payload import Amount, Currency, Health, Payload, ReasonCode, Text, Time
from frontdesk.contract.states import AnyDeviceState, Weight

__all__ = ["RESULTS", "Quote", "QuoteOptions"]

JobId = Annotated[int, Field(gt=0)]
# A weight as the rate tables priced it, exact like money: "85.00".
Grams = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class StatusResult(Payload):
    devices: dict[str, AnyDeviceState]  # by device id: the same payload as its retained state
    commands: list[Text]  # the commands this agent knows


class PrinterStatusResult(Payload):
    """The printer's status, read now (not the retained state)."""

    printer: Text
    address: str  # where the agent reaches it: host:port, a device path, a USB id
    columns: Annotated[int, Field(gt=0)]
    message: str  # the status in words
    health: Health
    reasons: list[ReasonCode]
    reachable: bool
    answered: bool  # it answered the status queries
    online: bool | None
    paper: Literal["ok", "near_end", "out", "unknown"]
    cover_open: bool | None
    errors: list[ReasonCode]
    drawer_open: bool | None
    checked_at: Time


class PrinterTestResult(Payload):
    printer: Text
    bytes: Annotated[int, Field(ge=0)]
    confirmed: bool  # False from a printer that never answers status
    columns: Annotated[int, Field(gt=0)]
    document: Literal["receipt", "badge"]


class JobResult(JobFields):
    """A print command's job (print_receipt, print_badge, print_list, open_drawer)."""

    duplicate: bool  # a request_id seen before: the earlier job, nothing printed


class ForgetJobsResult(Payload):
    withdrawn: Annotated[int, Field(ge=0)]


class ScaleReadResult(Weight):
    scale: Text


class ScaleActionResult(Payload):
    scale: Text
    done: Literal["tare", "zero"]


class QuoteLine(Payload):
    label: str
    amount: Amount


class Quote(Payload):
    carrier: Text
    carrier_name: str
    mail_class: Text
    mail_class_name: str
    destination: Text
    weight_grams: Grams  # as weighed
    rated_weight: str  # what the carrier charges for, e.g. "4 oz" or "≤ 50 g"
    price: Amount
    currency: Currency
    breakdown: list[QuoteLine]
    effective_date: date  # of the rate table in force
    source: str


class QuoteOptions(Payload):
    options: list[Quote]  # every class, cheapest first


class PostageQuoteResult(RootModel[Quote | QuoteOptions]):
    """One quote when a mail_class was asked for, else every class."""


class MailRecordResult(Payload):
    id: Annotated[int, Field(gt=0)]  # in the mail log
    recorded_at: Time
    quote: Quote
    duplicate: bool  # a request_id recorded before: the earlier entry


class PostageItem(Payload):
    recorded_at: Time
    weight_grams: Grams
    mail_class: Text
    destination: Text
    carrier: Text
    price: Amount
    currency: Currency
    staff: str


class PostageTodayResult(Payload):
    """The office's day in the mail log."""

    day: date
    count: Annotated[int, Field(ge=0)]
    totals: dict[str, Amount]  # by currency
    by_class: dict[str, Annotated[int, Field(ge=0)]]
    items: list[PostageItem]


class FaxSendResult(Payload):
    queue: Text
    job: JobId
    number: str  # E.164
    state: Literal["submitted"]
    duplicate: bool


class QueueSupply(Payload):
    name: str
    level: int | None
    low_level: int | None
    kind: str
    color: str | None


class QueueJob(Payload):
    id: JobId
    queue: str
    state: Literal["pending", "held", "processing", "stopped", "canceled", "aborted", "completed"]
    title: str
    owner: str
    pages: int | None
    age_seconds: Annotated[float, Field(allow_inf_nan=False)] | None
    reasons: list[str]  # CUPS' job-state-reasons, as CUPS says them
    message: str
    created_at: Time | None
    completed_at: Time | None


class QueueStatusResult(Payload):
    queue: Text
    cups_name: str
    kind: Literal["copier", "fax"]
    health: Health
    reasons: list[ReasonCode]
    state: Literal["idle", "processing", "stopped"]
    accepting: bool
    message: str
    printer_state_reasons: list[str]  # CUPS' own keywords with their severity
    device_reachable: bool | None  # None: not asked (not an IPP device)
    supplies: list[QueueSupply]
    checked_at: Time
    jobs: list[QueueJob]


class JobActionResult(Payload):
    queue: Text
    job: JobId
    done: Literal["cancel", "hold", "release", "restart"]


class QueueActionResult(Payload):
    queue: Text
    done: Literal["pause", "resume", "accept", "reject"]


class QueueCancelAllResult(Payload):
    queue: Text
    cancelled: Annotated[int, Field(ge=0)]  # the jobs that were not completed and are cancelled now


class DeviceChange(Payload):
    device: Text
    kind: Text
    health: Health
    reasons: list[ReasonCode]
    at: Time


class DeviceHistoryResult(Payload):
    changes: list[DeviceChange]  # newest first
    timezone: str  # the office's, for showing the times


RESULTS: dict[str, type[BaseModel]] = {
    "status": StatusResult,
    "printer_status": PrinterStatusResult,
    "printer_test": PrinterTestResult,
    "print_receipt": JobResult,
    "print_badge": JobResult,
    "print_list": JobResult,
    "open_drawer": JobResult,
    "forget_jobs": ForgetJobsResult,
    "scale_read": ScaleReadResult,
    "scale_tare": ScaleActionResult,
    "scale_zero": ScaleActionResult,
    "postage_quote": PostageQuoteResult,
    "mail_record": MailRecordResult,
    "postage_today": PostageTodayResult,
    "fax_send": FaxSendResult,
    "queue_status": QueueStatusResult,
    "job_cancel": JobActionResult,
    "job_hold": JobActionResult,
    "job_release": JobActionResult,
    "job_restart": JobActionResult,
    "queue_pause": QueueActionResult,
    "queue_resume": QueueActionResult,
    "queue_accept": QueueActionResult,
    "queue_reject": QueueActionResult,
    "queue_cancel_all": QueueCancelAllResult,
    "device_history": DeviceHistoryResult,
}
