"""Every code a device state, an event or a command reply may carry, and its words in English.

`Reason`: why a device is not ok (`reasons` of its state, the name of a reason event, the
`reason` of a job event). `ErrorCode`: why a command failed (`error.code` of its reply).
Both are written once here; docs/mqtt.md lists them, and tests/contract checks that the two
agree. A copier may also report a CUPS keyword nobody listed (`marker_waste_almost_full`):
the reason's text is then the keyword made readable, never an error.

The words are for the office manager (the dashboard, alert mails) and the CLI: a sentence
that says what is wrong and, where it helps, what to do. The kiosk has its own shorter,
translated words (kiosk/screens/words.py).
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    # printers
    UNREACHABLE = "unreachable"
    NO_STATUS = "no_status"
    OFFLINE = "offline"  # also scales and queues
    PAPER_NEAR_END = "paper_near_end"
    PAPER_OUT = "paper_out"  # also queues
    COVER_OPEN = "cover_open"
    CUTTER_ERROR = "cutter_error"
    MECHANICAL_ERROR = "mechanical_error"
    UNRECOVERABLE_ERROR = "unrecoverable_error"
    RECOVERABLE_ERROR = "recoverable_error"
    # a print job's reason (job_waiting, job_uncertain events), not a state's
    NO_CONFIRMATION = "no_confirmation"
    NOT_CONFIRMED = "not_confirmed"
    DEVICE_BUSY = "device_busy"
    FAULT = "fault"
    PRINTER_ERROR = "printer_error"
    UNPRINTABLE = "unprintable"
    # scales
    NO_ANSWER = "no_answer"
    GARBLED = "garbled"
    PROTOCOL_ERROR = "protocol_error"
    OVERLOAD = "overload"
    UNDERLOAD = "underload"
    # copier and fax queues: Frontdesk's names for CUPS keywords (devices/queues/state.py)
    JAM = "jam"
    PAPER_LOW = "paper_low"
    TONER_LOW = "toner_low"
    TONER_EMPTY = "toner_empty"
    SUPPLY_LOW = "supply_low"
    SUPPLY_EMPTY = "supply_empty"
    WASTE_ALMOST_FULL = "waste_almost_full"
    WASTE_FULL = "waste_full"
    DOOR_OPEN = "door_open"
    TRAY_MISSING = "tray_missing"
    OUTPUT_FULL = "output_full"
    DRIVER_PROBLEM = "driver_problem"
    PAUSED = "paused"
    STOPPED = "stopped"
    STOPPED_WITH_JOBS = "stopped_with_jobs"
    NOT_ACCEPTING = "not_accepting"
    DEVICE_UNREACHABLE = "device_unreachable"
    CUPS_UNAVAILABLE = "cups_unavailable"
    QUEUE_NOT_FOUND = "queue_not_found"
    # CUPS keywords as older agents passed them on
    MEDIA_EMPTY = "media_empty"
    MEDIA_JAM = "media_jam"
    # any device: the agent's own loop for it keeps failing (health error, with a message)
    SUPERVISOR_RESTARTING = "supervisor_restarting"
    # the manager's own, for a whole agent or kiosk that went offline (never sent on MQTT)
    AGENT_OFFLINE = "agent_offline"
    KIOSK_OFFLINE = "kiosk_offline"


class ErrorCode(StrEnum):
    INVALID_REQUEST = "invalid_request"
    UNKNOWN_COMMAND = "unknown_command"
    UNKNOWN_DEVICE = "unknown_device"
    DEVICE_OFFLINE = "device_offline"  # unreachable, offline, no answer, CUPS down, queue not found
    NOT_STABLE = "not_stable"
    INTERNAL_ERROR = "internal_error"
    # Never sent by an agent: a client's own answer when no reply came in time.
    AGENT_UNAVAILABLE = "agent_unavailable"
    # the device's own reason, where it says more than device_offline
    JOB_NOT_FOUND = "job_not_found"
    REFUSED = "refused"
    INVALID_OPTIONS = "invalid_options"
    QUEUE_ERROR = "queue_error"
    PERMISSION_DENIED = "permission_denied"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    DEVICE_BUSY = "device_busy"
    FAULT = "fault"
    NOT_CONFIRMED = "not_confirmed"
    NO_CONFIRMATION = "no_confirmation"
    PRINTER_ERROR = "printer_error"
    GARBLED = "garbled"
    PROTOCOL_ERROR = "protocol_error"
    SCALE_ERROR = "scale_error"
    DEVICE_ERROR = "device_error"
    # postage (agent/postage/errors.py)
    POSTAGE_ERROR = "postage_error"
    BAD_RATE_TABLE = "bad_rate_table"
    UNKNOWN_CARRIER = "unknown_carrier"
    NO_TABLE_IN_FORCE = "no_table_in_force"
    UNKNOWN_MAIL_CLASS = "unknown_mail_class"
    DESTINATION_NOT_SERVED = "destination_not_served"
    INVALID_WEIGHT = "invalid_weight"
    OVERWEIGHT = "overweight"
    SURCHARGE_NOT_LISTED = "surcharge_not_listed"


REASONS: dict[str, str] = {
    # printers
    Reason.UNREACHABLE: "The agent cannot reach the printer over its cable or network.",
    Reason.NO_STATUS: "The printer does not answer status requests.",
    Reason.OFFLINE: "The device is offline.",
    Reason.PAPER_NEAR_END: "The paper roll is nearly used up: have a new roll ready.",
    Reason.PAPER_OUT: "Out of paper: load paper.",
    Reason.COVER_OPEN: "The cover is open: close it.",
    Reason.CUTTER_ERROR: "The paper cutter is stuck: open the cover and clear it.",
    Reason.MECHANICAL_ERROR: "A mechanical fault: check for jammed paper, then switch the printer off and on.",
    Reason.UNRECOVERABLE_ERROR: "The printer reports a fault it cannot clear: switch it off and on, then call service.",
    Reason.RECOVERABLE_ERROR: "The printer reports a passing fault; it should clear by itself.",
    Reason.NO_CONFIRMATION: "The printer did not confirm the end of a job: it may have been switched off or cut off.",
    Reason.NOT_CONFIRMED: "The printer reported a problem right after the job: the printout may be incomplete.",
    Reason.DEVICE_BUSY: "Another program holds the printer (a print server's driver): the agent cannot use it.",
    Reason.FAULT: "The printer reports a fault (cutter, mechanism): it needs a person.",
    Reason.PRINTER_ERROR: "The printer could not print.",
    Reason.UNPRINTABLE: "The job can never print and left the queue: print it again.",
    # scales
    Reason.NO_ANSWER: "The scale does not answer.",
    Reason.GARBLED: "The scale sends unreadable data: check its cable and baud rate.",
    Reason.PROTOCOL_ERROR: "The scale answers in an unexpected way: check its protocol setting.",
    Reason.OVERLOAD: "Too much weight on the scale.",
    Reason.UNDERLOAD: "The scale reads below zero: empty the pan and zero it.",
    # copier and fax queues
    Reason.JAM: "Paper jam: open the machine and remove the jammed paper.",
    Reason.PAPER_LOW: "Paper is running low: fill the tray.",
    Reason.TONER_LOW: "Toner is low: order a new cartridge.",
    Reason.TONER_EMPTY: "Toner is empty: replace the cartridge.",
    Reason.SUPPLY_LOW: "A supply is running low.",
    Reason.SUPPLY_EMPTY: "A supply is used up: replace it.",
    Reason.WASTE_ALMOST_FULL: "The waste toner box is almost full: order a new one.",
    Reason.WASTE_FULL: "The waste toner box is full: replace it.",
    Reason.DOOR_OPEN: "A door or cover is open: close it.",
    Reason.TRAY_MISSING: "A paper tray is missing: put it back.",
    Reason.OUTPUT_FULL: "The output tray is full: take the printouts out.",
    Reason.DRIVER_PROBLEM: "The print server's driver for this machine is missing or refused: check its setup.",
    Reason.PAUSED: "The queue is paused: jobs wait until someone resumes it.",
    Reason.STOPPED: "The queue has stopped.",
    Reason.STOPPED_WITH_JOBS: "The queue has stopped with jobs waiting.",
    Reason.NOT_ACCEPTING: "The queue does not accept new jobs.",
    Reason.DEVICE_UNREACHABLE: "The print server cannot reach the machine.",
    Reason.CUPS_UNAVAILABLE: "The print server (CUPS) is not running or cannot be reached.",
    Reason.QUEUE_NOT_FOUND: "The queue does not exist on the print server: check the queue name in the config.",
    Reason.MEDIA_EMPTY: "Out of paper: load paper.",
    Reason.MEDIA_JAM: "Paper jam: open the machine and remove the jammed paper.",
    # any device
    Reason.SUPERVISOR_RESTARTING: "The agent's loop for this device keeps failing and restarting: a fault of the "
                                  "agent, not of the device. Its log has the details.",
    # the manager's own
    Reason.AGENT_OFFLINE: "The agent is offline: this Pi or its connection to the broker is down.",
    Reason.KIOSK_OFFLINE: "The kiosk is offline.",
}

ERRORS: dict[str, str] = {
    ErrorCode.INVALID_REQUEST: "The agent did not accept the request.",
    ErrorCode.UNKNOWN_COMMAND: "This agent does not know that command; it may run an older version.",
    ErrorCode.UNKNOWN_DEVICE: "The agent does not know that device; its configuration may have changed.",
    ErrorCode.DEVICE_OFFLINE: "The device is offline or cannot be reached.",
    ErrorCode.NOT_STABLE: "The scale did not settle.",
    ErrorCode.INTERNAL_ERROR: "The agent ran into an internal error; its log says more.",
    ErrorCode.AGENT_UNAVAILABLE: "The agent did not answer in time: it may be stopped, or the broker unreachable.",
    ErrorCode.JOB_NOT_FOUND: "There is no such job: it may have finished or been cancelled already.",
    ErrorCode.REFUSED: "The device refused the request.",
    ErrorCode.INVALID_OPTIONS: "The device did not accept the job's options.",
    ErrorCode.QUEUE_ERROR: "The print server could not carry out the request.",
    ErrorCode.PERMISSION_DENIED: "The print server does not let the agent do that: check its CUPS permissions.",
    ErrorCode.PAPER_OUT: "Out of paper: load paper.",
    ErrorCode.COVER_OPEN: "The cover is open: close it.",
    ErrorCode.DEVICE_BUSY: "Another program holds the printer: the agent cannot use it.",
    ErrorCode.FAULT: "The printer reports a fault (cutter, mechanism): it needs a person.",
    ErrorCode.NOT_CONFIRMED: "The printer reported a problem right after printing: the printout may be incomplete.",
    ErrorCode.NO_CONFIRMATION: "The printer did not confirm the printout: it may have been switched off.",
    ErrorCode.PRINTER_ERROR: "The printer could not print.",
    ErrorCode.GARBLED: "The scale sends unreadable data: check its cable and baud rate.",
    ErrorCode.PROTOCOL_ERROR: "The scale did not understand the command: check its protocol setting.",
    ErrorCode.SCALE_ERROR: "The scale could not be read.",
    ErrorCode.DEVICE_ERROR: "The device could not carry out the request.",
    ErrorCode.POSTAGE_ERROR: "The postage could not be worked out.",
    ErrorCode.BAD_RATE_TABLE: "A postage rate table is malformed: the message names the file.",
    ErrorCode.UNKNOWN_CARRIER: "There is no rate table for that carrier.",
    ErrorCode.NO_TABLE_IN_FORCE: "No rate table of that carrier is in force today.",
    ErrorCode.UNKNOWN_MAIL_CLASS: "The carrier has no such mail class.",
    ErrorCode.DESTINATION_NOT_SERVED: "That mail class does not go to that destination.",
    ErrorCode.INVALID_WEIGHT: "The weight is not one the agent can read (e.g. 85g, 3.5oz).",
    ErrorCode.OVERWEIGHT: "Too heavy for that mail class.",
    ErrorCode.SURCHARGE_NOT_LISTED: "The rate table does not price that surcharge for this class.",
}


def readable_code(code: str) -> str:
    """`marker_waste_almost_full` -> `Marker waste almost full`."""
    words = str(code).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "Unknown"


def reason_text(code: str) -> str:
    """The words for a reason; a code nobody taught us (a CUPS keyword) made readable."""
    return REASONS.get(code) or f"{readable_code(code)}."


def error_text(code: str) -> str:
    """The words for a command's error code; an unknown one (a newer agent's) as a reason's."""
    return ERRORS.get(code) or reason_text(code)
