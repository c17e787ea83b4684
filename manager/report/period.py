"""The period a report covers: whole days in the office's time zone.

The manager thinks in office days ("Monday 19 October"), the history stores UTC.
A period is a range of local dates, first and last included; its UTC bounds come
from local midnights, so a day with a daylight-saving change is 23 or 25 hours
long, exactly as it was lived at the desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

# Longest period one report may cover: beyond that the daily charts stop being readable
# and the history query grows without bound.
MAX_DAYS = 366


class PeriodError(ValueError):
    """A period that cannot be reported on; the message is one line for the user."""


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise PeriodError(f"the period starts after it ends ({self.first} is after {self.last})")
        if self.days > MAX_DAYS:
            raise PeriodError(f"the period is {self.days} days long; a report covers at most {MAX_DAYS} days")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime:
        """The first instant of the period, UTC."""
        return local_midnight(self.first, self.tz)

    @property
    def end(self) -> datetime:
        """The first instant after the period, UTC."""
        return local_midnight(self.last + timedelta(days=1), self.tz)

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range(self.days)]

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)


def parse_date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{what} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-02") from None


def period_from_text(first: str, last: str, tz: ZoneInfo) -> Period:
    return Period(parse_date(first, "--from"), parse_date(last, "--to"), tz)


def previous_period(schedule: str, today: date, tz: ZoneInfo) -> Period:
    """The last complete day, week (Monday to Sunday) or calendar month before `today`."""
    if schedule == "daily":
        day = today - timedelta(days=1)
        return Period(day, day, tz)
    if schedule == "weekly":
        this_monday = today - timedelta(days=today.weekday())
        return Period(this_monday - timedelta(days=7), this_monday - timedelta(days=1), tz)
    if schedule == "monthly":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last, tz)
    raise ValueError(f"unknown report schedule {schedule!r}")
