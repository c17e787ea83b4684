"""Incidents: a device (or an agent, or a kiosk) out of `ok`, from the first bad state until
it is ok again, kept in the `incidents` table so they survive a manager restart.

Hold-down: a device that fails again within `hold_down_seconds` of its recovery continues
the same incident instead of opening a new one, so flapping makes one incident (and one
alert). The recovery is only announced once the device stayed ok for that long.

A device taken out of its agent's config ends its incident at that moment (`ended_by`
"removed"): after the same hold-down, its message says so instead of "recovered", and
goes out only if the fault's did.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from frontdesk.manager.history.schema import REMOVED, incidents

# Which health counts as worse when an incident goes through several.
_SEVERITY = {"ok": 0, "warning": 1, "error": 2, "offline": 3}
ALERT_AT_ONCE = ("error", "offline")


def _same_device(site: str, agent: str, device: str | None):
    device_match = incidents.c.device.is_(None) if device is None else incidents.c.device == device
    return sa.and_(incidents.c.site == site, incidents.c.agent == agent, device_match)


class IncidentBook:
    def __init__(self, engine: Engine, hold_down_seconds: float) -> None:
        self.engine = engine
        self.hold_down = timedelta(seconds=hold_down_seconds)

    def fault(self, site: str, agent: str, device: str | None, kind: str, health: str, reasons: list[str],
              started_at: datetime, now: datetime) -> int:
        """The incident this bad state belongs to: the open one, one that recovered less than
        the hold-down ago (reopened), or a new one. Returns its id."""
        with self.engine.begin() as conn:
            last = conn.execute(sa.select(incidents).where(_same_device(site, agent, device))
                                .order_by(incidents.c.id.desc()).limit(1)).first()
            if last is not None and self._continues(last, now):
                worst = max(last.health, health, key=_SEVERITY.__getitem__)
                merged = list(last.reasons) + [r for r in reasons if r not in last.reasons]
                conn.execute(incidents.update().where(incidents.c.id == last.id)
                             .values(health=worst, reasons=merged, ended_at=None, ended_by=None))
                return last.id
            return conn.execute(incidents.insert().values(
                site=site, agent=agent, device=device, kind=kind, health=health, reasons=list(reasons),
                started_at=min(started_at, now))).inserted_primary_key[0]

    def _continues(self, last, now: datetime) -> bool:
        if last.ended_at is None:
            return True
        return last.recovery_alerted_at is None and now - last.ended_at < self.hold_down

    def ok(self, site: str, agent: str, device: str | None, at: datetime) -> int | None:
        """End the open incident of this device (if any) at `at`; returns its id."""
        with self.engine.begin() as conn:
            return self._end(conn, site, agent, device, at)

    def removed(self, site: str, agent: str, device: str, at: datetime) -> int | None:
        """End the open incident of a device that left its agent's config; returns its id."""
        with self.engine.begin() as conn:
            return self._end(conn, site, agent, device, at, ended_by=REMOVED)

    @staticmethod
    def _end(conn: Connection, site: str, agent: str, device: str | None, at: datetime,
             ended_by: str | None = None) -> int | None:
        row = conn.execute(sa.select(incidents.c.id, incidents.c.started_at)
                           .where(_same_device(site, agent, device), incidents.c.ended_at.is_(None))).first()
        if row is None:
            return None
        conn.execute(incidents.update().where(incidents.c.id == row.id)
                     .values(ended_at=max(at, row.started_at), ended_by=ended_by))
        return row.id

    def due_faults(self, now: datetime, warning_after: timedelta) -> list[dict]:
        """Open incidents not yet announced that should be: error/offline at once, a warning
        once it has lasted `warning_after`."""
        query = sa.select(incidents).where(incidents.c.ended_at.is_(None), incidents.c.alerted_at.is_(None))
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query.order_by(incidents.c.id))]
        return [r for r in rows if r["health"] in ALERT_AT_ONCE or now - r["started_at"] >= warning_after]

    def due_recoveries(self, now: datetime) -> list[dict]:
        """Announced incidents whose device has now been ok (or gone, `ended_by` says which)
        for the whole hold-down."""
        query = sa.select(incidents).where(
            incidents.c.ended_at.is_not(None), incidents.c.ended_at <= now - self.hold_down,
            incidents.c.alerted_at.is_not(None), incidents.c.recovery_alerted_at.is_(None))
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query.order_by(incidents.c.id))]

    def mark(self, incident_id: int, column: str, at: datetime) -> None:
        """Record that the fault (`alerted_at`) or recovery (`recovery_alerted_at`) went out."""
        if column not in ("alerted_at", "recovery_alerted_at"):
            raise ValueError(f"not an alert column: {column!r}")
        with self.engine.begin() as conn:
            conn.execute(incidents.update().where(incidents.c.id == incident_id)
                         .values({column: at}))
