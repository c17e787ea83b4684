"""The dashboard's live picture of every site: agents, kiosks, devices and recent events.

Seeded from the history when the app starts, then kept current by the Ingestor's
listener (`Board.apply`, on the ingest thread). The history stores a device's state
only when its health or reasons change, so supply levels and waiting jobs come from
the live messages (the retained states arrive again whenever the manager connects).
`apply` says what changed, as targets the page can redraw one by one. A device taken out
of its agent's config (its retained state cleared) leaves the board, live and after a
restart (its REMOVED row in the history), until it publishes a state again.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from frontdesk.contract import clock
from frontdesk.manager.history import schema
from frontdesk.manager.history.schema import REMOVED

EVENTS_PER_DEVICE = 4
RECENT_EVENTS = 25

# Targets of a change: ("device", site, agent, device), ("agent", site, agent),
# ("kiosks", site), ("events",), ("summary",), and ("layout",) when something new
# appeared and the whole board must be drawn again.
Target = tuple[str, ...]


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 string or a datetime, as an aware UTC datetime; None if it is neither."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


@dataclass
class Source:
    """An agent's or a kiosk's availability."""
    id: str
    status: str | None = None  # "online", "offline", or None while unknown
    at: datetime | None = None


@dataclass
class Device:
    site: str
    agent: str
    id: str
    state: dict[str, Any] = field(default_factory=dict)
    events: deque = field(default_factory=lambda: deque(maxlen=EVENTS_PER_DEVICE))
    seq: int = 0

    @property
    def kind(self) -> str:
        return str(self.state.get("kind") or "device")

    @property
    def health(self) -> str:
        health = self.state.get("health")
        return health if health in ("ok", "warning", "error", "offline") else "offline"

    @property
    def reasons(self) -> list[str]:
        reasons = self.state.get("reasons")
        return [str(r) for r in reasons] if isinstance(reasons, list) else []

    @property
    def since(self) -> datetime | None:
        return parse_time(self.state.get("since"))


@dataclass
class Agent(Source):
    devices: dict[str, Device] = field(default_factory=dict)


@dataclass
class Site:
    id: str
    agents: dict[str, Agent] = field(default_factory=dict)
    kiosks: dict[str, Source] = field(default_factory=dict)


@dataclass(frozen=True)
class Event:
    site: str
    agent: str
    device: str
    payload: dict[str, Any]
    at: datetime


class Board:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.sites: dict[str, Site] = {}
        self.recent: deque[Event] = deque(maxlen=RECENT_EVENTS)
        # Devices that left their agent's config: a late event of theirs must not bring the card back.
        self.removed: set[tuple[str, str, str]] = set()
        self.seq = 0  # grows with every change; the page uses it to order a snapshot and pushes

    # --- reading (callers hold `lock` while they render) ---

    def device(self, site: str, agent: str, device: str) -> Device | None:
        return self.sites.get(site, Site(site)).agents.get(agent, Agent(agent)).devices.get(device)

    def agent(self, site: str, agent: str) -> Agent | None:
        return self.sites.get(site, Site(site)).agents.get(agent)

    def sorted_sites(self) -> list[Site]:
        return [self.sites[name] for name in sorted(self.sites)]

    def all_devices(self) -> list[Device]:
        return [device for site in self.sites.values() for agent in site.agents.values()
                for device in agent.devices.values()]

    # --- changing ---

    def apply(self, message: Any) -> list[Target]:
        """Take one message from the Ingestor; returns what to redraw (empty: nothing)."""
        with self.lock:
            if message.kind == "availability":
                return self._availability(message.site, message.source, message.source_id,
                                          message.payload, message.received_at)
            if message.source != "agent" or not message.device or not isinstance(message.payload, dict):
                return []  # visits and ledgers are the report's business
            if message.kind == "state":
                return self._state(message.site, message.source_id, message.device, message.payload)
            if message.kind == "removed":
                return self._removed(message.site, message.source_id, message.device)
            if message.kind == "event":
                return self._event(message.site, message.source_id, message.device, message.payload,
                                   message.received_at)
            return []

    def _next(self) -> int:
        self.seq += 1
        return self.seq

    def _site(self, name: str, created: list[Target]) -> Site:
        if name not in self.sites:
            self.sites[name] = Site(name)
            created.append(("layout",))
        return self.sites[name]

    def _agent(self, site: str, agent: str, created: list[Target]) -> Agent:
        agents = self._site(site, created).agents
        if agent not in agents:
            agents[agent] = Agent(agent)
            created.append(("layout",))
        return agents[agent]

    def _device(self, site: str, agent: str, device: str, created: list[Target]) -> Device:
        devices = self._agent(site, agent, created).devices
        if device not in devices:
            devices[device] = Device(site, agent, device)
            created.append(("layout",))
        return devices[device]

    def _availability(self, site: str, source: str, source_id: str, status: Any, at: datetime) -> list[Target]:
        if not isinstance(status, str):
            return []
        created: list[Target] = []
        if source == "kiosk":
            kiosks = self._site(site, created).kiosks
            if source_id not in kiosks:
                kiosks[source_id] = Source(source_id)
                created.append(("layout",))
            entry, target = kiosks[source_id], ("kiosks", site)
        else:
            entry, target = self._agent(site, source_id, created), ("agent", site, source_id)
        if entry.status == status and not created:
            return []
        entry.status, entry.at = status, parse_time(at) or clock.now()
        self._next()
        if isinstance(entry, Agent):
            for device in entry.devices.values():
                device.seq = self.seq
        return created[:1] or [target, ("summary",)]

    def _state(self, site: str, agent: str, device_id: str, payload: dict[str, Any]) -> list[Target]:
        self.removed.discard((site, agent, device_id))  # back in its agent's config
        created: list[Target] = []
        device = self._device(site, agent, device_id, created)
        if device.state == payload and not created:
            return []  # a retained republish that changes nothing
        device.state = dict(payload)
        device.seq = self._next()
        return created[:1] or [("device", site, agent, device_id), ("summary",)]

    def _removed(self, site: str, agent: str, device_id: str) -> list[Target]:
        self.removed.add((site, agent, device_id))
        place = self.agent(site, agent)
        if place is None or place.devices.pop(device_id, None) is None:
            return []
        self._next()
        return [("agent", site, agent), ("summary",)]  # the agent's cards, drawn without it

    def _event(self, site: str, agent: str, device_id: str, payload: dict[str, Any], received: datetime) -> list[Target]:
        event = Event(site, agent, device_id, dict(payload), parse_time(payload.get("at")) or received)
        if (site, agent, device_id) in self.removed:  # e.g. sent from the agent's outbox late: history only
            self.recent.appendleft(event)
            self._next()
            return [("events",)]
        created: list[Target] = []
        device = self._device(site, agent, device_id, created)
        device.events.appendleft(event)
        self.recent.appendleft(event)
        device.seq = self._next()
        return created[:1] or [("device", site, agent, device_id), ("events",)]

    # --- seeding from the history ---

    def load(self, engine: sa.Engine) -> None:
        """The last known state of everything, from the history tables. What already came
        live (the listener may be faster than this query) is newer and is kept."""
        with engine.connect() as connection, self.lock:
            known_events = {event.payload.get("id") for event in self.recent}
            for row in connection.execute(_latest(schema.availability, "source", "source_id")):
                if not self._known_source(row.site, row.source, row.source_id):
                    self._availability(row.site, row.source, row.source_id, row.status, row.at)
            for row in connection.execute(_latest(schema.device_states, "agent", "device")):
                known = self.device(row.site, row.agent, row.device)
                if row.health == REMOVED:
                    if known is None:  # not back live meanwhile
                        self.removed.add((row.site, row.agent, row.device))
                elif known is None or not known.state:
                    payload = row.payload if isinstance(row.payload, dict) else {}
                    self._state(row.site, row.agent, row.device,
                                {**payload, "kind": row.kind, "health": row.health, "reasons": row.reasons})
            events = schema.device_events
            newest = connection.execute(sa.select(events).order_by(events.c.at.desc(), events.c.id.desc()).limit(300))
            for row in reversed(newest.all()):
                if row.event_id not in known_events:
                    payload = row.payload if isinstance(row.payload, dict) else {}
                    self._event(row.site, row.agent, row.device, {**payload, "event": row.event}, row.at)

    def _known_source(self, site: str, source: str, source_id: str) -> bool:
        place = self.sites.get(site)
        if place is None:
            return False
        entry = (place.kiosks if source == "kiosk" else place.agents).get(source_id)
        return entry is not None and entry.status is not None


def _latest(table: sa.Table, *key: str) -> sa.Select:
    """The newest row of `table` per (site, *key)."""
    columns = [table.c.site, *(table.c[name] for name in key)]
    newest = sa.select(sa.func.max(table.c.id).label("id")).group_by(*columns).subquery()
    return sa.select(table).join(newest, table.c.id == newest.c.id).order_by(table.c.id)
