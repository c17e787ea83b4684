"""The agent's commands as types: what each request may carry, and which device it acts on.

The agent validates every request with these models (agent/commands.py); a client may
build its request with them too and learn of a mistake before anything is sent. Each
model forbids unknown fields, so a misspelt argument is an `invalid_request` naming it
rather than silently ignored. docs/mqtt.md's command table is checked against REQUESTS.

Printed text is checked with the same rules a document checks again when it prints
(contract/text.py): control characters are refused, not stripped; text with nothing
printable is refused where it is needed and dropped where it is optional; what is kept
is the text as it prints (whitespace made single spaces). So an accepted job can always
be rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from frontdesk.contract.text import is_blank, refused_characters, sanitize

Language = Literal["en", "ro", "de", "fr", "pl"]
DeviceId = Annotated[str, Field(min_length=1, max_length=64)]
Wait = Annotated[float, Field(ge=0, le=60, description="seconds to wait for the printout")]


def _printable(value: str) -> str:
    if found := refused_characters(value):
        names = ", ".join(f"U+{ord(char):04X}" for char in found[:5])
        raise PydanticCustomError(
            "control_character",
            "holds {names}, refused rather than printed: a printer takes control characters as "
            "commands (and a lone surrogate is no character); send the text without them",
            {"names": names})
    return sanitize(value)


def _required(value: str) -> str:
    if is_blank(value):
        raise PydanticCustomError("blank", "has nothing to print: it is empty, or only spaces and invisible characters")
    return value


def _or_none(value: str) -> str | None:
    return None if is_blank(value) else value


# Field constraints first, then these: lengths count what was sent, not what is left.
PRINTABLE = AfterValidator(_printable)
NOT_BLANK = AfterValidator(_required)
BLANK_IS_NONE = AfterValidator(_or_none)  # for text a document prints only if there is some


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str | None = Field(default=None, max_length=128)


class PrinterRequest(Request):
    printer: DeviceId | None = None


class PrinterTestRequest(PrinterRequest):
    badge: Annotated[str, Field(min_length=1, max_length=120), PRINTABLE, NOT_BLANK] | None = Field(
        default=None, description="print a visitor badge for this name instead of a sample receipt")
    language: Language | None = None


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: Annotated[str, Field(min_length=1, max_length=200), PRINTABLE, NOT_BLANK]
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    quantity: Decimal = Field(default=Decimal(1), gt=0, max_digits=9, decimal_places=3)


class ReceiptRequest(PrinterRequest):
    items: list[Item] = Field(min_length=1, max_length=100)
    # At most what a `receipt_issued` record carries (contract/records.py) and the manager keeps.
    payment_method: Annotated[str, Field(min_length=1, max_length=32), PRINTABLE, NOT_BLANK]
    language: Language | None = None
    wait: Wait = 10.0


class BadgeRequest(PrinterRequest):
    visitor_name: Annotated[str, Field(min_length=1, max_length=120), PRINTABLE, NOT_BLANK]
    company: Annotated[str, Field(max_length=120), PRINTABLE, BLANK_IS_NONE] | None = None
    host: Annotated[str, Field(max_length=120), PRINTABLE, BLANK_IS_NONE] | None = None
    badge_number: Annotated[str, Field(min_length=1, max_length=40), PRINTABLE, NOT_BLANK]
    # Printed as a QR code; the composer shrinks its modules to fit narrow paper.
    signout_code: Annotated[str, Field(max_length=200), PRINTABLE, BLANK_IS_NONE] | None = None
    language: Language | None = None
    wait: Wait = 10.0


class ListRequest(PrinterRequest):
    """A plain list (the kiosk's evacuation list): no number, no prices, not a receipt."""

    title: Annotated[str, Field(min_length=1, max_length=80), PRINTABLE, NOT_BLANK]
    lines: list[Annotated[str, Field(max_length=200), PRINTABLE]] = Field(max_length=500)  # a blank one is a gap
    footer: Annotated[str, Field(max_length=200), PRINTABLE, BLANK_IS_NONE] | None = None
    language: Language | None = None
    wait: Wait = 10.0


class DrawerRequest(PrinterRequest):
    wait: Wait = 10.0


class ForgetJobsRequest(Request):
    """A visitor's erasure, from the kiosk: the print jobs their visits made (by request_id)."""

    request_ids: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(min_length=1, max_length=1000)


class ScaleRequest(Request):
    scale: DeviceId | None = None


class ScaleReadRequest(ScaleRequest):
    stable: bool = False
    timeout: float = Field(default=5.0, gt=0, le=30)


class QuoteRequest(Request):
    weight: str = Field(min_length=1, max_length=32, description="e.g. 85g, 3.5oz")
    mail_class: str | None = Field(default=None, min_length=1, max_length=64)
    destination: str = Field(default="domestic", min_length=1, max_length=32)
    carrier: str | None = Field(default=None, min_length=1, max_length=32)
    nonmachinable: bool = False


class MailRecordRequest(QuoteRequest):
    mail_class: str = Field(min_length=1, max_length=64)
    staff: Annotated[str, Field(min_length=1, max_length=80), PRINTABLE, NOT_BLANK]
    scale: DeviceId | None = None


class PostageTodayRequest(Request):
    pass


class DeviceHistoryRequest(Request):
    device: DeviceId | None = None
    limit: int = Field(default=50, ge=1, le=1000)


class QueueRequest(Request):
    queue: DeviceId | None = None


class FaxRequest(QueueRequest):
    number: str = Field(min_length=3, max_length=40)
    document: str = Field(min_length=4, max_length=14_000_000, description="the file, base64")
    filename: str = Field(default="document.pdf", pattern=r"^[\w .-]{1,80}$")
    cover_to: str | None = Field(default=None, max_length=120)
    note: str = Field(default="", max_length=2000)


class JobRequest(QueueRequest):
    job: int = Field(gt=0, le=2**31 - 1)  # IPP job ids are 32-bit integers


@dataclass(frozen=True)
class Target:
    """The device a command acts on: its kind, the request field naming it, and the kinds
    that may answer (a fax goes only to a fax queue, a job command to any queue)."""

    kind: Literal["printer", "scale", "queue"]
    field: str
    kinds: tuple[str, ...]


_PRINTER = Target("printer", "printer", ("printer",))
_SCALE = Target("scale", "scale", ("scale",))
_QUEUE = Target("queue", "queue", ("copier", "fax"))
_FAX = Target("queue", "queue", ("fax",))

# Every command: its request model, and the device it acts on (None: no one device).
COMMANDS: dict[str, tuple[type[Request], Target | None]] = {
    "status": (Request, None),
    "printer_status": (PrinterRequest, _PRINTER),
    "printer_test": (PrinterTestRequest, _PRINTER),
    "print_receipt": (ReceiptRequest, _PRINTER),
    "print_badge": (BadgeRequest, _PRINTER),
    "print_list": (ListRequest, _PRINTER),
    "open_drawer": (DrawerRequest, _PRINTER),
    "forget_jobs": (ForgetJobsRequest, None),
    "scale_read": (ScaleReadRequest, _SCALE),
    "scale_tare": (ScaleRequest, _SCALE),
    "scale_zero": (ScaleRequest, _SCALE),
    "postage_quote": (QuoteRequest, None),
    "mail_record": (MailRecordRequest, None),
    "postage_today": (PostageTodayRequest, None),
    "device_history": (DeviceHistoryRequest, None),
    "queue_status": (QueueRequest, _QUEUE),
    "fax_send": (FaxRequest, _FAX),
    "job_cancel": (JobRequest, _QUEUE),
    "job_hold": (JobRequest, _QUEUE),
    "job_release": (JobRequest, _QUEUE),
    "job_restart": (JobRequest, _QUEUE),
    "queue_pause": (QueueRequest, _QUEUE),
    "queue_resume": (QueueRequest, _QUEUE),
    "queue_accept": (QueueRequest, _QUEUE),
    "queue_reject": (QueueRequest, _QUEUE),
    "queue_cancel_all": (QueueRequest, _QUEUE),
}
REQUESTS: dict[str, type[Request]] = {name: model for name, (model, _) in COMMANDS.items()}


def target(command: str) -> Target | None:
    entry = COMMANDS.get(command)
    return entry[1] if entry else None


# Who may send what, told by where the reply goes (a client's reply topic names its role:
# kiosk/, manager/, cli/), and None for a request without a reply (Home Assistant's buttons).
# The broker's ACL (docs/mosquitto/frontdesk.acl) is the real guard; this is the agent's
# second line, for a broker set up more loosely than the example. The staff CLI may send
# everything: it is the staff at the Pi.
ROLE_COMMANDS: dict[str | None, frozenset[str]] = {
    "kiosk": frozenset({"status", "print_badge", "print_receipt", "print_list", "printer_test", "forget_jobs",
                        "scale_read", "scale_tare", "postage_quote", "mail_record", "queue_status",
                        "job_cancel", "job_hold", "job_release"}),
    "manager": frozenset({"status", "printer_test", "queue_status", "queue_pause", "queue_resume",
                          "job_cancel", "job_hold", "job_release"}),
    "cli": frozenset(COMMANDS),
    None: frozenset({"printer_test", "scale_tare", "scale_zero", "queue_pause", "queue_resume", "queue_cancel_all"}),
}


def may_send(role: str | None, command: str) -> bool:
    """Whether a client of `role` may send `command`; an unknown command is for the agent to refuse."""
    return command not in COMMANDS or command in ROLE_COMMANDS.get(role, frozenset())
