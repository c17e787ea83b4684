"""The kiosk in Home Assistant: a device of its own, announced by the kiosk (it owns its topics).

Its entities: whether it is online (its availability, with its last will), how many visitors
are on site now and how many badges wait to be printed, read from its retained summary
`kiosk/<id>/state` (counts only: no visitor's name leaves the kiosk this way). The summary
is counted on a worker thread of its own, never on the UI thread or paho's.

Discovery topics are under the node `frontdesk_kiosk_<id>` (the example ACL grants a kiosk
exactly that), the site in the object id: `homeassistant/sensor/frontdesk_kiosk_lobby/hq_on_site/config`.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Callable

from frontdesk.contract import mqtt as contract
from frontdesk.contract.home_assistant import Config, config_topic, online_when_published, readable_name, slug
from frontdesk.contract.states import CONTRACT_VERSION, build_kiosk_state
from frontdesk.kiosk.visits import VisitorLog

log = logging.getLogger("frontdesk.kiosk.home_assistant")

Publish = Callable[[str, bytes], None]  # retained, QoS 1


class KioskInHomeAssistant:
    def __init__(self, site: str, kiosk_id: str, visits: VisitorLog, publish: Publish, version: str = "0.1.0") -> None:
        self.site, self.kiosk_id, self.visits = site, kiosk_id, visits
        self.node = f"frontdesk_kiosk_{slug(kiosk_id)}"
        self.state_topic = contract.kiosk_state(site, kiosk_id)
        self._publish = publish
        self._unique = slug(f"frontdesk_{site}_kiosk_{kiosk_id}")
        self._device = {"identifiers": [self._unique], "name": readable_name(kiosk_id, "kiosk"),
                        "manufacturer": "Frontdesk", "model": "Visitor kiosk", "sw_version": version}
        self._worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kiosk-summary")
        self._count_pending = threading.Lock()

    def announce(self) -> None:
        """Every discovery config, then the summary (on the worker): at each connect, and when
        Home Assistant says it (re)started."""
        for topic, config in self.configs().items():
            self._publish(topic, contract.encode(config))
        self.changed()

    def changed(self) -> None:
        """Visitors came, left or got their badge: count again, once for any number of calls
        made while a count waits."""
        if not self._count_pending.acquire(blocking=False):
            return
        try:
            self._worker.submit(self._publish_summary)
        except RuntimeError:  # stopped
            self._count_pending.release()

    def stop(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    def configs(self) -> dict[str, Config]:
        availability = contract.kiosk_availability(self.site, self.kiosk_id)
        counted = {"state_topic": self.state_topic, "state_class": "measurement",
                   "availability": [online_when_published(availability)]}
        return {
            self._topic("binary_sensor", "online"): self._entity("online", {
                "name": "Online", "device_class": "connectivity", "entity_category": "diagnostic",
                "state_topic": availability, "payload_on": contract.ONLINE, "payload_off": contract.OFFLINE}),
            self._topic("sensor", "on_site"): self._entity("on_site", {
                **counted, "name": "Visitors on site", "icon": "mdi:account-group", "unit_of_measurement": "visitors",
                "value_template": "{{ value_json.on_site }}"}),
            self._topic("sensor", "badges_waiting"): self._entity("badges_waiting", {
                **counted, "name": "Badges waiting", "icon": "mdi:badge-account-alert", "unit_of_measurement": "badges",
                "value_template": "{{ value_json.badges_waiting }}"}),
        }

    def _topic(self, component: str, key: str) -> str:
        return config_topic(component, self.node, f"{self.site}_{key}")

    def _entity(self, key: str, config: Config) -> Config:
        unique = f"{self._unique}_{key}"
        return {**config, "unique_id": unique, "object_id": unique, "device": self._device}

    def _publish_summary(self) -> None:
        self._count_pending.release()  # a change from now on needs another count
        try:
            summary = build_kiosk_state(on_site=len(self.visits.on_site()), badges_waiting=len(self.visits.badges_to_print()),
                                        updated=contract.now(), v=CONTRACT_VERSION)
            self._publish(self.state_topic, contract.encode(summary))
        except Exception:  # noqa: BLE001 - the next change counts again
            log.exception("could not publish the kiosk's summary")
