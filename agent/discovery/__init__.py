"""Home Assistant MQTT discovery: every device appears in Home Assistant by itself.

The agent is one HA device (with an "online" connectivity sensor); each printer, scale and
queue is an HA device of its own under it (`via_device`), named as in the config, with
the entities of agent/discovery/entities.py. Unique ids are built from site, agent and
device ids, so they survive restarts. Entities of a device follow its health: they are
unavailable while the agent is offline or the device's state says `offline`, except its
problem and health entities, which say so.

Nothing is deleted that is announced again a moment later: a copier's supply sensors are
remembered (agent/discovery/memory.py) and announced again at start, before the copier
reports them. A device removed from the config has its entities removed (empty retained
configs), a supply the copier no longer reports its sensor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from frontdesk.agent.discovery.entities import Entities, Entity, HaDevice, device_block
from frontdesk.agent.discovery.memory import Announced
from frontdesk.contract import mqtt as contract
from frontdesk.contract.home_assistant import PREFIX, STATUS_TOPIC, config_topic, online_when_healthy, online_when_published
from frontdesk.contract.home_assistant import slug as _slug

__all__ = ["PREFIX", "STATUS_TOPIC", "Discovery", "HaDevice"]
log = logging.getLogger("frontdesk.agent.discovery")

Publish = Callable[[str, dict[str, Any] | None], None]  # retained; None removes


class Discovery:
    def __init__(self, site: str, agent_id: str, memory: Path, publish: Publish, version: str = "0.1.0") -> None:
        self.site, self.agent_id = site, agent_id
        self.node = _slug(f"frontdesk_{site}_{agent_id}")
        self._entities = Entities(site, agent_id)
        self._memory = Announced(memory)
        self._publish = publish
        self._devices: dict[str, HaDevice] = {}
        self._agent_device = {
            "identifiers": [self.node],
            "name": f"Frontdesk {site} {agent_id}",
            "manufacturer": "Frontdesk",
            "model": "Front-desk agent",
            "sw_version": version,
        }

    def announce(self, devices: Iterable[HaDevice | tuple[str, str]]) -> None:
        """Publish every entity of the configured devices (and the supplies they reported
        before); remove those of devices no longer configured."""
        self._devices = {device.id: device for device in (d if isinstance(d, HaDevice) else HaDevice(*d)
                                                          for d in devices)}
        announced: dict[str, str | None] = {self._announce_agent(): None}
        for device in self._devices.values():
            entities = self._entities.of(device)
            entities += [self._entities.supply(device.id, supply) for supply in self._memory.supplies(device.id)]
            for entity in entities:
                announced[self._announce(device, entity)] = device.id
        for topic in self._memory.start(announced, set(self._devices)):
            log.info("removing %s from Home Assistant (no longer configured)", topic)
            self._publish(topic, None)

    def supplies_seen(self, device_id: str, supply_ids: list[str]) -> None:
        """The device reported its supplies (by their stable ids): a sensor for each new one, none
        for one gone."""
        device = self._devices.get(device_id)
        if device is None or not supply_ids:
            return
        reported = {supply: self._entities.supply(device_id, supply) for supply in supply_ids}
        known = set(self._memory.supplies(device_id))
        for supply, entity in reported.items():
            if supply not in known:
                self._memory.add(self._announce(device, entity), device_id, supply)
        for topic in self._memory.supplies_gone(device_id, {self._topic(device_id, e) for e in reported.values()}):
            log.info("removing %s from Home Assistant (%s no longer reports it)", topic, device_id)
            self._publish(topic, None)

    def cleared(self, topic: str) -> None:
        """The broker acknowledged the clearing of `topic`: no need to clear it again."""
        self._memory.cleared(topic)

    def _announce_agent(self) -> str:
        """The agent's own HA device and its connectivity: what `via_device` points at."""
        topic = config_topic("binary_sensor", self.node, "agent_online")
        self._publish(topic, {
            "name": "Online", "device_class": "connectivity", "entity_category": "diagnostic",
            "state_topic": contract.agent_availability(self.site, self.agent_id),
            "payload_on": contract.ONLINE, "payload_off": contract.OFFLINE,
            "unique_id": f"{self.node}_agent_online", "object_id": f"{self.node}_agent_online",
            "device": self._agent_device,
        })
        return topic

    def _announce(self, device: HaDevice, entity: Entity) -> str:
        topic = self._topic(device.id, entity)
        unique = f"{self.node}_{_slug(f'{device.id}_{entity.key}')}"
        availability = [online_when_published(contract.agent_availability(self.site, self.agent_id))]
        if entity.follows_health:
            availability.append(online_when_healthy(self._entities.state_topic(device.id)))
        self._publish(topic, {
            **entity.config, "unique_id": unique, "object_id": unique, "device": device_block(self.node, device),
            "availability": availability, "availability_mode": "all",
        })
        return topic

    def _topic(self, device_id: str, entity: Entity) -> str:
        return config_topic(entity.component, self.node, f"{device_id}_{entity.key}")
