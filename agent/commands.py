"""The agent's commands: validate the request, act through the device's supervisor, reply.

Every request gets exactly one reply: `{"ok": true, "result": {...}}` or an
error with a stable code (contract.mqtt) and a message a person can act on. A
malformed request is an `invalid_request` reply naming the field, never a crash.

Requests are validated in the order they arrive (contract/commands.py says what each
may carry and which device it acts on), then run on that device's lane (agent/lanes.py):
commands for one device keep their order, and a slow device holds up only its own.
`status` needs no device and is answered at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from frontdesk.agent import office_commands, print_commands
from frontdesk.agent.lanes import LaneFull, Lanes
from frontdesk.agent.ledger.mail_log import FILE_NAME as MAIL_LOG_FILE
from frontdesk.agent.ledger.mail_log import MailLog
from frontdesk.agent.print_commands import PendingPrint, PrintReplies
from frontdesk.agent.request_json import BadPayload, json_object, payload_limit
from frontdesk.contract import mqtt as contract
from frontdesk.contract.commands import COMMANDS, Request
from frontdesk.contract.reasons import ErrorCode
from frontdesk.contract.mqtt_client import field_error
from frontdesk.devices.errors import DeviceError

log = logging.getLogger("frontdesk.agent.commands")

# Device reasons a client is told as `device_offline` (the device cannot be reached at all).
OFFLINE_REASONS = {"unreachable", "offline", "no_answer", "cups_unavailable", "queue_not_found"}
Reply = dict[str, Any]
Handler = Callable[[Any, Any, Any], "dict[str, Any] | PendingPrint"]
BOOKS_LANE = "books"  # mail log, postage, history: the agent's own, no device
CANCEL_ALL_LIMIT = 10_000  # far more jobs than a front desk's queue ever holds


class CommandError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Commands:
    def __init__(self, devices, postage_carrier: str, data_dir: Path, office=None, history=None) -> None:
        self.devices = devices
        self.postage_carrier = postage_carrier
        self.data_dir = data_dir
        self.office = office
        self.history = history  # the agent's DeviceHistory, for `device_history`
        self._mail_log: MailLog | None = None
        # Money and mail records for the manager (agent/<id>/ledger); set by the runtime.
        # Until it is set, ledger records stay staged in their store (agent/ledger/staged.py).
        self.on_ledger: Callable[[dict[str, Any]], None] | None = None
        self._lanes: Lanes | None = None
        self._print_replies: PrintReplies | None = None
        printing = print_commands.submit_print
        self._handlers: dict[str, Handler] = {
            "status": lambda commands, request, device: self._status(),
            "printer_status": print_commands.printer_status,
            "printer_test": print_commands.printer_test,
            "print_receipt": lambda commands, request, printer: printing(commands, request, printer, "receipt"),
            "print_badge": lambda commands, request, printer: printing(commands, request, printer, "badge"),
            "print_list": lambda commands, request, printer: printing(commands, request, printer, "list"),
            "open_drawer": lambda commands, request, printer: printing(commands, request, printer, "drawer"),
            "forget_jobs": print_commands.forget_jobs,
            "scale_read": _scale_read,
            "scale_tare": lambda commands, request, scale: _scale_act(scale, "tare"),
            "scale_zero": lambda commands, request, scale: _scale_act(scale, "zero"),
            "postage_quote": office_commands.postage_quote,
            "mail_record": office_commands.mail_record,
            "postage_today": office_commands.postage_today,
            "device_history": office_commands.device_history,
            "queue_status": queue_status,
            "fax_send": _fax_send,
            **{f"job_{action}": job_action(action) for action in ("cancel", "hold", "release", "restart")},
            **{f"queue_{action}": queue_action(action) for action in ("pause", "resume", "accept", "reject")},
            "queue_cancel_all": _queue_cancel_all,
        }
        assert set(self._handlers) == set(COMMANDS), "every command of contract/commands.py has a handler"

    # -- life cycle (the runtime's; tests may call handle() without it) ---------------------------

    def start(self) -> None:
        self._lanes = Lanes()
        if self.print_jobs is not None:
            self._print_replies = PrintReplies(self.print_jobs)

    def stop(self) -> None:
        if self._lanes is not None:
            self._lanes.stop()
        if self._print_replies is not None:
            self._print_replies.stop()

    @property
    def mail_log(self) -> MailLog:
        if self._mail_log is None:
            self._mail_log = MailLog(self.data_dir / MAIL_LOG_FILE)
        return self._mail_log

    @property
    def print_jobs(self):
        """The print queue every printer of this agent shares (one file), None without printers."""
        printers = self.devices.by_kind["printer"]
        return next(iter(printers.values())).jobs if printers else None

    def relay_ledger(self) -> None:
        """Ledger records a crash left staged go out now (agent/ledger/staged.py)."""
        if self.print_jobs is not None:
            self.relay(self.print_jobs)
        self.relay(self.mail_log)

    def relay(self, store) -> None:
        if self.on_ledger is not None:
            store.ledger.relay(self.on_ledger)

    @property
    def names(self) -> list[str]:
        return sorted(self._handlers)

    # -- answering ----------------------------------------------------------------------------------

    def dispatch(self, name: str, payload: bytes, respond: Callable[[Reply], None]) -> None:
        """Validate now (in arrival order), run on the device's lane, `respond` once with the reply."""
        try:
            request, device, lane = self._prepare(name, payload)
        except Exception as error:  # noqa: BLE001 - one reply per request, whatever happens
            respond(self._error_reply(name, error))
            return
        if lane is None or self._lanes is None:
            self._run(name, request, device, respond)
            return
        try:
            self._lanes.submit(lane, lambda: self._run(name, request, device, respond))
        except LaneFull as full:
            respond(contract.error_reply(ErrorCode.DEVICE_BUSY, f"{full}; try again in a moment"))
        except RuntimeError:
            pass  # shutting down: the requester's timeout tells it

    def handle(self, name: str, payload: bytes) -> Reply:
        """The same, answered in the caller's thread (a print waits here for its printout)."""
        try:
            request, device, _ = self._prepare(name, payload)
            result = self._handlers[name](self, request, device)
            if isinstance(result, PendingPrint):
                return contract.ok_reply(result.reply(result.jobs.wait_until_done(result.job_id, result.wait)), command=name)
            return contract.ok_reply(result, command=name)
        except Exception as error:  # noqa: BLE001 - one reply per request, whatever happens
            return self._error_reply(name, error)

    def _prepare(self, name: str, payload: bytes) -> tuple[Request, Any, str | None]:
        if name not in COMMANDS:
            raise CommandError(contract.UNKNOWN_COMMAND, f"no command {name!r}; commands: {', '.join(self.names)}")
        model, target = COMMANDS[name]
        request = model.model_validate(_json_object(payload, payload_limit(name)))
        if target is None:
            return request, None, None if name == "status" else BOOKS_LANE
        device = self.devices.get(target.kind, getattr(request, target.field), target.kinds)
        return request, device, f"{target.kind}:{device.id}"

    def _run(self, name: str, request: Request, device, respond: Callable[[Reply], None]) -> None:
        try:
            result = self._handlers[name](self, request, device)
        except Exception as error:  # noqa: BLE001 - one reply per request, whatever happens
            respond(self._error_reply(name, error))
            return
        if isinstance(result, PendingPrint) and self._print_replies is not None:
            self._print_replies.add(result, lambda job: respond(contract.ok_reply(result.reply(job), command=name)))
        elif isinstance(result, PendingPrint):
            job = result.jobs.wait_until_done(result.job_id, result.wait)
            respond(contract.ok_reply(result.reply(job), command=name))
        else:
            respond(contract.ok_reply(result, command=name))

    def _error_reply(self, name: str, error: Exception) -> Reply:
        from frontdesk.agent.postage.errors import PostageError

        if isinstance(error, CommandError):
            return contract.error_reply(error.code, str(error))
        if isinstance(error, ValidationError):
            return contract.error_reply(contract.INVALID_REQUEST, field_error(error))
        if isinstance(error, DeviceError):
            code = contract.DEVICE_OFFLINE if error.reason in OFFLINE_REASONS else error.reason
            return contract.error_reply(code, str(error))
        if isinstance(error, PostageError):
            return contract.error_reply(getattr(error, "reason", contract.INVALID_REQUEST), str(error))
        log.error("command %s failed", name, exc_info=error)
        return contract.error_reply(contract.INTERNAL_ERROR, f"the agent could not carry out {name}: {error}")

    def _status(self) -> dict[str, Any]:
        return {"devices": self.devices.states(), "commands": self.names}


def _scale_read(commands, request, supervisor) -> dict[str, Any]:
    if supervisor.tracker.health == "offline":  # its last reading is from before it went away
        raise CommandError(contract.DEVICE_OFFLINE, f"scale {supervisor.device.id!r} is offline: "
                           f"{supervisor.tracker.state().get('message') or 'it does not answer'}")
    reading = supervisor.latest(stable=request.stable, timeout=request.timeout)
    if supervisor.tracker.health == "offline":
        raise CommandError(contract.DEVICE_OFFLINE, f"scale {supervisor.device.id!r} went offline")
    if reading is None or (request.stable and not reading.stable):
        raise CommandError(ErrorCode.NOT_STABLE, f"the weight did not settle within {request.timeout:g} s")
    return {**reading.as_dict(), "scale": supervisor.device.id}


def _scale_act(supervisor, action: str) -> dict[str, Any]:
    supervisor.use(lambda scale: getattr(scale, action)())
    return {"scale": supervisor.device.id, "done": action}


def _fax_send(commands, request, queue) -> dict[str, Any]:
    """Submit the fax and reply at once; `fax_sent` / `fax_failed` events follow on the queue."""
    import base64
    import binascii

    faxes = commands.devices.faxes
    if request.request_id and (earlier := faxes.sent_before(request.request_id)):
        return {**earlier, "duplicate": True}
    try:
        content = base64.b64decode(request.document, validate=True)
    except binascii.Error:
        raise CommandError(contract.INVALID_REQUEST, "document: not valid base64") from None
    reply = {**faxes.send(queue, content, request, commands.office), "queue": queue.id}
    if request.request_id:
        faxes.remember(request.request_id, reply)
    return {**reply, "duplicate": False}


def queue_status(commands, request, queue) -> dict[str, Any]:
    return {**queue.state().as_dict(), "jobs": [job.as_dict() for job in queue.jobs()]}


def job_action(action: str) -> Handler:
    def act(commands, request, queue) -> dict[str, Any]:
        getattr(queue, action)(request.job)
        return {"job": request.job, "done": action, "queue": queue.id}
    return act


def queue_action(action: str) -> Handler:
    def act(commands, request, queue) -> dict[str, Any]:
        getattr(queue, action)()
        return {"queue": queue.id, "done": action}
    return act


def _queue_cancel_all(commands, request, queue) -> dict[str, Any]:
    """Cancel every job of the queue not completed yet (pending, held, processing, stopped):
    Home Assistant's "cancel all jobs" button. One that finished meanwhile is not counted."""
    from frontdesk.devices.queues.errors import JobNotFound, QueueError

    cancelled = 0
    for job in queue.jobs("not-completed", limit=CANCEL_ALL_LIMIT):
        try:
            queue.cancel(job.id)
        except JobNotFound:
            continue
        except QueueError:
            if queue.job(job.id).finished:  # CUPS refuses to cancel a job that just completed
                continue
            raise
        cancelled += 1
    return {"queue": queue.id, "cancelled": cancelled}


def _json_object(payload: bytes, limit: int) -> dict[str, Any]:
    """Size, nesting and numbers are checked before and while parsing (agent/request_json.py)."""
    try:
        return json_object(payload, limit)
    except BadPayload as error:
        raise CommandError(contract.INVALID_REQUEST, str(error)) from None
