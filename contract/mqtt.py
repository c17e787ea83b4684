"""The MQTT contract (v1): topic names, payload shapes and command error codes.

Written once here; the agent publishes with it, the kiosk and the manager read
with it. docs/mqtt.md describes the whole tree for people. Payloads are UTF-8
JSON objects; times are ISO 8601 UTC.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from contract import clock

CONTRACT_VERSION = 1
ONLINE, OFFLINE = "online", "offline"

# Stable error codes of command replies; a client may switch on them.
INVALID_REQUEST = "invalid_request"
UNKNOWN_COMMAND = "unknown_command"
UNKNOWN_DEVICE = "unknown_device"
DEVICE_OFFLINE = "device_offline"
INTERNAL_ERROR = "internal_error"
# Never sent by an agent: a client's own answer when no reply came in time.
AGENT_UNAVAILABLE = "agent_unavailable"


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


def visitor_arrivals(site: str) -> str:
    return f"{root(site)}/visitors/arrivals"


def kiosk_replies(site: str, kiosk_id: str) -> str:
    """Prefix of a kiosk's command reply topics (the example ACL lets agents write there)."""
    return f"{root(site)}/kiosk/{kiosk_id}/replies"


def manager_replies(site: str, manager_id: str) -> str:
    return f"{root(site)}/manager/{manager_id}/replies"


def agent_ledger(site: str, agent_id: str) -> str:
    """Non-retained QoS 1 records of money and mail: `receipt_issued`, `mail_recorded`."""
    return f"{root(site)}/agent/{agent_id}/ledger"


def kiosk_visits(site: str, kiosk_id: str) -> str:
    """Non-retained QoS 1 `signed_in` / `signed_out` records, with times and no personal data."""
    return f"{root(site)}/kiosk/{kiosk_id}/visits"


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


def device_state(
    device: str, kind: str, health: str, reasons: list[str], since: str, **fields: Any
) -> dict[str, Any]:
    return {"device": device, "kind": kind, "health": health, "reasons": reasons, "since": since,
            "updated": now(), "v": CONTRACT_VERSION, **fields}


def event(name: str, **fields: Any) -> dict[str, Any]:
    """An event with a unique `id`, so a subscriber can drop a QoS 1 redelivery."""
    return {"event": name, "at": now(), "id": uuid.uuid4().hex, **fields}


def ok_reply(result: dict[str, Any]) -> dict[str, Any]:
    return {"ok": True, "result": result}


def error_reply(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": {"code": code, "message": message}}
