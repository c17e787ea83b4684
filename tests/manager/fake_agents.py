"""Fake agents and kiosks for the manager's tests: real MQTT clients on the real broker,
publishing exactly what agent/ and kiosk/ publish (payloads built with contract.mqtt)."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from frontdesk.contract import mqtt as contract

# Kind fields as the real agent sends them, per device kind.
KIND_FIELDS = {
    "printer": {"paper": "ok", "online": True, "cover_open": False, "columns": 48},
    "scale": {"unit": "g"},
    "copier": {"state": "idle", "accepting": True, "message": "", "jobs_waiting": 0,
               "supplies": [{"name": "Black Toner", "level": 64, "kind": "toner"}]},
    "fax": {"state": "idle", "accepting": True, "message": "", "jobs_waiting": 0, "supplies": []},
}


def iso(moment: datetime | None = None) -> str:
    return (moment or datetime.now(timezone.utc)).isoformat(timespec="milliseconds")


def job_fields(job: int, printer: str = "desk-printer") -> dict:
    """A printed receipt's job, as the agent's job events carry it (contract.events.JobFields)."""
    return {"job": job, "request_id": None, "printer": printer, "kind": "receipt",
            "receipt_number": f"2026-{job:06d}", "state": "printed", "attempts": 1, "last_error": None}


class FakePublisher:
    """One MQTT connection with a last will, like a real agent's or kiosk's."""

    def __init__(self, broker, site: str, source: str, source_id: str) -> None:
        self.site, self.source, self.id = site, source, source_id
        self.availability_topic = f"{contract.root(site)}/{source}/{source_id}/availability"
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"fake-{source}-{site}-{source_id}-{uuid.uuid4().hex[:6]}",
                                  protocol=mqtt.MQTTv5)
        self.client.max_queued_messages_set(0)
        self.client.will_set(self.availability_topic, contract.OFFLINE, qos=1, retain=True)
        self._connected = threading.Event()
        self.client.on_connect = lambda *args: self._connected.set()
        self.client.connect(broker.host, broker.port, keepalive=30)
        self.client.loop_start()
        if not self._connected.wait(10):
            raise RuntimeError(f"fake {source} {source_id} could not connect to {broker.host}:{broker.port}")
        self._pending: list[mqtt.MQTTMessageInfo] = []

    def publish(self, topic: str, payload: bytes | str, retain: bool = False, qos: int = 1) -> None:
        self._pending.append(self.client.publish(topic, payload, qos=qos, retain=retain))

    def online(self) -> None:
        self.publish(self.availability_topic, contract.ONLINE, retain=True)

    def offline(self) -> None:
        self.publish(self.availability_topic, contract.OFFLINE, retain=True)

    def flush(self, timeout: float = 30) -> None:
        """Wait until the broker has every message published so far (PUBACK)."""
        deadline = time.monotonic() + timeout
        for info in self._pending:
            info.wait_for_publish(max(0.1, deadline - time.monotonic()))
        self._pending.clear()

    def close(self) -> None:
        self.flush()
        self.client.disconnect()
        self.client.loop_stop()


class FakeAgent(FakePublisher):
    def __init__(self, broker, site: str, agent: str, devices: dict[str, str]) -> None:
        super().__init__(broker, site, "agent", agent)
        self.devices = devices  # device id -> kind
        self.states: dict[str, dict] = {}

    def state(self, device: str, health: str = "ok", reasons: list[str] | None = None,
              since: datetime | None = None, **fields) -> dict:
        payload = contract.device_state(device, self.devices[device], health, reasons or [], iso(since),
                                        **{**KIND_FIELDS[self.devices[device]], **fields})
        self.states[device] = payload
        self.publish(contract.device_topic(self.site, self.id, device, "state"), contract.encode(payload), retain=True)
        return payload

    def all_ok(self) -> None:
        self.online()
        for device in self.devices:
            self.state(device)

    def republish(self) -> None:
        """What the agent does after every reconnect: availability and every retained state again."""
        self.online()
        for device, payload in self.states.items():
            self.publish(contract.device_topic(self.site, self.id, device, "state"), contract.encode(payload), retain=True)

    def job_completed(self, device: str, job: int) -> dict:
        return self.event(device, "job_completed", **job_fields(job, device))

    def event(self, device: str, name: str, **fields) -> dict:
        payload = contract.event(name, **fields)
        self.publish(contract.device_topic(self.site, self.id, device, "events"), contract.encode(payload))
        return payload

    def resend(self, device: str, payload: dict) -> None:
        """The same event again, as a QoS 1 redelivery carries it."""
        self.publish(contract.device_topic(self.site, self.id, device, "events"), contract.encode(payload))

    def weight(self, device: str, grams: float) -> None:
        payload = {"grams": grams, "value": grams, "unit": "g", "stable": True, "condition": "ok", "at": iso()}
        self.publish(contract.device_topic(self.site, self.id, device, "weight"), contract.encode(payload), qos=0)

    def receipt(self, number: str, total: str = "12.50", payment_method: str = "card", items: int = 3,
                currency: str = "EUR") -> dict:
        payload = contract.event("receipt_issued", number=number, total=total, currency=currency,
                                 payment_method=payment_method, items=items)
        self.publish(contract.agent_ledger(self.site, self.id), contract.encode(payload))
        return payload

    def mail(self, entry: str | None = None, mail_class: str = "first-class-mail-letter", grams: float = 85.0,
             price: str = "0.73") -> dict:
        payload = contract.event("mail_recorded", entry=entry or uuid.uuid4().hex, carrier="usps", mail_class=mail_class,
                                 destination="domestic", grams=grams, price=price, currency="USD")
        self.publish(contract.agent_ledger(self.site, self.id), contract.encode(payload))
        return payload

    def raw(self, leaf: str, payload: bytes, retain: bool = False) -> None:
        """Anything at all on frontdesk/<site>/agent/<id>/<leaf>: for malformed payloads."""
        self.publish(f"{contract.root(self.site)}/agent/{self.id}/{leaf}", payload, retain=retain)


class FakeKiosk(FakePublisher):
    def __init__(self, broker, site: str, kiosk: str) -> None:
        super().__init__(broker, site, "kiosk", kiosk)

    def visit(self, minutes: float = 20, language: str = "en", purpose: str = "meeting",
              signed_in_at: datetime | None = None, sign_out: bool = True) -> str:
        visit = uuid.uuid4().hex[:12]
        started = signed_in_at or datetime.now(timezone.utc) - timedelta(minutes=minutes)
        topic = contract.kiosk_visits(self.site, self.id)
        self.publish(topic, contract.encode(contract.event(
            "signed_in", visit=visit, signed_in_at=iso(started), pre_registered=False, language=language,
            purpose=purpose)))
        if sign_out:
            self.publish(topic, contract.encode(contract.event(
                "signed_out", visit=visit, signed_in_at=iso(started), duration_seconds=minutes * 60)))
        return visit

    def arrival(self, name: str) -> None:
        """visitors/arrivals carries names: the manager must never store it."""
        self.publish(contract.visitor_arrivals(self.site), contract.encode(contract.arrival(
            name=name, company=None, host="Ion Popescu", host_email=None, kiosk=self.id, language="en")))


class _Broker:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port


def crowd(host: str, port: int, agents: int, sites: int, devices: dict[str, str],
          changes: list[tuple[str, list[str]]]) -> int:
    """Many agents at once: each connects, says it is online with every device ok, then every
    agent changes every device through `changes` (an event with each fault). Returns how many
    messages were published (and acknowledged by the broker)."""
    broker = _Broker(host, port)
    crowd = [FakeAgent(broker, f"site-{n % sites}", f"agent-{n:03d}", devices) for n in range(agents)]
    for agent in crowd:
        agent.all_ok()
    published = agents * (1 + len(devices))
    for health, reasons in changes:
        for agent in crowd:
            for device in devices:
                agent.state(device, health, reasons)
                published += 1
                if health != "ok":
                    agent.event(device, reasons[-1], health=health)
                    published += 1
    for agent in crowd:
        agent.close()
    return published


if __name__ == "__main__":
    # python fake_agents.py HOST PORT AGENTS SITES '{"dev": "kind"}' '[["error", ["jam"]], ...]'
    # Run apart from the manager under test, as real agents are: 200 agents' MQTT threads in
    # the manager's own process would starve its network thread of the GIL.
    import json
    import sys

    host, port, count, sites, devices, changes = sys.argv[1:7]
    print(crowd(host, int(port), int(count), int(sites), json.loads(devices), json.loads(changes)), flush=True)
