"""How long each device spent in each health, from its change points.

Pure functions over lists of change points, so the arithmetic is tested without
a database. A device is *usable* when it is `ok` or `warning` (a printer with
paper near its end still prints); an *outage* runs from the moment it became
`error` or `offline` until it was usable again, and its length is the time to
recover. While a device's agent is offline nobody knows the device's health:
that time is counted as "agent offline", not as the device's own fault. A device
taken out of its agent's config (a `removed` change) is not counted at all from
then on, until it reports again: an outage going on then ends there, without
counting as a recovery.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime

from frontdesk.manager.history.schema import REMOVED

USABLE = ("ok", "warning")
# Buckets of a device's time, in the order the report shows them.
BUCKETS = ("ok", "warning", "error", "offline", "agent_offline", "no_data")
SEVERITY = {"warning": 1, "offline": 2, "error": 3}


@dataclass(frozen=True)
class Change:
    """The device entered `health` with `reasons` at `at`."""

    at: datetime
    health: str
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outage:
    started: datetime
    ended: datetime | None  # None: not usable again by the end of the period
    removed: bool = False  # ended because the device left its agent's config, not usable again

    @property
    def seconds(self) -> float | None:
        return None if self.ended is None else (self.ended - self.started).total_seconds()


@dataclass
class TimeUse:
    """Seconds per bucket and per active reason over one period."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0.0))
    reason_seconds: dict[str, float] = field(default_factory=dict)
    reason_health: dict[str, str] = field(default_factory=dict)  # the worst health each reason came with

    @property
    def observed(self) -> float:
        return sum(self.seconds.values()) - self.seconds["no_data"]

    @property
    def availability(self) -> float | None:
        """Share of the observed time the device was usable; None with no observation."""
        observed = self.observed
        if observed <= 0:
            return None
        return (self.seconds["ok"] + self.seconds["warning"]) / observed


def _value_at(points: list[tuple[datetime, object]], times: list[datetime], moment: datetime, default):
    index = bisect_right(times, moment)
    return points[index - 1][1] if index else default


def time_use(changes: list[Change], online: list[tuple[datetime, bool]], start: datetime, stop: datetime) -> TimeUse:
    """Split [start, stop) by health; `online` are the agent's (time, is_online) changes."""
    use = TimeUse()
    if stop <= start:
        return use
    changes = sorted(changes, key=lambda change: change.at)
    online = sorted(online)
    health_points = [(change.at, change) for change in changes]
    health_times = [change.at for change in changes]
    online_times = [moment for moment, _ in online]
    cuts = sorted({start, stop, *(t for t in health_times + online_times if start < t < stop)})
    for begin, finish in zip(cuts, cuts[1:]):
        seconds = (finish - begin).total_seconds()
        change = _value_at(health_points, health_times, begin, None)
        agent_online = _value_at(online, online_times, begin, True)
        if change is not None and change.health == REMOVED:
            continue  # no longer one of the office's devices: not counted at all
        if change is None:
            bucket = "no_data"
        elif not agent_online:
            bucket = "agent_offline"
        else:
            bucket = change.health if change.health in BUCKETS else "error"
        use.seconds[bucket] += seconds
        if bucket in ("warning", "error", "offline"):
            for reason in change.reasons:
                use.reason_seconds[reason] = use.reason_seconds.get(reason, 0.0) + seconds
                if SEVERITY[bucket] > SEVERITY.get(use.reason_health.get(reason, ""), 0):
                    use.reason_health[reason] = bucket
    return use


def outages(changes: list[Change]) -> list[Outage]:
    """Every stretch of `error`/`offline`, from leaving usable to being usable again."""
    found: list[Outage] = []
    started: datetime | None = None
    for change in sorted(changes, key=lambda change: change.at):
        if change.health in USABLE or change.health == REMOVED:
            if started is not None and change.at > started:  # usable again at the same instant: no outage
                found.append(Outage(started, change.at, removed=change.health == REMOVED))
            started = None
        elif started is None:
            started = change.at
    if started is not None:
        found.append(Outage(started, None))
    return found


def recovered_within(found: list[Outage], start: datetime, stop: datetime) -> list[Outage]:
    """Outages that ended inside [start, stop) by a recovery: the ones a period's time to recover
    is about (one ended by the device's removal was never recovered from)."""
    return [outage for outage in found
            if outage.ended is not None and not outage.removed and start <= outage.ended < stop]


def removed_throughout(changes: list[Change], start: datetime, stop: datetime) -> bool:
    """Whether the device was out of its agent's config for the whole of [start, stop): removed
    before the period and not back during it (such a device is not one of the period's)."""
    before = sorted((change for change in changes if change.at <= start), key=lambda change: change.at)
    if not before or before[-1].health != REMOVED:
        return False
    return not any(start < change.at < stop for change in changes)


def still_down(found: list[Outage], stop: datetime) -> Outage | None:
    """The outage going on at `stop`, if any (started before it, not ended by then)."""
    for outage in found:
        if outage.started < stop and (outage.ended is None or outage.ended >= stop):
            return Outage(outage.started, None)
    return None
