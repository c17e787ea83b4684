"""Jobs on a CUPS queue, as immutable snapshots."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from frontdesk.contract import clock

JobState = Literal["pending", "held", "processing", "stopped", "canceled", "aborted", "completed"]
_STATES: dict[int, JobState] = {
    3: "pending", 4: "held", 5: "processing", 6: "stopped", 7: "canceled", 8: "aborted", 9: "completed",
}
FINISHED = ("canceled", "aborted", "completed")
JOB_ATTRIBUTES = [
    "job-id", "job-state", "job-name", "job-originating-user-name", "job-media-sheets-completed",
    "job-impressions-completed", "time-at-creation", "time-at-completed", "job-state-reasons",
    "job-printer-state-message", "job-printer-uri",
]


@dataclass(frozen=True)
class QueueJob:
    id: int
    queue: str
    state: JobState
    title: str
    owner: str
    pages: int | None
    created_at: datetime | None
    completed_at: datetime | None
    reasons: tuple[str, ...]
    message: str

    @classmethod
    def from_cups(cls, job_id: int, attributes: dict) -> QueueJob:
        reasons = attributes.get("job-state-reasons", ())
        return cls(
            id=job_id,
            queue=attributes.get("job-printer-uri", "").rsplit("/", 1)[-1],
            state=_STATES.get(attributes.get("job-state", 0), "pending"),
            title=attributes.get("job-name", ""),
            owner=attributes.get("job-originating-user-name", ""),
            pages=attributes.get("job-impressions-completed") or attributes.get("job-media-sheets-completed"),
            created_at=_time(attributes.get("time-at-creation")),
            completed_at=_time(attributes.get("time-at-completed")),
            reasons=tuple([reasons] if isinstance(reasons, str) else reasons),
            message=attributes.get("job-printer-state-message", ""),
        )

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def age_seconds(self, now: datetime | None = None) -> float | None:
        if self.created_at is None:
            return None
        return ((now or clock.now()) - self.created_at).total_seconds()

    def as_dict(self) -> dict:
        return {
            "id": self.id, "queue": self.queue, "state": self.state, "title": self.title, "owner": self.owner,
            "pages": self.pages, "age_seconds": self.age_seconds(), "reasons": list(self.reasons),
            "message": self.message,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
        }


def _time(value) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(int(value), timezone.utc)


def initials(owner: str) -> str:
    """A job owner's initials (`anna.weber` -> `AW`): who it is, without publishing a name."""
    words = [word for word in re.split(r"[\s._@-]+", owner.split("@", 1)[0]) if word]
    return "".join(word[0].upper() for word in words[:3])


@dataclass(frozen=True)
class JobCounts:
    """What a queue has to do: jobs not started, jobs held, and the one it works on."""

    waiting: int
    held: int
    active: QueueJob | None

    @classmethod
    def of(cls, jobs: list[QueueJob]) -> JobCounts:
        working = sorted((job for job in jobs if job.state in ("processing", "stopped")), key=lambda job: job.id)
        return cls(
            waiting=sum(job.state == "pending" for job in jobs),
            held=sum(job.state == "held" for job in jobs),
            active=working[0] if working else None,
        )
