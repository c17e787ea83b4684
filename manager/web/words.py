"""What the dashboard says, in words: reason codes, events, healths and command replies.

The agents speak in machine-readable codes (docs/mqtt.md lists them); the office
manager reads sentences that say what is wrong and, where it helps, what to do.
A code nobody taught us (CUPS has many keywords) is still shown, made readable.
"""

from __future__ import annotations

from typing import Any

HEALTH_LABELS = {"ok": "OK", "warning": "Warning", "error": "Error", "offline": "Offline"}
HEALTH_ORDER = {"error": 0, "offline": 1, "warning": 2, "ok": 3}

REASONS = {
    # printers
    "unreachable": "The agent cannot reach the printer over its cable or network.",
    "no_status": "The printer does not answer status requests.",
    "offline": "The device is offline.",
    "no_confirmation": "The printer did not confirm the end of a job: it may have been switched off or cut off.",
    "supervisor_restarting": "The agent's loop for this device keeps failing and restarting: a fault of the "
                             "agent, not of the device. Its log has the details.",
    "paper_near_end": "The paper roll is nearly used up: have a new roll ready.",
    "paper_out": "Out of paper: load paper.",
    "cover_open": "The cover is open: close it.",
    "cutter_error": "The paper cutter is stuck: open the cover and clear it.",
    "mechanical_error": "A mechanical fault: check for jammed paper, then switch the printer off and on.",
    "unrecoverable_error": "The printer reports a fault it cannot clear: switch it off and on, then call service.",
    "recoverable_error": "The printer reports a passing fault; it should clear by itself.",
    # scales
    "no_answer": "The scale does not answer.",
    "garbled": "The scale sends unreadable data: check its cable and baud rate.",
    "protocol_error": "The scale answers in an unexpected way: check its protocol setting.",
    "overload": "Too much weight on the scale.",
    "underload": "The scale reads below zero: empty the pan and zero it.",
    # copier and fax queues
    "jam": "Paper jam: open the machine and remove the jammed paper.",
    "toner_low": "Toner is low: order a new cartridge.",
    "toner_empty": "Toner is empty: replace the cartridge.",
    "supply_low": "A supply is running low.",
    "door_open": "A door or cover is open: close it.",
    "paused": "The queue is paused: jobs wait until someone resumes it.",
    "stopped": "The queue has stopped.",
    "stopped_with_jobs": "The queue has stopped with jobs waiting.",
    "not_accepting": "The queue does not accept new jobs.",
    "device_unreachable": "The print server cannot reach the machine.",
    "cups_unavailable": "The print server (CUPS) is not running or cannot be reached.",
    "queue_not_found": "The queue does not exist on the print server: check the queue name in the config.",
    "media_empty": "Out of paper: load paper.",
    "media_jam": "Paper jam: open the machine and remove the jammed paper.",
    # the manager's own
    "agent_offline": "The agent is offline: this Pi or its connection to the broker is down.",
    "kiosk_offline": "The kiosk is offline.",
}

ERRORS = {
    "invalid_request": "The agent did not accept the request.",
    "unknown_command": "This agent does not know that command; it may run an older version.",
    "unknown_device": "The agent does not know that device; its configuration may have changed.",
    "device_offline": "The device is offline or cannot be reached.",
    "not_stable": "The scale did not settle.",
    "internal_error": "The agent ran into an internal error; its log says more.",
    "agent_unavailable": "The agent did not answer in time: it may be stopped, or the broker unreachable.",
    "job_not_found": "There is no such job: it may have finished or been cancelled already.",
    "refused": "The device refused the request.",
    "invalid_options": "The device did not accept the job's options.",
}

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


def readable_code(code: str) -> str:
    """`marker_waste_almost_full` -> `Marker waste almost full`."""
    words = str(code).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "Unknown"


def reason_text(code: str) -> str:
    return REASONS.get(code) or f"{readable_code(code)}."


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
    words = ERRORS.get(code) or reason_text(code)
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
