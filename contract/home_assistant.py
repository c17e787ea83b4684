"""Home Assistant MQTT discovery, as both announcers (the agent and the kiosk) write it.

A discovery config is a retained JSON object on `homeassistant/<component>/<node>/<object>/config`;
an empty retained message removes the entity. Keys are written out in full (HA's
abbreviations are not used) so that a person reading the broker can follow them.
"""

from __future__ import annotations

import re
from typing import Any

from frontdesk.contract.mqtt import OFFLINE, ONLINE

PREFIX = "homeassistant"
STATUS_TOPIC = f"{PREFIX}/status"  # Home Assistant says `online` here when it (re)starts

Config = dict[str, Any]


def slug(text: str) -> str:
    """What Home Assistant takes in a topic level and an entity id: a-z, 0-9 and _."""
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")


def config_topic(component: str, node: str, object_id: str) -> str:
    return f"{PREFIX}/{component}/{node}/{slug(object_id)}/config"


def online_when_published(topic: str) -> Config:
    """Available while `topic` (an availability topic with a last will) says online."""
    return {"topic": topic, "payload_available": ONLINE, "payload_not_available": OFFLINE}


def online_when_healthy(state_topic: str) -> Config:
    """Available unless the device's own retained state says it is offline: an entity of a
    printer that is switched off shows "unavailable", not its last value."""
    return {"topic": state_topic, "payload_available": ONLINE, "payload_not_available": OFFLINE,
            "value_template": "{{ 'offline' if value_json.health | default('offline') == 'offline' else 'online' }}"}


def readable_name(device_id: str, kind: str) -> str:
    """A device's name when the config gives none: `mail-scale` is "Mail scale", `p1` a
    printer "Printer p1"."""
    words = re.sub(r"[-_]+", " ", device_id).strip()
    if kind.lower() not in words.lower():
        words = f"{kind} {words}"
    return words[:1].upper() + words[1:]
