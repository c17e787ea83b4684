"""A CUPS queue's state as an immutable snapshot, and what it means for the staff.

`printer-state-reasons` keywords carry a severity suffix (RFC 8011): `-error`,
`-warning`, `-report`; a keyword without one is an error, one CUPS cut short is
completed (devices/queues/reasons.py). `none` means nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from frontdesk.contract import clock
from frontdesk.devices.queues.reasons import Severity, split_reason

Health = Literal["ok", "warning", "error", "offline"]
# IPP printer-state 3, 4 and 5.
PrinterState = Literal["idle", "processing", "stopped"]

# CUPS/IPP keywords -> Frontdesk's reason codes (the same names the printer uses).
_REASONS = {
    "media-empty": "paper_out",
    "media-needed": "paper_out",
    "media-low": "paper_low",
    "media-jam": "jam",
    "toner-low": "toner_low",
    "toner-empty": "toner_empty",
    "marker-supply-low": "supply_low",
    "marker-supply-empty": "supply_empty",
    "marker-waste-almost-full": "waste_almost_full",
    "marker-waste-full": "waste_full",
    "door-open": "door_open",
    "cover-open": "door_open",
    "input-tray-missing": "tray_missing",
    "output-area-full": "output_full",
    "offline": "offline",
    "shutdown": "offline",
    "timed-out": "offline",
    "connecting-to-device": "connecting",
    "paused": "paused",
    "moving-to-paused": "paused",
    "cups-missing-filter": "driver_problem",
    "cups-insecure-filter": "driver_problem",
}
# Conditions that are part of normal work, whatever their suffix says.
_INFORMATIONAL = {"connecting-to-device", "cups-waiting-for-job-completed", "other"}
# Printers often only "report" these, but the office must order supplies before
# they run out, so even a -report makes the queue's health a warning.
_CONSUMABLES = {"toner-low", "toner-empty", "marker-supply-low", "marker-supply-empty", "marker-waste-almost-full",
                "marker-waste-full", "media-low"}


@dataclass(frozen=True)
class StateReason:
    keyword: str  # without its suffix, e.g. "toner-low"
    severity: Severity

    @classmethod
    def parse(cls, raw: str) -> StateReason:
        return cls(*split_reason(raw))

    @property
    def code(self) -> str:
        # Any other keyword as it is, in the contract's form (a-z, 0-9, _): a vendor's
        # `com.example.tray-jam` becomes `com_example_tray_jam`.
        return _REASONS.get(self.keyword) or re.sub(r"[^a-z0-9_]", "_", self.keyword.lower())[:64]


@dataclass(frozen=True)
class Supply:
    name: str
    level: int | None  # percent; None when the printer does not know (-1, -2, -3 in IPP)
    low_level: int | None
    kind: str  # PWG 5100.13's words: toner, ink, wasteToner, ...
    color: str | None  # black, cyan, ...; None for a waste tank or where unknown
    high_level: int | None = None  # percent; a waste tank this full is almost full

    @property
    def waste(self) -> bool:
        return self.kind.startswith("waste")

    @property
    def low(self) -> bool:
        # An empty waste tank is good news: only what is used up runs low.
        return not self.waste and self.level is not None and self.low_level is not None and self.level <= self.low_level


@dataclass(frozen=True)
class ActiveJob:
    """The job the queue is working on; its owner by initials only (personal data)."""

    id: int
    name: str
    owner: str
    pages: int | None

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "owner": self.owner, "pages": self.pages}


@dataclass(frozen=True)
class QueueState:
    queue_id: str
    cups_name: str
    kind: str
    state: PrinterState
    accepting: bool
    reasons: tuple[StateReason, ...]
    message: str
    supplies: tuple[Supply, ...] = ()
    jobs_waiting: int = 0  # pending: not started yet
    jobs_held: int = 0  # held until someone releases them
    active_job: ActiveJob | None = None
    device_reachable: bool | None = None  # None: not asked (not an IPP device)
    checked_at: datetime = field(default_factory=clock.now)

    @property
    def stuck_jobs(self) -> int:
        """Jobs held up because the queue is stopped."""
        return self.jobs_waiting if self.state == "stopped" else 0

    @property
    def problems(self) -> tuple[str, ...]:
        """Frontdesk reason codes, most serious first, without duplicates."""
        found: list[str] = []
        ordered = sorted(self.reasons, key=lambda r: ("error", "warning", "report").index(r.severity))
        for reason in ordered:
            noteworthy = reason.severity != "report" or reason.keyword in _CONSUMABLES
            if reason.keyword not in _INFORMATIONAL and noteworthy and reason.code not in found:
                found.append(reason.code)
        if self.state == "stopped" and "paused" not in found:
            found.insert(0, "stopped")
        if self.state == "stopped" and self.stuck_jobs:
            found.insert(0, "stopped_with_jobs")
        if not self.accepting:
            found.append("not_accepting")
        if self.device_reachable is False:
            found.insert(0, "device_unreachable")
        found += [f"{s.kind}_low:{s.name}" for s in self.supplies if s.low and f"{s.kind}_low" not in found]
        return tuple(found)

    @property
    def health(self) -> Health:
        if self.device_reachable is False or any(r.code == "offline" and r.severity == "error" for r in self.reasons):
            return "offline"
        serious = any(r.severity == "error" and r.keyword not in _INFORMATIONAL for r in self.reasons)
        if serious or self.stuck_jobs and self.state == "stopped":
            return "error"
        return "warning" if self.problems else "ok"

    def as_dict(self) -> dict:
        return {
            "queue": self.queue_id,
            "cups_name": self.cups_name,
            "kind": self.kind,
            "health": self.health,
            "reasons": list(self.problems),
            "state": self.state,
            "accepting": self.accepting,
            "message": self.message,
            "printer_state_reasons": [f"{r.keyword}-{r.severity}" for r in self.reasons],
            "device_reachable": self.device_reachable,
            "supplies": [
                {"name": s.name, "level": s.level, "low_level": s.low_level, "kind": s.kind, "color": s.color}
                for s in self.supplies
            ],
            "checked_at": self.checked_at.isoformat(),
        }
