"""The MQTT contract (v1): topic names, and the builders of the payloads senders publish.

Written once here; the agent publishes with it, the kiosk and the manager read with it
(`parse_topic`, and the models' parse functions). The payload models are in
contract/states.py, events.py, records.py, results.py and replies.py; the codes in
contract/reasons.py. docs/mqtt.md describes the whole tree for people, and tests/contract
checks that it says what the models say. Payloads are UTF-8 JSON objects; times are ISO
8601 with their offset (UTC, as `now()` writes them).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from frontdesk.contract import clock
from frontdesk.contract.events import EVENTS, Event, ReasonEvent
from frontdesk.contract.payload import PayloadError as PayloadError  # re-exported for receivers
from frontdesk.contract.payload import build
from frontdesk.contract.reasons import ErrorCode
from frontdesk.contract.records import LEDGER_RECORDS, VISIT_RECORDS, Arrival
# Re-exported: the many callers build replies from here.
from frontdesk.contract.replies import error_reply as error_reply
from frontdesk.contract.replies import ok_reply as ok_reply
from frontdesk.contract.states import CONTRACT_VERSION, build_state

ONLINE, OFFLINE = "online", "offline"

# Stable error codes of command replies; a client may switch on them (all: contract.reasons).
INVALID_REQUEST = ErrorCode.INVALID_REQUEST
UNKNOWN_COMMAND = ErrorCode.UNKNOWN_COMMAND
UNKNOWN_DEVICE = ErrorCode.UNKNOWN_DEVICE
DEVICE_OFFLINE = ErrorCode.DEVICE_OFFLINE
INTERNAL_ERROR = ErrorCode.INTERNAL_ERROR
# Never sent by an agent: a client's own answer when no reply came in time.
AGENT_UNAVAILABLE = ErrorCode.AGENT_UNAVAILABLE


def root(site: str) -> str:
    return f"frontdesk/{site}"


def agent_availability(site: str, agent_id: str) -> str:
    return f"{root(site)}/agent/{agent_id}/availability"


def device_topic(site: str, agent_id: str, device_id: str, leaf: str) -> str:
    """`state` (retained), `events` or `weight` of one device."""
    return f"{root(site)}/agent/{agent_id}/devices/{device_id}/{leaf}"


def command_topic(site: str, agent_id: str, command: str) -> str:
    return f"{root(site)}/agent/{agent_id}/cmd/{command}"


def kiosk_availability(site: str, kiosk_id: str) -> str:
    return f"{root(site)}/kiosk/{kiosk_id}/availability"


def kiosk_state(site: str, kiosk_id: str) -> str:
    """A kiosk's retained summary: visitors on site, badges waiting (contract.states.KioskState)."""
    return f"{root(site)}/kiosk/{kiosk_id}/state"


def visitor_arrivals(site: str) -> str:
    return f"{root(site)}/visitors/arrivals"


def kiosk_replies(site: str, kiosk_id: str) -> str:
    """Prefix of a kiosk's command reply topics (the example ACL lets agents write there)."""
    return f"{root(site)}/kiosk/{kiosk_id}/replies"


def manager_replies(site: str, manager_id: str) -> str:
    return f"{root(site)}/manager/{manager_id}/replies"


def cli_replies(site: str, client_id: str) -> str:
    """Prefix of a staff CLI run's reply topics (`frontdesk ...` on the Pi; one id per run)."""
    return f"{root(site)}/cli/{client_id}/replies"


def agent_ledger(site: str, agent_id: str) -> str:
    """Non-retained QoS 1 records of money and mail: `receipt_issued`, `mail_recorded`."""
    return f"{root(site)}/agent/{agent_id}/ledger"


def kiosk_visits(site: str, kiosk_id: str) -> str:
    """Non-retained QoS 1 `signed_in` / `signed_out` records, with times and no personal data."""
    return f"{root(site)}/kiosk/{kiosk_id}/visits"


# --- parsing a topic -------------------------------------------------------------------------


@dataclass(frozen=True)
class TopicShape:
    """One row of docs/mqtt.md's topic table: the topic after `frontdesk/<site>/`."""

    pattern: str  # <name> stands for one level
    retained: bool
    qos: Literal[0, 1]


TOPICS = (
    TopicShape("agent/<agent>/availability", True, 1),
    TopicShape("agent/<agent>/devices/<device>/state", True, 1),
    TopicShape("agent/<agent>/devices/<device>/events", False, 1),
    TopicShape("agent/<agent>/devices/<scale>/weight", False, 0),
    TopicShape("agent/<agent>/ledger", False, 1),
    TopicShape("agent/<agent>/cmd/<command>", False, 1),
    TopicShape("kiosk/<kiosk>/availability", True, 1),
    TopicShape("kiosk/<kiosk>/state", True, 1),
    TopicShape("kiosk/<kiosk>/visits", False, 1),
    TopicShape("kiosk/<kiosk>/replies/<uuid>", False, 1),
    TopicShape("manager/<id>/replies/<uuid>", False, 1),
    TopicShape("cli/<id>/replies/<uuid>", False, 1),
    TopicShape("visitors/arrivals", False, 1),
)
Owner = Literal["agent", "kiosk", "manager", "cli", "visitors"]


@dataclass(frozen=True)
class Topic:
    """A Frontdesk topic in its parts: `frontdesk/hq/agent/main/devices/p1/state` is site `hq`,
    owner `agent`, owner_id `main`, device `p1`, leaf `state`."""

    site: str
    owner: Owner
    owner_id: str | None  # None for visitors/arrivals
    leaf: str  # the last fixed level: availability, state, events, weight, ledger, cmd, visits, replies, arrivals
    device: str | None = None
    command: str | None = None  # of cmd/<command>
    reply: str | None = None  # the <uuid> of replies/<uuid>
    shape: TopicShape | None = None


# What each placeholder of TOPICS is in a Topic.
_PARTS = {"agent": "owner_id", "kiosk": "owner_id", "id": "owner_id", "device": "device", "scale": "device",
          "command": "command", "uuid": "reply"}


def parse_topic(topic: str) -> Topic | None:
    """The topic's parts if it is one of TOPICS under `frontdesk/<site>/`, else None."""
    levels = topic.split("/")
    if len(levels) < 3 or levels[0] != "frontdesk" or not levels[1]:
        return None
    for shape in TOPICS:
        found = _match(shape, levels[2:])
        if found is not None:
            leaf = [part for part in shape.pattern.split("/") if not part.startswith("<")][-1]
            owner: Owner = levels[2]  # type: ignore[assignment]  # the pattern's first level is an Owner
            return Topic(site=levels[1], owner=owner, leaf=leaf, shape=shape, **found)
    return None


def _match(shape: TopicShape, levels: list[str]) -> dict[str, str | None] | None:
    pattern = shape.pattern.split("/")
    if len(pattern) != len(levels):
        return None
    found: dict[str, str | None] = {"owner_id": None}
    for expected, level in zip(pattern, levels):
        if expected.startswith("<"):
            if not level or level in ("+", "#"):
                return None
            found[_PARTS[expected[1:-1]]] = level
        elif level != expected:
            return None
    return found


def now() -> str:
    return clock.now().isoformat(timespec="milliseconds")


def parse_time(value: object) -> datetime | None:
    """A time as payloads carry it (ISO 8601 with its offset, as `now()` writes it); None for
    anything else, a time without an offset included (it would say nothing certain)."""
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- payloads, built through their models (contract/states.py, events.py, records.py) -------


def device_state(
    device: str, kind: str, health: str, reasons: list[str], since: str, **fields: Any
) -> dict[str, Any]:
    """A device's retained state; `fields` are its kind's (PrinterState, ScaleState, ...)."""
    return build_state(device=device, kind=kind, health=health, reasons=reasons, since=since,
                       updated=now(), v=CONTRACT_VERSION, **fields)


# Every payload that is an event: a device's, a ledger record, a kiosk's visit record.
EVENT_MODELS: dict[str, type[Event]] = {**EVENTS, **LEDGER_RECORDS, **VISIT_RECORDS}


def event(name: str, **fields: Any) -> dict[str, Any]:
    """An event with a unique `id`, so a subscriber can drop a QoS 1 redelivery. Its model is
    the one of its name; any other name is a reason the device newly has (ReasonEvent)."""
    return build(EVENT_MODELS.get(name, ReasonEvent), event=name, at=now(), id=uuid.uuid4().hex, **fields)


def arrival(*, name: str, company: str | None, host: str | None, host_email: str | None, kiosk: str,
            language: str) -> dict[str, Any]:
    """`visitors/arrivals`: the host's notification, the only payload with a visitor's name."""
    return build(Arrival, name=name, company=company, host=host, host_email=host_email, at=now(), kiosk=kiosk,
                 language=language)

