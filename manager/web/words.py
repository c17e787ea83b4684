"""What the dashboard says, in words: reason codes, events, healths and command replies.

The agents speak in machine-readable codes (docs/mqtt.md lists them); the office
manager reads sentences that say what is wrong and, where it helps, what to do.
A code nobody taught us (CUPS has many keywords) is still shown, made readable.
"""

from __future__ import annotations

from typing import Any

# The words for reason and error codes are the contract's (the CLI says them too); the
# dashboard's templates and tests reach them here.
from frontdesk.contract.reasons import ERRORS, REASONS, error_text, readable_code, reason_text  # noqa: F401

HEALTH_LABELS = {"ok": "OK", "warning": "Warning", "error": "Error", "offline": "Offline"}
HEALTH_ORDER = {"error": 0, "offline": 1, "warning": 2, "ok": 3}

ACTION_LABELS = {
    "printer_test": "Test print",
    "queue_pause": "Pause queue",
    "queue_resume": "Resume queue",
    "queue_status": "Show jobs",
    "job_cancel": "Cancel job",
    "job_hold": "Hold job",
    "job_release": "Release job",
}

KIND_LABELS = {"printer": "Receipt printer", "scale": "Postage scale", "copier": "Copier", "fax": "Fax"}


def health_label(health: str | None) -> str:
    return HEALTH_LABELS.get(health or "", readable_code(health or "unknown"))


def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(kind or "", readable_code(kind or "device"))


def duration_text(seconds: float | int | None) -> str:
    """312.5 -> '5 min 13 s'; 7260 -> '2 h 1 min'."""
    if not isinstance(seconds, (int, float)) or seconds < 0:
        return "an unknown time"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days {hours % 24} h"


def event_text(payload: dict[str, Any]) -> str:
    """One line about a device event, e.g. 'Recovered after 5 min 13 s (was: out of paper).'"""
    name = str(payload.get("event", "event"))
    job = payload.get("job")
    if name == "recovered":
        after = [reason_text(code).split(":")[0].rstrip(".").lower() for code in payload.get("after") or []]
        was = f" (was: {', '.join(after)})" if after else ""
        return f"Back to normal after {duration_text(payload.get('down_seconds'))}{was}."
    if name == "job_completed":
        number = payload.get("receipt_number")
        return f"Job {job} printed" + (f" (receipt {number})." if number else ".")
    if name == "job_waiting":
        why = payload.get("reason")
        return f"Job {job} is waiting" + (f": {reason_text(why).rstrip('.').lower()}." if why else ".")
    if name == "job_uncertain":
        why = payload.get("reason")
        return (f"Job {job} may have come out incomplete" + (f" ({reason_text(why).rstrip('.').lower()})" if why else "")
                + ": it will be voided on paper and printed again.")
    if name == "job_failed":
        number = payload.get("receipt_number")
        return (f"Job {job} cannot be printed and left the queue" + (f" (receipt {number}: print it again)" if number
                else "") + f": {payload.get('last_error') or 'see the agent log'}.")
    if name == "fax_sent":
        return f"Fax {job} to {payload.get('number', 'its number')} was sent."
    if name == "fax_failed":
        why = payload.get("reason")
        return f"Fax {job} to {payload.get('number', 'its number')} failed" + (f": {why}." if why else ".")
    if name == "fax_pending":
        return f"Fax {job} is still waiting for an outcome."
    return reason_text(name)


def event_severity(payload: dict[str, Any]) -> str:
    """The health an event stands for, for its colour."""
    name = payload.get("event")
    if name in ("recovered", "job_completed", "fax_sent"):
        return "ok"
    if name in ("fax_failed", "job_failed"):
        return "error"
    health = payload.get("health")
    return health if health in HEALTH_LABELS else "warning"


def reply_text(command: str, device: str, reply: dict[str, Any]) -> str:
    """The agent's reply to a dashboard action, in words."""
    if reply.get("ok"):
        return _success_text(command, device, reply.get("result") or {})
    error = reply.get("error") or {}
    code = str(error.get("code", "internal_error"))
    words = error_text(code)
    detail = str(error.get("message") or "").strip()
    return f"{words} ({detail})" if detail and detail not in words else words


def _success_text(command: str, device: str, result: dict[str, Any]) -> str:
    job = result.get("job")
    if command == "printer_test":
        sent = result.get("bytes")
        confirmed = " The printer confirmed it." if result.get("confirmed") else ""
        return f"Test print sent to {device}" + (f" ({sent} bytes)." if sent else ".") + confirmed
    texts = {
        "job_cancel": f"Job {job} cancelled.",
        "job_hold": f"Job {job} held: it waits until released.",
        "job_release": f"Job {job} released.",
        "queue_pause": f"Queue {device} paused: new jobs wait.",
        "queue_resume": f"Queue {device} resumed.",
    }
    if command == "queue_status":
        count = len(result.get("jobs") or [])
        return "No jobs in the queue." if count == 0 else f"{count} job{'s' if count != 1 else ''} in the queue."
    return texts.get(command, "Done.")
