"""What Home Assistant is told of each Frontdesk device: its HA device and its entities.

Declarative, as in Home Assistant's own integrations: one Entity per thing shown, read from
the device's retained state (`devices/<id>/state`), its `weight` or `events`, or sending
one of the agent's commands. Every template copes with a field that is missing (a device
that is offline publishes only the common fields; an older agent fewer of them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from frontdesk.contract import mqtt as contract
from frontdesk.contract.home_assistant import Config, readable_name, slug

# The events each kind of device has an event entity for (fed from its `events` topic);
# any other event on that topic is ignored by the template, not reported as unknown.
EVENT_TYPES = {
    "printer": ["paper_out", "paper_near_end", "cover_open", "recovered", "job_failed"],
    "copier": ["paper_out", "media_empty", "media_jam", "jam", "toner_empty", "recovered"],
    "fax": ["fax_sent", "fax_failed", "fax_pending", "paper_out", "recovered"],
}
QUEUE_STATES = ["idle", "processing", "stopped"]
HEALTHS = ["ok", "warning", "error", "offline"]


@dataclass(frozen=True)
class HaDevice:
    """One configured device as Home Assistant shows it (kind: printer, scale, copier or fax)."""

    id: str
    kind: str
    name: str | None = None  # the config's; else one made from kind and id
    manufacturer: str | None = None
    model: str | None = None


@dataclass(frozen=True)
class Entity:
    component: str  # sensor, binary_sensor, button, event
    key: str  # the object id after the device's id: "problem", "supply_black_toner"
    config: Config
    # Unavailable while the device is offline (its values would be stale, its buttons
    # pointless). The problem and health entities are not: they are what says "offline".
    follows_health: bool = True
    supply: str | None = field(default=None, compare=False)  # the supply a supply sensor shows


class Entities:
    """The entities of one agent's devices, with the topics of that agent."""

    def __init__(self, site: str, agent_id: str) -> None:
        self.site, self.agent_id = site, agent_id

    def state_topic(self, device_id: str) -> str:
        return contract.device_topic(self.site, self.agent_id, device_id, "state")

    def of(self, device: HaDevice) -> list[Entity]:
        state = self.state_topic(device.id)
        entities = [
            Entity("binary_sensor", "problem", {
                "name": "Problem", "device_class": "problem", "state_topic": state,
                "value_template": "{{ 'OFF' if value_json.health == 'ok' else 'ON' }}",
                "json_attributes_topic": state,
                # The reasons and the message; not the whole state (HA refuses an attribute `state`).
                "json_attributes_template": "{{ {'reasons': value_json.reasons, 'message': value_json.message"
                                            " | default(none), 'since': value_json.since} | to_json }}",
            }, follows_health=False),
            Entity("sensor", "health", {
                "name": "Health", "state_topic": state, "entity_category": "diagnostic",
                "value_template": "{{ value_json.health }}", "device_class": "enum", "options": HEALTHS,
            }, follows_health=False),
        ]
        if device.kind == "printer":
            entities += [
                Entity("sensor", "paper", {
                    "name": "Paper", "state_topic": state, "device_class": "enum",
                    "options": ["ok", "near_end", "out", "unknown"],
                    "value_template": "{{ value_json.paper | default(none) }}",
                }),
                self._button(device.id, "test_print", "Test print", "printer_test", "printer"),
            ]
        elif device.kind == "scale":
            entities += [
                Entity("sensor", "weight", {
                    "name": "Weight", "state_topic": contract.device_topic(self.site, self.agent_id, device.id, "weight"),
                    "device_class": "weight", "unit_of_measurement": "g", "state_class": "measurement",
                    "value_template": "{{ value_json.grams }}",
                }),
                self._button(device.id, "tare", "Tare", "scale_tare", "scale"),
                self._button(device.id, "zero", "Zero", "scale_zero", "scale"),
            ]
        else:  # a CUPS queue: copier or fax
            entities += [
                Entity("sensor", "state", {
                    "name": "State", "state_topic": state, "device_class": "enum", "options": QUEUE_STATES,
                    "value_template": "{{ value_json.state | default(none) }}",
                }),
                Entity("sensor", "jobs_waiting", {
                    "name": "Jobs waiting", "state_topic": state, "state_class": "measurement",
                    "unit_of_measurement": "jobs", "value_template": "{{ value_json.jobs_waiting | default(0) }}",
                }),
                Entity("sensor", "jobs_held", {
                    "name": "Jobs held", "state_topic": state, "state_class": "measurement",
                    "unit_of_measurement": "jobs", "value_template": "{{ value_json.jobs_held | default(0) }}",
                }),
                self._button(device.id, "pause", "Pause", "queue_pause", "queue"),
                self._button(device.id, "resume", "Resume", "queue_resume", "queue"),
                self._button(device.id, "cancel_all", "Cancel all jobs", "queue_cancel_all", "queue"),
            ]
        if device.kind in EVENT_TYPES:
            entities.append(self._events(device))
        return entities

    def supply(self, device_id: str, supply_id: str) -> Entity:
        """A copier's supply in %, its own fields (thresholds) as attributes. Keyed by the supply's
        stable id (contract/states.py Supply.id), not its name: CUPS and the machine name one
        cartridge differently ("Black Toner", "Black Ink"), and each rename would replace the sensor."""
        state = self.state_topic(device_id)
        this = "(value_json.supplies | default([]) | selectattr('id', 'equalto', " + json.dumps(supply_id) + "))"
        return Entity("sensor", f"supply_{slug(supply_id)}", {
            "name": supply_label(supply_id), "state_topic": state, "unit_of_measurement": "%",
            "state_class": "measurement",
            "value_template": "{{ " + this + " | map(attribute='level') | first | default(none) }}",
            "json_attributes_topic": state,
            "json_attributes_template": "{{ " + this + " | first | default({}) | to_json }}",
        }, supply=supply_id)

    def _button(self, device_id: str, key: str, label: str, command: str, argument: str) -> Entity:
        # Sent without a response topic: the agent carries it out and logs a failure.
        return Entity("button", key, {
            "name": label, "command_topic": contract.command_topic(self.site, self.agent_id, command),
            "payload_press": json.dumps({argument: device_id}),
        })

    def _events(self, device: HaDevice) -> Entity:
        wanted = EVENT_TYPES[device.kind]
        # HA wants {"event_type": ...}; the event's own fields become its attributes. An event
        # of another type renders as nothing, which HA ignores quietly.
        return Entity("event", "events", {
            "name": "Events", "state_topic": contract.device_topic(self.site, self.agent_id, device.id, "events"),
            "event_types": wanted,
            "value_template": "{% if value_json.event in " + json.dumps(wanted) + " %}"
                              "{{ dict(value_json, event_type=value_json.event) | to_json }}{% endif %}",
        })


def device_block(node: str, device: HaDevice) -> Config:
    """The HA device of one Frontdesk device, under the agent's HA device (`via_device`)."""
    block: Config = {"identifiers": [f"{node}_{slug(device.id)}"],
                     "name": device.name or readable_name(device.id, device.kind), "via_device": node}
    if device.manufacturer:
        block["manufacturer"] = device.manufacturer
    if device.model:
        block["model"] = device.model
    return block


def supply_label(supply_id: str) -> str:
    """`black` -> "Black supply", `waste` -> "Waste tank", `cyan_2` -> "Cyan supply 2"."""
    head, _, tail = supply_id.rpartition("_")
    base, order = (head, tail) if head and tail.isdigit() else (supply_id, "")
    words = {"waste": "Waste tank", "supply": "Supply"}.get(base, f"{base.replace('_', ' ').capitalize()} supply")
    return f"{words} {order}".strip()
