"""The agent's commands: validate the request, act through the device's supervisor, reply.

Every request gets exactly one reply: `{"ok": true, "result": {...}}` or an
error with a stable code (contract.mqtt) and a message a person can act on. A
malformed request is an `invalid_request` reply naming the field, never a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agent.ledger.mail_log import FILE_NAME as MAIL_LOG_FILE
from agent.ledger.mail_log import MailLog
from agent.print_requests import BadgeRequest, DrawerRequest, ListRequest, ReceiptRequest, receipt_record, stored
from agent.request_json import BadPayload, json_object, payload_limit
from contract import clock
from contract import mqtt as contract
from devices.errors import DeviceError

log = logging.getLogger("frontdesk.agent.commands")

_OFFLINE_REASONS = {"unreachable", "offline", "no_answer", "cups_unavailable", "queue_not_found"}


PrintRequest = ReceiptRequest | BadgeRequest | ListRequest | DrawerRequest


class CommandError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
    request_id: str | None = Field(default=None, max_length=128)


class PrinterRequest(Request):
    printer: str | None = None


class ScaleRequest(Request):
    scale: str | None = None


class ScaleReadRequest(ScaleRequest):
    stable: bool = False
    timeout: float = Field(default=5.0, gt=0, le=30)


class QuoteRequest(Request):
    weight: str = Field(min_length=1, max_length=32, description="e.g. 85g, 3.5oz")
    mail_class: str | None = None
    destination: str = "domestic"
    carrier: str | None = None


class MailRecordRequest(QuoteRequest):
    mail_class: str = Field(min_length=1)
    staff: str = Field(min_length=1, max_length=80)
    scale: str | None = None


class QueueRequest(Request):
    queue: str | None = None


class FaxRequest(QueueRequest):
    number: str = Field(min_length=3, max_length=40)
    document: str = Field(min_length=4, max_length=14_000_000, description="the file, base64")
    filename: str = Field(default="document.pdf", pattern=r"^[\w .-]{1,80}$")
    cover_to: str | None = Field(default=None, max_length=120)
    note: str = Field(default="", max_length=2000)


class ForgetJobsRequest(Request):
    """A visitor's erasure, from the kiosk: the print jobs their visits made (by request_id)."""

    request_ids: list[Annotated[str, Field(min_length=1, max_length=128)]] = Field(min_length=1, max_length=1000)


class JobRequest(QueueRequest):
    job: int = Field(gt=0, le=2**31 - 1)  # IPP job ids are 32-bit integers


class Commands:
    def __init__(self, devices, postage_carrier: str, data_dir: Path, office=None) -> None:
        self.devices = devices
        self.postage_carrier = postage_carrier
        self.data_dir = data_dir
        self.office = office
        self._mail_log: MailLog | None = None
        # Money and mail records for the manager (agent/<id>/ledger); set by the runtime.
        # Until it is set, ledger records stay staged in their store (agent/ledger/staged.py).
        self.on_ledger: Callable[[dict[str, Any]], None] | None = None
        self._handlers: dict[str, tuple[type[Request], Callable[[Any], dict[str, Any]]]] = {
            "status": (Request, self._status),
            "printer_status": (PrinterRequest, self._printer_status),
            "printer_test": (PrinterRequest, self._printer_test),
            "print_receipt": (ReceiptRequest, lambda r: self._print(r, "receipt")),
            "print_badge": (BadgeRequest, lambda r: self._print(r, "badge")),
            "print_list": (ListRequest, lambda r: self._print(r, "list")),
            "open_drawer": (DrawerRequest, lambda r: self._print(r, "drawer")),
            "scale_read": (ScaleReadRequest, self._scale_read),
            "scale_tare": (ScaleRequest, lambda r: self._scale_act(r, "tare")),
            "scale_zero": (ScaleRequest, lambda r: self._scale_act(r, "zero")),
            "postage_quote": (QuoteRequest, self._postage_quote),
            "mail_record": (MailRecordRequest, self._mail_record),
            "forget_jobs": (ForgetJobsRequest, self._forget_jobs),
            "queue_status": (QueueRequest, self._queue_status),
            "fax_send": (FaxRequest, self._fax_send),
            "job_cancel": (JobRequest, lambda r: self._job_act(r, "cancel")),
            "job_hold": (JobRequest, lambda r: self._job_act(r, "hold")),
            "job_release": (JobRequest, lambda r: self._job_act(r, "release")),
            "queue_pause": (QueueRequest, lambda r: self._queue_act(r, "pause")),
            "queue_resume": (QueueRequest, lambda r: self._queue_act(r, "resume")),
        }

    @property
    def mail_log(self) -> MailLog:
        if self._mail_log is None:
            self._mail_log = MailLog(self.data_dir / MAIL_LOG_FILE)
        return self._mail_log

    @property
    def _print_jobs(self):
        """The print queue every printer of this agent shares (one file), None without printers."""
        printers = self.devices.by_kind["printer"]
        return next(iter(printers.values())).jobs if printers else None

    def relay_ledger(self) -> None:
        """Ledger records a crash (or the staff CLI) left staged go out now (agent/ledger/staged.py)."""
        if self._print_jobs is not None:
            self._relay(self._print_jobs)
        self._relay(self.mail_log)

    def _relay(self, store) -> None:
        if self.on_ledger is not None:
            store.ledger.relay(self.on_ledger)

    @property
    def names(self) -> list[str]:
        return sorted(self._handlers)

    def handle(self, name: str, payload: bytes) -> dict[str, Any]:
        try:
            if name not in self._handlers:
                raise CommandError(contract.UNKNOWN_COMMAND, f"no command {name!r}; commands: {', '.join(self.names)}")
            model, handler = self._handlers[name]
            return contract.ok_reply(handler(model.model_validate(_json_object(payload, payload_limit(name)))))
        except CommandError as error:
            return contract.error_reply(error.code, str(error))
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            field = ".".join(str(part) for part in first["loc"]) or "request"
            return contract.error_reply(contract.INVALID_REQUEST, f"{field}: {first['msg']}")
        except DeviceError as error:
            code = contract.DEVICE_OFFLINE if error.reason in _OFFLINE_REASONS else error.reason
            return contract.error_reply(code, str(error))
        except Exception as error:  # noqa: BLE001 - one reply per request, whatever happens
            from agent.postage.errors import PostageError

            if isinstance(error, PostageError):
                return contract.error_reply(getattr(error, "reason", contract.INVALID_REQUEST), str(error))
            log.exception("command %s failed", name)
            return contract.error_reply(contract.INTERNAL_ERROR, f"the agent could not carry out {name}: {error}")

    def _status(self, request: Request) -> dict[str, Any]:
        return {"devices": self.devices.states(), "commands": self.names}

    def _printer_status(self, request: PrinterRequest) -> dict[str, Any]:
        return self.devices.get("printer", request.printer).check().as_dict()

    def _printer_test(self, request: PrinterRequest) -> dict[str, Any]:
        from devices.printer.samples import sample_receipt

        result = self.devices.get("printer", request.printer).use(lambda p: p.print_document(sample_receipt()))
        return {"printer": result.printer_id, "bytes": result.bytes_sent, "confirmed": result.confirmed}

    def _print(self, request: PrintRequest, kind: str) -> dict[str, Any]:
        """Stored durably first, then printed in order; waits up to `wait` s for the printout."""
        supervisor = self.devices.get("printer", request.printer)
        if kind == "drawer" and supervisor.device.config.drawer_pin is None:
            raise CommandError(contract.INVALID_REQUEST, f"printer {supervisor.device.id!r} has no cash drawer")
        document = stored(request, clock.now())
        record = None if kind != "receipt" else (
            lambda number: contract.event("receipt_issued", **receipt_record(document, number, self.office)))
        job, new = supervisor.submit(kind, document, request.request_id, ledger=record)
        self._relay(supervisor.jobs)
        job = supervisor.jobs.wait_until_done(job.id, request.wait)
        return {**job.as_dict(), "duplicate": not new}

    def _scale_read(self, request: ScaleReadRequest) -> dict[str, Any]:
        supervisor = self.devices.get("scale", request.scale)
        reading = supervisor.latest(stable=request.stable, timeout=request.timeout)
        if reading is None or (request.stable and not reading.stable):
            raise CommandError("not_stable", f"the weight did not settle within {request.timeout:g} s")
        return reading.as_dict()

    def _scale_act(self, request: ScaleRequest, action: str) -> dict[str, Any]:
        supervisor = self.devices.get("scale", request.scale)
        supervisor.use(lambda scale: getattr(scale, action)())
        return {"scale": supervisor.device.id, "done": action}

    def _postage_quote(self, request: QuoteRequest) -> dict[str, Any]:
        from agent.postage import available_classes, quote
        from agent.postage.errors import InvalidWeight
        from devices.scale.units import parse_weight

        try:
            grams = parse_weight(request.weight)
        except ValueError as error:
            raise InvalidWeight(str(error)) from None
        carrier, day = request.carrier or self.postage_carrier, self._office_today()
        if request.mail_class:
            return quote(grams, request.mail_class, request.destination, carrier, on=day).as_dict()
        return {"options": [q.as_dict() for q in available_classes(carrier, request.destination, grams, on=day)]}

    def _office_today(self) -> date:
        """The rate table in force is the one of the office's date, not the machine's."""
        return clock.today(ZoneInfo(self.office.timezone if self.office else "UTC"))

    def _mail_record(self, request: MailRecordRequest) -> dict[str, Any]:
        """Price the item and record it in the mail log; a request_id records it once."""
        from agent.ledger.mail_log import MailItem

        priced = self._postage_quote(request)
        item = MailItem(Decimal(priced["weight_grams"]), priced["mail_class"], priced["destination"],
                        priced["carrier"], Decimal(priced["price"]), priced["currency"], request.staff, request.scale)
        entry = self.mail_log.record(item, request_id=request.request_id)
        self._relay(self.mail_log)
        return {"id": entry.id, "recorded_at": entry.recorded_at.isoformat(), "quote": priced}

    def _forget_jobs(self, request: ForgetJobsRequest) -> dict[str, Any]:
        """Withdraw and scrub (agent/ledger/personal_data.py)."""
        jobs = self._print_jobs
        return {"withdrawn": jobs.forget(request.request_ids) if jobs is not None else 0}

    def _fax_send(self, request: FaxRequest) -> dict[str, Any]:
        """Submit the fax and reply at once; `fax_sent` / `fax_failed` events follow on the queue."""
        import base64
        import binascii

        queue = self.devices.get("queue", request.queue)
        if request.request_id and (earlier := self.devices.faxes.sent_before(request.request_id)):
            return {**earlier, "duplicate": True}
        if queue.config.kind != "fax":
            raise CommandError(contract.INVALID_REQUEST, f"queue {queue.id!r} is a {queue.config.kind}, not a fax")
        try:
            content = base64.b64decode(request.document, validate=True)
        except binascii.Error:
            raise CommandError(contract.INVALID_REQUEST, "document: not valid base64") from None
        reply = self.devices.faxes.send(queue, content, request, self.office)
        if request.request_id:
            self.devices.faxes.remember(request.request_id, reply)
        return {**reply, "duplicate": False}

    def _queue_status(self, request: QueueRequest) -> dict[str, Any]:
        queue = self.devices.get("queue", request.queue)
        return {**queue.state().as_dict(), "jobs": [job.as_dict() for job in queue.jobs()]}

    def _job_act(self, request: JobRequest, action: str) -> dict[str, Any]:
        getattr(self.devices.get("queue", request.queue), action)(request.job)
        return {"job": request.job, "done": action}

    def _queue_act(self, request: QueueRequest, action: str) -> dict[str, Any]:
        queue = self.devices.get("queue", request.queue)
        getattr(queue, action)()
        return {"queue": queue.id, "done": action}


def _json_object(payload: bytes, limit: int) -> dict[str, Any]:
    """Size, nesting and numbers are checked before and while parsing (agent/request_json.py)."""
    try:
        return json_object(payload, limit)
    except BadPayload as error:
        raise CommandError(contract.INVALID_REQUEST, str(error)) from None
