"""Home Assistant MQTT discovery: every device appears in Home Assistant by itself.

One Home Assistant device per agent; per Frontdesk device a problem binary
sensor and a health sensor, plus a weight sensor and a tare button for scales,
a test-print button for printers, and one sensor per supply of a copier (added
when the copier first reports them). Unique ids are built from site, agent and
device ids, so they survive restarts. A device removed from the config has its
entities removed (an empty retained config): what was announced is remembered in the
agent's data dir (agent/remembered.py).
Entities are declarative descriptions, as in Home Assistant's own integrations.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.remembered import RememberedTopics
from contract import mqtt as contract

log = logging.getLogger("frontdesk.agent.discovery")
PREFIX = "homeassistant"
STATUS_TOPIC = f"{PREFIX}/status"

Publish = Callable[[str, dict[str, Any] | None], None]  # retained; None removes


class Discovery:
    def __init__(self, site: str, agent_id: str, memory: Path, publish: Publish, version: str = "0.1.0") -> None:
        self.site, self.agent_id = site, agent_id
        self.node = _slug(f"frontdesk_{site}_{agent_id}")
        self._memory = RememberedTopics(memory)
        self._publish = publish
        self._announced: set[str] = set()
        self._supplies: dict[str, set[str]] = {}
        self._device = {
            "identifiers": [self.node],
            "name": f"Frontdesk {site} {agent_id}",
            "manufacturer": "Frontdesk",
            "model": "Front-desk agent",
            "sw_version": version,
        }

    def announce(self, devices: list[tuple[str, str]]) -> None:
        """Publish every entity of the (device id, kind) pairs; remove those no longer configured."""
        for device_id, kind in devices:
            for component, key, config in self._entities(device_id, kind):
                self._announce(component, f"{device_id}_{key}", config)
        for topic in self._memory.replace(self._announced):
            log.info("removing %s from Home Assistant (no longer configured)", topic)
            self._publish(topic, None)

    def cleared(self, topic: str) -> None:
        """The broker acknowledged the clearing of `topic`: no need to clear it again."""
        self._memory.cleared(topic)

    def supplies_seen(self, device_id: str, names: list[str]) -> None:
        """Add a sensor for each supply a copier reports the first time it is seen."""
        known = self._supplies.setdefault(device_id, set())
        state = self._topic(device_id, "state")
        for name in names:
            if name in known:
                continue
            known.add(name)
            selector = json.dumps(name)
            self._announce("sensor", f"{device_id}_supply_{_slug(name)}", {
                "name": f"{device_id} {name}", "state_topic": state, "unit_of_measurement": "%",
                "state_class": "measurement",
                "value_template": "{{ (value_json.supplies | selectattr('name', 'equalto', " + selector
                + ") | map(attribute='level') | first) }}",
            })
        self._memory.add(self._announced)

    def _entities(self, device_id: str, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
        state = self._topic(device_id, "state")
        entities = [
            ("binary_sensor", "problem", {
                "name": f"{device_id} problem", "device_class": "problem", "state_topic": state,
                "value_template": "{{ 'OFF' if value_json.health == 'ok' else 'ON' }}",
                "json_attributes_topic": state,
            }),
            ("sensor", "health", {
                "name": f"{device_id} health", "state_topic": state, "entity_category": "diagnostic",
                "value_template": "{{ value_json.health }}", "device_class": "enum",
                "options": ["ok", "warning", "error", "offline"],
            }),
        ]
        if kind == "scale":
            entities += [
                ("sensor", "weight", {
                    "name": f"{device_id} weight", "state_topic": self._topic(device_id, "weight"),
                    "device_class": "weight", "unit_of_measurement": "g", "state_class": "measurement",
                    "value_template": "{{ value_json.grams }}",
                }),
                ("button", "tare", self._button(device_id, "tare", "scale_tare", {"scale": device_id})),
            ]
        if kind == "printer":
            entities.append(("button", "test_print",
                             self._button(device_id, "test print", "printer_test", {"printer": device_id})))
        return entities

    def _button(self, device_id: str, label: str, command: str, arguments: dict[str, str]) -> dict[str, Any]:
        return {
            "name": f"{device_id} {label}",
            "command_topic": contract.command_topic(self.site, self.agent_id, command),
            "payload_press": json.dumps(arguments),
        }

    def _announce(self, component: str, object_id: str, config: dict[str, Any]) -> None:
        topic = f"{PREFIX}/{component}/{self.node}/{_slug(object_id)}/config"
        unique = f"{self.node}_{_slug(object_id)}"
        availability = contract.agent_availability(self.site, self.agent_id)
        self._publish(topic, {
            **config, "unique_id": unique, "object_id": unique, "device": self._device,
            "availability": [{"topic": availability, "payload_available": contract.ONLINE,
                              "payload_not_available": contract.OFFLINE}],
        })
        self._announced.add(topic)

    def _topic(self, device_id: str, leaf: str) -> str:
        return contract.device_topic(self.site, self.agent_id, device_id, leaf)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
