"""The printer's real-time status (DLE EOT 1-4) as an immutable snapshot.

Status is best effort: some printers never answer, a file connection cannot read
at all. No answer is "unknown", never "paper ok" (python-escpos' paper_status()
says "plenty of paper" when nothing answered; we do not inherit that).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Literal

from frontdesk.contract import clock

Paper = Literal["ok", "near_end", "out", "unknown"]
Health = Literal["ok", "warning", "error", "offline"]

# Every status byte has bits 1 and 4 set and bits 0 and 7 clear; a byte that does
# not is not a status reply (noise, or an automatic status back frame).
_FIXED_MASK, _FIXED_BITS = 0x93, 0x12


class StatusQuery(IntEnum):
    PRINTER = 1
    OFFLINE_CAUSE = 2
    ERROR_CAUSE = 3
    PAPER_SENSOR = 4


def is_status_byte(value: int) -> bool:
    return value & _FIXED_MASK == _FIXED_BITS


# The first byte of an Automatic Status Back report: bit 4 set, bits 0, 1 and 7 clear.
_ASB_MASK, _ASB_BITS = 0x93, 0x10


def is_status_back_start(value: int) -> bool:
    return value & _ASB_MASK == _ASB_BITS


_ERROR_BITS = {0x04: "mechanical_error", 0x08: "cutter_error", 0x20: "unrecoverable_error", 0x40: "recoverable_error"}

_REASON_WORDS = {
    "unreachable": "cannot be reached",
    "no_status": "does not report its status",
    "offline": "is offline",
    "paper_out": "is out of paper",
    "paper_near_end": "is nearly out of paper",
    "cover_open": "has its cover open",
    "mechanical_error": "has a mechanical error",
    "cutter_error": "has a cutter error (paper jam at the cutter?)",
    "unrecoverable_error": "has an unrecoverable error: switch it off and on",
    "recoverable_error": "has an error it will recover from",
}


@dataclass(frozen=True)
class PrinterStatus:
    reachable: bool
    answered: bool = False
    online: bool | None = None
    paper: Paper = "unknown"
    cover_open: bool | None = None
    errors: tuple[str, ...] = ()
    drawer_open: bool | None = None
    checked_at: datetime = field(default_factory=clock.now)

    @classmethod
    def from_replies(cls, replies: dict[StatusQuery, int]) -> PrinterStatus:
        """Decode the replies a printer gave; a missing query stays unknown."""
        printer = replies.get(StatusQuery.PRINTER)
        offline = replies.get(StatusQuery.OFFLINE_CAUSE)
        error = replies.get(StatusQuery.ERROR_CAUSE)
        paper = replies.get(StatusQuery.PAPER_SENSOR)
        return cls(
            reachable=True,
            answered=printer is not None,
            online=None if printer is None else not printer & 0x08,
            drawer_open=None if printer is None else bool(printer & 0x04),
            cover_open=None if offline is None else bool(offline & 0x04),
            errors=() if error is None else tuple(n for bit, n in _ERROR_BITS.items() if error & bit),
            paper=_paper(paper, offline),
        )

    @classmethod
    def from_status_back(cls, frame: bytes) -> PrinterStatus:
        """Decode a 4-byte Automatic Status Back report (GS a) as the DLE EOT replies it stands for."""
        first, second, third = frame[0], frame[1], frame[2]
        paper_out, near_end = bool(third & 0x0C), bool(third & 0x03)
        error_bits = second & 0x6C
        return cls.from_replies({
            StatusQuery.PRINTER: 0x12 | (first & 0x0C),
            StatusQuery.OFFLINE_CAUSE: 0x12 | (0x04 if first & 0x20 else 0) | (0x20 if paper_out else 0)
            | (0x40 if error_bits else 0),
            StatusQuery.ERROR_CAUSE: 0x12 | error_bits,
            StatusQuery.PAPER_SENSOR: 0x12 | (0x0C if near_end and not paper_out else 0) | (0x60 if paper_out else 0),
        })

    @property
    def reasons(self) -> tuple[str, ...]:
        if not self.reachable:
            return ("unreachable",)
        found: list[str] = []
        if not self.answered:
            found.append("no_status")
        if self.online is False:
            found.append("offline")
        if self.paper == "out":
            found.append("paper_out")
        elif self.paper == "near_end":
            found.append("paper_near_end")
        if self.cover_open:
            found.append("cover_open")
        found.extend(self.errors)
        # "offline" alone says nothing when a cause is known.
        if "offline" in found and len(found) > 1 + ("no_status" in found):
            found.remove("offline")
        return tuple(found)

    @property
    def health(self) -> Health:
        reasons = set(self.reasons)
        if "unreachable" in reasons:
            return "offline"
        if reasons - {"no_status", "paper_near_end", "recoverable_error"}:
            return "error"
        if reasons:
            return "warning"
        return "ok"

    @property
    def ready(self) -> bool:
        """Known to be able to print now."""
        return self.answered and self.health in ("ok", "warning") and self.paper != "out"

    def describe(self, name: str = "The printer") -> str:
        if not self.reasons:
            return f"{name} is ready (paper ok)."
        return f"{name} " + "; ".join(_REASON_WORDS[r] for r in self.reasons) + "."

    def as_dict(self) -> dict:
        return {
            "health": self.health,
            "reasons": list(self.reasons),
            "reachable": self.reachable,
            "answered": self.answered,
            "online": self.online,
            "paper": self.paper,
            "cover_open": self.cover_open,
            "errors": list(self.errors),
            "drawer_open": self.drawer_open,
            "checked_at": self.checked_at.isoformat(),
        }


def _paper(sensor: int | None, offline: int | None) -> Paper:
    if sensor is not None:
        if sensor & 0x60 == 0x60:
            return "out"
        if sensor & 0x0C == 0x0C:
            return "near_end"
        return "ok"
    if offline is not None and offline & 0x20:
        return "out"
    return "unknown"
