"""Dashboard actions: checked against the board, sent to the agent, answered in words.

Only the commands a manager needs from the dashboard are allowed, and only on a
device of the right kind that the board knows: the browser cannot make the
manager send an arbitrary command to an arbitrary topic.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from frontdesk.manager.web import words
from frontdesk.manager.web.board import Board

log = logging.getLogger("frontdesk.manager.web")

QUEUE_KINDS = ("copier", "fax")
# command -> (the device kinds it applies to, the name of the device argument)
COMMANDS: dict[str, tuple[tuple[str, ...], str]] = {
    "printer_test": (("printer",), "printer"),
    "queue_status": (QUEUE_KINDS, "queue"),
    "queue_pause": (QUEUE_KINDS, "queue"),
    "queue_resume": (QUEUE_KINDS, "queue"),
    "job_cancel": (QUEUE_KINDS, "queue"),
    "job_hold": (QUEUE_KINDS, "queue"),
    "job_release": (QUEUE_KINDS, "queue"),
}
JOB_COMMANDS = ("job_cancel", "job_hold", "job_release")
REPLY_TIMEOUT = 15.0  # a test print is answered once it has printed


class ActionError(Exception):
    """A request the manager will not send; the message is for the person who asked."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Action:
    site: str
    agent: str
    device: str
    command: str
    arguments: dict[str, Any]


def parse_action(board: Board, body: Any) -> Action:
    """The action a browser asked for, checked; ActionError says what is wrong with it."""
    if not isinstance(body, dict):
        raise ActionError("The request must be a JSON object.")
    fields = {}
    for name in ("site", "agent", "device", "command"):
        value = body.get(name)
        if not isinstance(value, str) or not value or len(value) > 64:
            raise ActionError(f"The request needs a {name}.")
        fields[name] = value
    command = fields["command"]
    if command not in COMMANDS:
        raise ActionError(f"The dashboard cannot send {command!r}; it can send: {', '.join(COMMANDS)}.")
    with board.lock:
        device = board.device(fields["site"], fields["agent"], fields["device"])
        kind = device.kind if device is not None else None
    if device is None:
        raise ActionError(f"No device {fields['device']!r} of agent {fields['agent']!r} at site "
                          f"{fields['site']!r} has reported to this manager.", status=404)
    kinds, argument = COMMANDS[command]
    if kind not in kinds:
        raise ActionError(f"{words.ACTION_LABELS[command]} does not apply to a {words.kind_label(kind).lower()}.")
    arguments: dict[str, Any] = {argument: fields["device"]}
    if command in JOB_COMMANDS:
        arguments["job"] = _job_number(body.get("job"))
    return Action(fields["site"], fields["agent"], fields["device"], command, arguments)


def _job_number(value: Any) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**31:
        raise ActionError("The request needs the job's number (a whole number above 0).")
    return value


async def perform(ingestor: Any, action: Action, user: str, timeout: float = REPLY_TIMEOUT) -> dict[str, Any]:
    """Send the command to the agent and wait for its reply; the answer always has a message."""
    commands = ingestor.commands_for(action.site, action.agent)
    future = commands.submit(action.command, action.arguments, timeout=timeout)
    reply = await asyncio.wrap_future(future)
    if not isinstance(reply, dict):
        reply = {"ok": False, "error": {"code": "internal_error", "message": "the reply is not a JSON object"}}
    ok = reply.get("ok") is True
    message = words.reply_text(action.command, action.device, reply)
    log.info("%s: %s on %s/%s/%s %s: %s", user, action.command, action.site, action.agent, action.device,
             "done" if ok else "failed", message)
    answer: dict[str, Any] = {"ok": ok, "message": message}
    if ok:
        answer["result"] = reply.get("result") or {}
    else:
        answer["code"] = (reply.get("error") or {}).get("code", "internal_error")
    return answer
