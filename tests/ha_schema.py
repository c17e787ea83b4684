"""The keys Home Assistant documents for MQTT discovery of the platforms Frontdesk announces
(abbreviations unused), and a check of one retained config against them. Importable by name
from any test module (`from ha_schema import ...`), like testbed."""

from __future__ import annotations

import json

COMMON_KEYS = {"name", "unique_id", "object_id", "device", "availability", "availability_mode", "entity_category",
               "icon", "enabled_by_default", "qos", "json_attributes_topic", "json_attributes_template"}
HA_KEYS = {
    "binary_sensor": COMMON_KEYS | {"state_topic", "value_template", "device_class", "payload_on", "payload_off",
                                    "expire_after", "force_update", "off_delay"},
    "sensor": COMMON_KEYS | {"state_topic", "value_template", "device_class", "unit_of_measurement",
                             "state_class", "options", "expire_after", "force_update",
                             "suggested_display_precision"},
    "button": COMMON_KEYS | {"command_topic", "payload_press", "command_template", "device_class", "retain"},
    "event": COMMON_KEYS | {"state_topic", "event_types", "value_template", "device_class"},
}
REQUIRED_KEYS = {"binary_sensor": {"state_topic"}, "sensor": {"state_topic"}, "button": {"command_topic"},
                 "event": {"state_topic", "event_types"}}
DEVICE_KEYS = {"identifiers", "connections", "name", "manufacturer", "model", "sw_version", "hw_version",
               "via_device", "suggested_area", "configuration_url"}
AVAILABILITY_KEYS = {"topic", "payload_available", "payload_not_available", "value_template"}
AVAILABILITY_MODES = {"all", "any", "latest"}
# A sensor of device class `enum` has options, and no unit or state class (HA refuses it otherwise).
ENUM_FORBIDS = {"unit_of_measurement", "state_class"}


def discovery_configs(recorder, since: int = 0) -> dict[str, dict | None]:
    """The discovery configs a Recorder got (the last of each topic); None: deleted."""
    found = {}
    for topic, payload, _retain in recorder.snapshot(since):
        if topic.startswith("homeassistant/") and topic.endswith("/config"):
            found[topic] = json.loads(payload) if payload else None
    return found


def check_config(topic: str, config: dict) -> None:
    """One discovery config as Home Assistant reads it (the docs of its MQTT platforms)."""
    levels = topic.split("/")
    assert len(levels) == 5 and levels[0] == "homeassistant" and levels[-1] == "config", topic
    component = levels[1]
    assert set(config) <= HA_KEYS[component], (topic, set(config) - HA_KEYS[component])
    assert REQUIRED_KEYS[component] <= set(config) and config["unique_id"] and config["name"], topic
    device = config["device"]
    assert set(device) <= DEVICE_KEYS and device["identifiers"] and device["name"], topic
    for entry in config.get("availability", []):
        assert set(entry) <= AVAILABILITY_KEYS and "topic" in entry, topic
    assert config.get("availability_mode", "latest") in AVAILABILITY_MODES, topic
    if config.get("device_class") == "enum":
        assert config["options"] and not ENUM_FORBIDS & set(config), topic
    if component == "event":
        assert config["event_types"] and all(isinstance(name, str) for name in config["event_types"]), topic
