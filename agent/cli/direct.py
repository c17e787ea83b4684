"""`--direct`: the CLI opens the devices itself, for set-up and diagnosis while the agent is stopped.

It answers the agent's commands the way the agent does (the same request models from
contract/commands.py, the same result shapes, the same error codes), so a command prints
the same whichever answered. Before it opens a device it makes sure the agent does not hold
it (agent/device_lock.py) and holds it itself while it works: two programs on one serial
port or one printer connection would each see garbage.
"""

from __future__ import annotations

import base64
import binascii
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError

from frontdesk.agent.cli.agent_client import AgentRefused
from frontdesk.agent.commands import OFFLINE_REASONS, job_action, queue_action, queue_status
from frontdesk.agent.device_lock import DeviceLock, holder_of
from frontdesk.contract import mqtt as contract
from frontdesk.contract.commands import REQUESTS, target
from frontdesk.contract.config import FrontdeskConfig
from frontdesk.contract.mqtt_client import field_error
from frontdesk.devices.errors import DeviceError

class DirectDevices:
    """`with DirectDevices(config, "frontdesk scale read --direct") as agent: agent.ask(...)`."""

    def __init__(self, config: FrontdeskConfig, holder: str) -> None:
        self.config, self.holder = config, holder
        self._locks: dict[str, DeviceLock | None] = {}
        self._handlers = {
            "status": self._status, "printer_status": self._printer_status, "printer_test": self._printer_test,
            "open_drawer": self._open_drawer, "scale_read": self._scale_read,
            "scale_tare": lambda request, scale: self._scale_act(scale, "tare"),
            "scale_zero": lambda request, scale: self._scale_act(scale, "zero"),
            "postage_quote": self._books_command, "postage_today": self._books_command,
            "device_history": self._books_command, "queue_status": self._queue_status, "fax_send": self._fax_send,
            **{f"job_{action}": lambda request, queue, action=action: self._job_action(request, queue, action)
               for action in ("cancel", "hold", "release", "restart")},
            **{f"queue_{action}": lambda request, queue, action=action: self._queue_action(request, queue, action)
               for action in ("pause", "resume", "accept", "reject")},
        }

    def __enter__(self) -> DirectDevices:
        return self

    def __exit__(self, *exc_info) -> None:
        for lock in self._locks.values():
            if lock is not None:
                lock.release()
        self._locks.clear()

    def ask(self, command: str, payload: dict[str, Any], takes: float = 0.0) -> dict[str, Any]:
        if command not in self._handlers:
            raise AgentRefused(contract.INVALID_REQUEST, f"{command} goes through the agent only; leave out --direct")
        try:
            request = REQUESTS[command].model_validate(payload)
            return self._handlers[command](request, self._device(command, request))
        except ValidationError as error:
            raise AgentRefused(contract.INVALID_REQUEST, field_error(error)) from None
        except DeviceError as error:
            code = contract.DEVICE_OFFLINE if error.reason in OFFLINE_REASONS else error.reason
            raise AgentRefused(code, str(error)) from None
        except (OSError, sqlite3.Error) as error:
            raise AgentRefused("device_error", f"{type(error).__name__}: {error}") from None
        except Exception as error:
            from frontdesk.agent.postage.errors import PostageError

            if isinstance(error, PostageError):
                raise AgentRefused(error.reason, str(error)) from None
            raise

    # -- which device, and holding it ------------------------------------------------------------

    def _device(self, command: str, request):
        """The device's config (as the agent picks it: named, else the first of the kinds the
        command works on), held for this process; None for a command on no device."""
        aim = target(command)
        if aim is None:
            return None
        devices: list = getattr(self.config, aim.kind)  # [[printer]], [[scale]] or [[queue]]
        fitting = [d for d in devices if getattr(d, "kind", aim.kind) in aim.kinds]
        wanted = getattr(request, aim.field)
        chosen = next((d for d in devices if d.id == wanted), None) if wanted else next(iter(fitting), None)
        if chosen is None:
            what = " or ".join(aim.kinds)
            known = ", ".join(d.id for d in devices) or "none"
            raise AgentRefused(contract.UNKNOWN_DEVICE, f"no {aim.kind} {wanted!r} in the config; it has {known}"
                               if wanted else f"the config has no {what}")
        if chosen not in fitting:
            raise AgentRefused(contract.INVALID_REQUEST, f"{aim.kind} {chosen.id!r} is a {chosen.kind}, "
                               f"not a {' or '.join(aim.kinds)}")
        self.hold(chosen.id)
        return chosen

    def hold(self, device_id: str) -> None:
        """DeviceHeld if the agent (or another --direct) has the device; else it is ours until exit.

        Where this user may not write the agent's locks folder (or the agent never made one),
        the check alone has to do: the folder is the agent's, not to be made by us."""
        if device_id in self._locks:
            return
        held = holder_of(self.config.agent.data_dir, device_id)
        if held is not None:
            raise held
        lock = DeviceLock(self.config.agent.data_dir, device_id, self.holder)
        ours = lock.path.parent.is_dir() and os.access(lock.path.parent, os.W_OK)
        try:
            if ours:
                lock.acquire()
        except PermissionError:  # a lock file of the agent's user, not writable by ours
            ours = False
        self._locks[device_id] = lock if ours else None

    # -- the commands ----------------------------------------------------------------------------

    def _status(self, request, device) -> dict[str, Any]:
        kinds = [*((p.id, "printer") for p in self.config.printer), *((s.id, "scale") for s in self.config.scale),
                 *((q.id, q.kind) for q in self.config.queue)]
        return {"devices": {device_id: {"device": device_id, "kind": kind, "health": None, "reasons": []}
                            for device_id, kind in kinds}}

    def _printer(self, printer_config) -> SimpleNamespace:
        """The printer as the agent's printer commands use it: `device`, `check()`, `use(action)`."""
        from frontdesk.devices.printer import ReceiptPrinter

        printer = ReceiptPrinter(printer_config, self.config.office)
        return SimpleNamespace(device=printer, check=printer.status, use=lambda action: action(printer))

    def _printer_status(self, request, printer) -> dict[str, Any]:
        from frontdesk.agent.print_commands import printer_status

        return printer_status(None, request, self._printer(printer))

    def _printer_test(self, request, printer) -> dict[str, Any]:
        from frontdesk.agent.print_commands import printer_test

        return printer_test(None, request, self._printer(printer))

    def _open_drawer(self, request, printer) -> dict[str, Any]:
        if printer.drawer_pin is None:
            raise AgentRefused(contract.INVALID_REQUEST, f"printer {printer.id!r} has no cash drawer")
        result = self._printer(printer).device.open_drawer()
        return {"printer": printer.id, "kind": "drawer", "state": "printed" if result.confirmed else "sent",
                "last_error": None}

    def _scale(self, scale_config):
        from frontdesk.devices.scale import scale_for

        return scale_for(scale_config)

    def _scale_read(self, request, scale_config) -> dict[str, Any]:
        scale = self._scale(scale_config)
        try:
            reading = scale.read_stable(request.timeout) if request.stable else scale.read()
        finally:
            scale.close()
        return {**reading.as_dict(), "scale": scale_config.id}

    def _scale_act(self, scale_config, action: str) -> dict[str, Any]:
        scale = self._scale(scale_config)
        try:
            getattr(scale, action)()
        finally:
            scale.close()
        return {"scale": scale_config.id, "done": action}

    def scale_readings(self, scale_id: str | None) -> Iterator:
        """Live readings and problems (ScaleReading, ScaleProblem) until the caller stops."""
        from frontdesk.devices.scale import ScaleProblem

        scale_config = self._device("scale_read", REQUESTS["scale_read"].model_validate({"scale": scale_id}))
        scale, stop = self._scale(scale_config), threading.Event()
        try:
            for event in scale.readings(stop):
                yield (ScaleProblem(event.reason, f"scale {scale.id!r}: {event.message}")
                       if isinstance(event, ScaleProblem) else event)
        finally:
            stop.set()
            scale.close()

    def _books_command(self, request, device) -> dict[str, Any]:
        """Prices, the mail log and the device history, read as the agent reads them."""
        from frontdesk.agent import office_commands
        from frontdesk.agent.ledger.device_history import FILE_NAME as HISTORY_FILE
        from frontdesk.agent.ledger.device_history import DeviceHistory
        from frontdesk.agent.ledger.mail_log import FILE_NAME as MAIL_FILE
        from frontdesk.agent.ledger.mail_log import MailLog

        data = self.config.agent.data_dir
        books = SimpleNamespace(office=self.config.office, postage_carrier=self.config.postage.carrier,
                                mail_log=None, history=None)
        # A book not there yet is empty: not made here, where it would belong to this user, not the agent's.
        try:
            if isinstance(request, REQUESTS["postage_today"]):
                if not (data / MAIL_FILE).exists():
                    return {"day": office_commands.office_today(books).isoformat(), "count": 0, "totals": {},
                            "by_class": {}, "items": []}
                books.mail_log = MailLog(data / MAIL_FILE)
                return office_commands.postage_today(books, request)
            if isinstance(request, REQUESTS["device_history"]):
                if not (data / HISTORY_FILE).exists():
                    return {"timezone": office_commands.office_zone(books).key, "changes": []}
                books.history = DeviceHistory(data / HISTORY_FILE)
                return office_commands.device_history(books, request)
            return office_commands.postage_quote(books, request)
        finally:
            for store in (books.mail_log, books.history):
                if store is not None:
                    store.close()

    def open_queue(self, queue_config):
        from frontdesk.devices.queues import CupsClient, queue_for

        return queue_for(queue_config, CupsClient(self.config.cups.server, self.config.cups.timeout))

    def _queue_status(self, request, queue_config) -> dict[str, Any]:
        return queue_status(None, request, self.open_queue(queue_config))

    def _job_action(self, request, queue_config, action: str) -> dict[str, Any]:
        return job_action(action)(None, request, self.open_queue(queue_config))

    def _queue_action(self, request, queue_config, action: str) -> dict[str, Any]:
        return queue_action(action)(None, request, self.open_queue(queue_config))

    def _fax_send(self, request, queue_config) -> dict[str, Any]:
        from frontdesk.devices.queues import CoverSheet

        try:
            content = base64.b64decode(request.document, validate=True)
        except binascii.Error:
            raise AgentRefused(contract.INVALID_REQUEST, "document: not valid base64") from None
        office = self.config.office
        cover = CoverSheet(office.name, request.cover_to, request.note) if request.cover_to else None
        with tempfile.TemporaryDirectory(prefix="frontdesk-fax-") as folder:
            path = Path(folder) / request.filename
            path.write_bytes(content)
            job, number = self.open_queue(queue_config).send_fax(path, request.number, region=office.country, cover=cover)
        return {"queue": queue_config.id, "job": job, "number": number, "state": "submitted"}

    def fax_outcomes(self) -> DirectFaxOutcomes:
        return DirectFaxOutcomes(self)


class DirectFaxOutcomes:
    """A fax sent with --direct, followed in CUPS as the agent follows it."""

    def __init__(self, direct: DirectDevices) -> None:
        self._direct = direct

    def wait(self, sent: dict[str, Any], timeout: float) -> tuple[str, str]:
        """("sent" | "failed" | "pending", reason)."""
        queue_config = next(q for q in self._direct.config.queue if q.id == sent["queue"])
        outcome = self._direct.open_queue(queue_config).outcome(sent["job"], sent["number"], timeout=timeout)
        return outcome.outcome, outcome.reason

