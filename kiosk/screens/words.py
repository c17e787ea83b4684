"""Machine codes from the agent (health, reasons, job states) as words staff can read."""

from __future__ import annotations

from frontdesk.kiosk.i18n import N_

HEALTH = {
    "ok": N_("OK"),
    "warning": N_("Needs attention soon"),
    "error": N_("Needs a person"),
    "offline": N_("Offline"),
}

REASONS = {
    # printers
    "unreachable": N_("cannot be reached"),
    "no_status": N_("does not report its status"),
    "offline": N_("offline"),
    "paper_near_end": N_("paper running low"),
    "paper_out": N_("out of paper"),
    "cover_open": N_("cover open"),
    "cutter_error": N_("paper cutter jammed"),
    "mechanical_error": N_("mechanical fault"),
    "unrecoverable_error": N_("fault that needs a restart"),
    "recoverable_error": N_("fault, recovering"),
    # scales
    "no_answer": N_("does not answer"),
    "garbled": N_("sends unreadable data"),
    "protocol_error": N_("protocol error"),
    "overload": N_("overloaded"),
    "underload": N_("below zero: tare it"),
    # copier and fax queues
    "jam": N_("paper jam"),
    "toner_low": N_("toner low"),
    "toner_empty": N_("toner empty"),
    "supply_low": N_("supplies low"),
    "door_open": N_("door open"),
    "paused": N_("paused"),
    "stopped": N_("stopped"),
    "stopped_with_jobs": N_("stopped with jobs waiting"),
    "not_accepting": N_("not accepting jobs"),
    "device_unreachable": N_("device cannot be reached"),
    "cups_unavailable": N_("print server unavailable"),
    "queue_not_found": N_("queue not found"),
    # any device: the agent's own loop for it keeps failing
    "supervisor_restarting": N_("agent fault: see its log"),
}

JOB_STATES = {
    "pending": N_("waiting"),
    "held": N_("held"),
    "processing": N_("printing"),
    "stopped": N_("stopped"),
    "canceled": N_("cancelled"),
    "aborted": N_("aborted"),
    "completed": N_("done"),
}

KINDS = {"printer": N_("Printer"), "scale": N_("Scale"), "copier": N_("Copier"), "fax": N_("Fax")}


def reasons_in_words(tr, reasons: list[str]) -> str:
    """'out of paper, cover open'; an unknown code is shown as it is, with spaces."""
    return ", ".join(tr.gettext(REASONS[code]) if code in REASONS else code.replace("_", " ") for code in reasons)
