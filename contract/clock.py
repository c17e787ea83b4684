"""The one place Frontdesk asks what time it is, so that tests can set it.

Code that needs the wall-clock time or today's date calls `now()` or `today(zone)`, never
`datetime.now()` or `date.today()`: a test sets the time with `frozen_at(moment)`, and a whole
process started under faketime sees the faked time here as everywhere.

What day it is depends on where you stand: the office's date is `today(office_zone)`, never the
machine's (a Pi left on UTC would change rate tables and daily logs at the wrong midnight).

Elapsed time (timeouts, intervals, idle timers) is measured with `time.monotonic()` directly:
it asks how long, not what time, and no date or clock change moves it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone, tzinfo


def _system_now() -> datetime:
    return datetime.now(timezone.utc)


_source: Callable[[], datetime] = _system_now


def now() -> datetime:
    """The time now, timezone-aware, in UTC."""
    return _source()


def today(zone: tzinfo) -> date:
    """Today's date where `zone` is (the office's time zone)."""
    return now().astimezone(zone).date()


class FrozenClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("a frozen clock needs a timezone-aware time")
        self.moment = moment.astimezone(timezone.utc)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, by: timedelta) -> datetime:
        self.moment += by
        return self.moment


@contextmanager
def frozen_at(moment: datetime) -> Iterator[FrozenClock]:
    """Within the block, `now()` answers `moment` (and later what `advance` makes it)."""
    global _source
    clock, previous = FrozenClock(moment), _source
    _source = clock
    try:
        yield clock
    finally:
        _source = previous
