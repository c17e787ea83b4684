"""Each device's availability, its faults by reason and its time to recover.

Sources (manager.history.schema):
* `device_states`: one row per change of a device's health/reasons; `since` is
  when the device entered that health, by the agent's clock; a `removed` row when
  the device left its agent's config (it counts until then, and a device removed
  before the period is not listed);
* `availability`: agents and kiosks going online/offline;
* `device_events`: one event per new fault reason (its payload carries the
  `health`), and job outcomes (`job_completed`, `fax_sent`, ...). Events are
  delivered with QoS 1 to a persistent session, so they count faults the
  manager saw only as a final retained state after a restart of its own.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, and_, func, or_, select

from frontdesk.contract import mqtt as contract
from frontdesk.manager.history.schema import availability, device_events, device_states
from frontdesk.manager.report.period import Period
from frontdesk.manager.report.queries import in_sites
from frontdesk.manager.report.timeline import (
    SEVERITY,
    USABLE,
    Change,
    Outage,
    TimeUse,
    outages,
    recovered_within,
    removed_throughout,
    still_down,
    time_use,
)

FAULT_HEALTHS = ("warning", "error", "offline")
# Job outcomes worth counting, with the words the report uses for them.
JOB_EVENTS = {"job_completed": "printed", "job_waiting": "had to wait", "job_uncertain": "voided and reprinted",
              "job_failed": "could not print", "fax_sent": "faxes sent", "fax_failed": "faxes failed"}

Key = tuple[str, str, str]  # (site, agent, device)


@dataclass(frozen=True)
class DeviceFigures:
    site: str
    agent: str
    device: str
    kind: str
    use: TimeUse
    faults: int  # fault events in the period
    outages_started: int
    recovered: list[Outage]  # outages that ended in the period
    down_at_end: Outage | None
    jobs: dict[str, int] = field(default_factory=dict)

    @property
    def mttr_seconds(self) -> float | None:
        return statistics.fmean(o.seconds for o in self.recovered) if self.recovered else None

    @property
    def longest_seconds(self) -> float | None:
        return max(o.seconds for o in self.recovered) if self.recovered else None


@dataclass(frozen=True)
class FaultRow:
    reason: str
    health: str  # the worst health this reason came with
    count: int
    devices: int
    seconds: float  # how long the reason was active, over all devices


@dataclass(frozen=True)
class DeviceReport:
    devices: list[DeviceFigures]  # printers, scales, queues
    hosts: list[DeviceFigures]  # agents and kiosks themselves (kind "agent" / "kiosk")
    faults: list[FaultRow]  # most frequent first

    @property
    def recovered(self) -> list[Outage]:
        return [outage for device in self.devices for outage in device.recovered]

    @property
    def mttr_seconds(self) -> float | None:
        found = self.recovered
        return statistics.fmean(o.seconds for o in found) if found else None


def device_report(engine: Engine, period: Period, sites: tuple[str, ...] | None, now: datetime) -> DeviceReport:
    """`now` caps the period: the part of it still in the future is not counted."""
    stop = max(period.start, min(period.end, now))
    with engine.connect() as connection:
        changes, kinds = _state_changes(connection, period.start, stop, sites)
        online = _availability_changes(connection, period.start, stop, sites)
        fault_events = _fault_events(connection, period, sites)
        jobs = _job_counts(connection, period, sites)
    devices = []
    for key, points in sorted(changes.items()):
        if removed_throughout(points, period.start, stop):
            continue
        site, agent, _ = key
        agent_online = [(at, up) for at, up in online.get((site, "agent", agent), [])]
        devices.append(_figures(key, kinds[key], points, agent_online, period.start, stop,
                                sum(1 for event in fault_events if event[0] == key), jobs.get(key, {})))
    hosts = []
    for (site, source, source_id), points in sorted(online.items()):
        host_changes = [Change(at, "ok" if up else "offline") for at, up in points]
        hosts.append(_figures((site, source_id, source_id), source, host_changes, [], period.start, stop, 0, {}))
    return DeviceReport(devices, hosts, _fault_rows(fault_events, devices))


def _figures(key: Key, kind: str, points: list[Change], agent_online, start, stop, faults: int,
             jobs: dict[str, int]) -> DeviceFigures:
    found = outages(points)
    return DeviceFigures(
        site=key[0], agent=key[1], device=key[2], kind=kind,
        use=time_use(points, agent_online, start, stop), faults=faults,
        outages_started=sum(1 for outage in found if start <= outage.started < stop),
        recovered=recovered_within(found, start, stop), down_at_end=still_down(found, stop), jobs=jobs,
    )


def _state_changes(connection, start, stop, sites):
    """Each device's changes up to `stop`, reaching back to its last usable state before
    `start`: enough to know its health when the period opens and when an outage going on
    then had begun."""
    keys = (device_states.c.site, device_states.c.agent, device_states.c.device)
    last_usable = (
        select(*keys, func.max(device_states.c.since).label("at"))
        .where(device_states.c.since < start, device_states.c.health.in_(USABLE))
        .group_by(*keys)
        .subquery()
    )
    joined = device_states.outerjoin(last_usable, and_(
        device_states.c.site == last_usable.c.site, device_states.c.agent == last_usable.c.agent,
        device_states.c.device == last_usable.c.device))
    query = (
        select(*keys, device_states.c.kind, device_states.c.health, device_states.c.reasons, device_states.c.since,
               device_states.c.received_at, device_states.c.payload)
        .select_from(joined)
        .where(device_states.c.since < stop, in_sites(device_states, sites),
               or_(last_usable.c.at.is_(None), device_states.c.since >= last_usable.c.at))
        .order_by(*keys, device_states.c.id)
    )
    changes: dict[Key, list[Change]] = defaultdict(list)
    kinds: dict[Key, str] = {}
    for row in connection.execute(query):
        key = (row.site, row.agent, row.device)
        previous = changes[key][-1] if changes[key] else None
        changes[key].append(Change(_changed_at(row, previous), row.health, tuple(row.reasons or ())))
        kinds[key] = row.kind
    return changes, kinds


def _changed_at(row, previous: Change | None) -> datetime:
    """When this state began. `since` moves only when the health changes; a change of
    reasons within the same health (paper out, then also cover open) dates from the
    state message's own `updated`, else from when the manager received it."""
    if previous is None or row.health != previous.health:
        moment = row.since
    else:
        updated = row.payload.get("updated") if isinstance(row.payload, dict) else None
        moment = contract.parse_time(updated) or row.received_at
    return moment if previous is None else max(moment, previous.at)


def _availability_changes(connection, start, stop, sites):
    """(site, source, id) -> [(time, online)], from the last change before `start` on."""
    keys = (availability.c.site, availability.c.source, availability.c.source_id)
    last_before = (
        select(*keys, func.max(availability.c.at).label("at"))
        .where(availability.c.at < start)
        .group_by(*keys)
        .subquery()
    )
    joined = availability.outerjoin(last_before, and_(
        availability.c.site == last_before.c.site, availability.c.source == last_before.c.source,
        availability.c.source_id == last_before.c.source_id))
    query = (
        select(*keys, availability.c.status, availability.c.at)
        .select_from(joined)
        .where(availability.c.at < stop, in_sites(availability, sites),
               or_(availability.c.at >= start, availability.c.at >= last_before.c.at))
        .order_by(*keys, availability.c.at, availability.c.id)
    )
    found: dict[tuple[str, str, str], list[tuple[datetime, bool]]] = defaultdict(list)
    for row in connection.execute(query):
        found[(row.site, row.source, row.source_id)].append((row.at, row.status == "online"))
    return found


def _fault_events(connection, period: Period, sites) -> list[tuple[Key, str, str]]:
    """(device key, reason, health) of every fault event in the period."""
    query = (
        select(device_events.c.site, device_events.c.agent, device_events.c.device, device_events.c.event,
               device_events.c.payload)
        .where(device_events.c.at >= period.start, device_events.c.at < period.end,
               device_events.c.event.not_in(["recovered", *JOB_EVENTS]), in_sites(device_events, sites))
    )
    found = []
    for row in connection.execute(query):
        health = row.payload.get("health") if isinstance(row.payload, dict) else None
        if health in FAULT_HEALTHS:  # a new fault reason; other events (fax_pending, ...) are not faults
            found.append(((row.site, row.agent, row.device), row.event, health))
    return found


def _job_counts(connection, period: Period, sites) -> dict[Key, dict[str, int]]:
    keys = (device_events.c.site, device_events.c.agent, device_events.c.device)
    query = (
        select(*keys, device_events.c.event, func.count().label("n"))
        .where(device_events.c.at >= period.start, device_events.c.at < period.end,
               device_events.c.event.in_(list(JOB_EVENTS)), in_sites(device_events, sites))
        .group_by(*keys, device_events.c.event)
    )
    found: dict[Key, dict[str, int]] = defaultdict(dict)
    for row in connection.execute(query):
        found[(row.site, row.agent, row.device)][row.event] = row.n
    return found


def _fault_rows(events: list[tuple[Key, str, str]], devices: list[DeviceFigures]) -> list[FaultRow]:
    """Every reason that appeared in the period or was active during it; a reason active
    since before the period has a count of 0 but its time active."""
    counts: dict[str, int] = defaultdict(int)
    worst: dict[str, str] = {}
    affected: dict[str, set[Key]] = defaultdict(set)
    seconds: dict[str, float] = defaultdict(float)

    def seen(reason: str, health: str, key: Key) -> None:
        affected[reason].add(key)
        if SEVERITY[health] > SEVERITY.get(worst.get(reason, ""), 0):
            worst[reason] = health

    for key, reason, health in events:
        counts[reason] += 1
        seen(reason, health, key)
    for device in devices:
        key = (device.site, device.agent, device.device)
        for reason, active in device.use.reason_seconds.items():
            seconds[reason] += active
            seen(reason, device.use.reason_health[reason], key)
    rows = [FaultRow(reason, worst[reason], counts[reason], len(affected[reason]), seconds[reason])
            for reason in affected]
    return sorted(rows, key=lambda row: (-row.count, -row.seconds, row.reason))
