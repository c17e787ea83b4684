"""Reading every site's MQTT traffic into the history.

One paho v5 client with a persistent session (a fixed client id, clean_start False and a
session expiry): QoS 1 messages published while the manager was stopped wait at the broker
and arrive after its restart. Retained state and availability arrive again on every
subscribe, which is how the manager catches up with what changed while the broker forgot it.

Messages are acknowledged as soon as they arrive and stored in batches by a writer thread.
Acknowledging only after the commit (paho's manual acks) was tried and lost messages under
load: the broker then holds everything behind a small in-flight window, and Mosquitto drops
a client's messages beyond `max_queued_messages` (1000 by default) once the manager falls
behind a burst, e.g. 200 agents reconnecting at once. Reading at network speed moves the
burst into the manager's memory instead. The price: if the manager process is killed, what
it received but had not stored yet (normally a fraction of a second's worth) is lost;
retained state comes back on the next start anyway, so only events, receipts, mail entries
and visits of that moment are at risk. A clean stop stores everything first. Repeats (QoS 1
redeliveries, retained state on every subscribe) are dropped by the history's unique keys.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from frontdesk.contract import clock
from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import FrontdeskConfig
from frontdesk.contract.events import parse_event
from frontdesk.contract.mqtt_client import CommandClient, make_client
from frontdesk.contract.payload import PayloadError
from frontdesk.contract.records import parse_ledger, parse_visit
from frontdesk.contract.states import parse_state

log = logging.getLogger("frontdesk.manager.ingest")

# "removed": an empty message on a device's state topic, i.e. its agent cleared the retained
# state because the device left the agent's config (docs/mqtt.md).
Kind = Literal["availability", "state", "removed", "event", "visit", "ledger"]

# How long the broker keeps the manager's session (and queues QoS 1 for it) while it is away.
SESSION_EXPIRY_SECONDS = 7 * 24 * 3600
# Largest batch stored in one transaction; the broker's in-flight window is usually smaller.
BATCH = 500


@dataclass(frozen=True)
class Message:
    kind: Kind
    site: str
    source: Literal["agent", "kiosk"]
    source_id: str
    device: str | None
    payload: dict | str  # the JSON object as sent; "online"/"offline" for availability; {} if removed
    received_at: datetime
    retained: bool


# The topics the history keeps: (owner, leaf) of contract.mqtt.parse_topic -> kind. Anything
# else is not ours: weight readings (QoS 0, not history), commands, replies, visitors/arrivals (names).
_KINDS: dict[tuple[str, str], Kind] = {
    ("agent", "availability"): "availability", ("agent", "ledger"): "ledger", ("agent", "state"): "state",
    ("agent", "events"): "event", ("kiosk", "availability"): "availability", ("kiosk", "visits"): "visit"}
# How each kind's JSON is checked against the contract's models.
_CHECKS = {"state": parse_state, "event": parse_event, "ledger": parse_ledger, "visit": parse_visit}


def _route(topic: str) -> tuple[Kind, str, Literal["agent", "kiosk"], str, str | None] | None:
    """(kind, site, source, source_id, device) of a topic the history keeps, else None."""
    parts = contract.parse_topic(topic)
    kind = _KINDS.get((parts.owner, parts.leaf)) if parts is not None else None
    if parts is None or kind is None or parts.owner_id is None:
        return None
    source: Literal["agent", "kiosk"] = "agent" if parts.owner == "agent" else "kiosk"
    return kind, parts.site, source, parts.owner_id, parts.device


class _WarnOnce:
    """Log each (topic, problem) once as a warning, repeats at debug level: a device that
    sends the same bad payload every 30 s must not fill the journal."""

    def __init__(self, limit: int = 10_000) -> None:
        self._seen: set[tuple[str, str]] = set()
        self._limit = limit
        self._lock = threading.Lock()

    def __call__(self, topic: str, problem: str) -> None:
        with self._lock:
            first = (topic, problem) not in self._seen
            if first and len(self._seen) < self._limit:
                self._seen.add((topic, problem))
        log.log(logging.WARNING if first else logging.DEBUG,
                "skipped a malformed message on %s: %s", topic, problem)


_warn = _WarnOnce()


def parse(topic: str, payload: bytes, retained: bool, now: datetime) -> Message | None:
    """The message on this topic, checked against the contract; None when the topic is not
    one the history keeps, or the payload is malformed (logged with the topic)."""
    route = _route(topic)
    if route is None:
        return None
    kind, site, source, source_id, device = route
    if not payload:
        if kind == "state":  # retained or not: a manager that was away gets it from its session
            return Message("removed", site, source, source_id, device, {}, now, retained)
        return None  # another retained message being cleared (e.g. by hand), not a message
    try:
        content = _decode(kind, payload)
    except PayloadError as error:
        _warn(topic, str(error))
        return None
    if kind == "state" and content["device"] != device:
        _warn(topic, f"device: {content['device']!r} does not match the topic's {device!r}")
        return None
    return Message(kind, site, source, source_id, device, content, now, retained)


def _decode(kind: Kind, payload: bytes) -> dict | str:
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError("not UTF-8 text") from None
    if kind == "availability":
        if text not in (contract.ONLINE, contract.OFFLINE):
            raise PayloadError(f"expected 'online' or 'offline', got {text[:40]!r}")
        return text
    try:
        content = json.loads(text)
    except ValueError as error:
        raise PayloadError(f"not JSON ({error})") from None
    _CHECKS[kind](content)
    return content


def subscriptions(sites: list[str]) -> list[str]:
    """The topic filters of the history: never `#`, so visitor names are not even received."""
    filters = []
    for site in sites or ["+"]:
        base = contract.root(site)
        filters += [f"{base}/agent/+/availability", f"{base}/agent/+/devices/+/state",
                    f"{base}/agent/+/devices/+/events", f"{base}/agent/+/ledger",
                    f"{base}/kiosk/+/availability", f"{base}/kiosk/+/visits"]
    return filters


class Ingestor:
    """Subscribes to the history's topics and stores what arrives, in batches, on one thread.

    Listeners are called on that thread after their message is stored: for every state,
    removal and availability message (also when it changed no row, the dashboard shows supply
    levels), and for events, ledger records and visits only the first time they arrive.
    """

    def __init__(self, config: FrontdeskConfig, history) -> None:
        self.config, self.history = config, history
        self._mqtt = config.mqtt_for("manager")  # [manager.mqtt] where given: the ACL's frontdesk-manager
        self.client_id = f"frontdesk-manager-{config.manager.id}"
        self.stats = {"received": 0, "stored": 0, "unchanged": 0, "skipped": 0}
        self.connected = threading.Event()
        self.subscribed = threading.Event()  # the broker confirmed the subscriptions
        self._listeners: list[Callable[[Message], None]] = []
        self._inbox: queue.Queue[tuple] = queue.Queue()
        self._stopping = threading.Event()
        self._stop_lock = threading.Lock()
        self._client = make_client(self._mqtt, self.client_id)
        self._client.on_connect = self._connected
        self._client.on_disconnect = self._disconnected
        self._client.on_message = self._received
        self._client.on_subscribe = lambda *args: self.subscribed.set()
        # Commands go over a second, ordinary client: their replies must not wait behind a
        # backlog of history, and they need no persistent session.
        self._commands_client = make_client(self._mqtt, f"{self.client_id}-commands-{uuid.uuid4().hex[:8]}")
        self._commands_client.on_connect = self._commands_connected
        self._commands: dict[tuple[str, str], CommandClient] = {}
        self._commands_lock = threading.Lock()
        self._writer = threading.Thread(target=self._write_loop, name="manager-ingest", daemon=True)

    def add_listener(self, callback: Callable[[Message], None]) -> None:
        self._listeners.append(callback)

    def start(self) -> None:
        mqtt_config = self._mqtt
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
        self._writer.start()
        self._client.connect_async(mqtt_config.host, mqtt_config.port, keepalive=30,
                                   clean_start=False, properties=properties)
        self._client.loop_start()
        self._commands_client.connect_async(mqtt_config.host, mqtt_config.port, keepalive=30)
        self._commands_client.loop_start()

    def stop(self, timeout: float = 30) -> None:
        """Leave the session at the broker (what arrives from now on waits there for the next
        start), then store everything already received. Calling it again does nothing: the
        writer is gone and nothing new can arrive."""
        with self._stop_lock:  # a second caller waits for the first one's stop to finish
            if self._stopping.is_set():
                return
            self._stopping.set()
            for client in (self._client, self._commands_client):
                client.disconnect()
                client.loop_stop()
            if not self.drained(timeout):
                log.error("stopped with %d received messages not stored (the database did not answer)",
                          self._inbox.qsize())
            self._inbox.put(None)  # wakes the writer to end
            if self._writer.is_alive():
                self._writer.join(timeout)

    def drained(self, timeout: float | None = None) -> bool:
        """Wait until everything received so far is stored; False on timeout."""
        with self._inbox.all_tasks_done:
            return self._inbox.all_tasks_done.wait_for(lambda: not self._inbox.unfinished_tasks, timeout)

    def commands_for(self, site: str, agent: str) -> CommandClient:
        """A CommandClient for one agent, with replies under the manager's own prefix."""
        with self._commands_lock:
            key = (site, agent)
            if key not in self._commands:
                replies = contract.manager_replies(site, self.config.manager.id)
                self._commands[key] = CommandClient(self._commands_client, site, agent, replies)
                if self._commands_client.is_connected():
                    self._commands[key].subscribe()
            return self._commands[key]

    # --- paho callbacks (network thread) -------------------------------------------------

    def _connected(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("broker %s:%s refused the manager: %s", self._mqtt.host, self._mqtt.port, reason_code)
            return
        filters = subscriptions(self.config.manager.sites)
        client.subscribe([(topic, 1) for topic in filters])
        log.info("connected to %s:%s (%s session), following %s", self._mqtt.host, self._mqtt.port,
                 "resumed" if flags.session_present else "new", ", ".join(self.config.manager.sites) or "every site")
        self.connected.set()

    def _disconnected(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        self.subscribed.clear()
        if not self._stopping.is_set():
            log.warning("lost the broker (%s); reconnecting", reason_code)

    def _commands_connected(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            return
        with self._commands_lock:
            for commands in self._commands.values():
                commands.subscribe()

    def _received(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        self._inbox.put((message.topic, message.payload, message.retain, clock.now()))

    # --- the writer thread ---------------------------------------------------------------

    def _write_loop(self) -> None:
        while True:
            first = self._inbox.get()
            if first is None:
                self._inbox.task_done()
                return
            batch = [first]
            while len(batch) < BATCH:
                try:
                    item = self._inbox.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._inbox.put(None)  # handle the stop after this batch
                    self._inbox.task_done()
                    break
                batch.append(item)
            try:
                self._store(batch)
            except Exception:  # a bug must not end the history: say so and go on with the next batch
                log.exception("could not store a batch of %d messages", len(batch))
            finally:
                for _ in batch:
                    self._inbox.task_done()

    def _store(self, batch: list[tuple]) -> None:
        messages = []
        for topic, payload, retained, now in batch:
            message = parse(topic, payload, retained, now)
            if message is None:
                self.stats["skipped"] += 1
            else:
                messages.append(message)
        results = self._record(messages)
        if results is None:
            return  # stopping while the database is away (logged by stop())
        self.stats["received"] += len(batch)
        for message, new in zip(messages, results):
            self.stats["stored" if new else "unchanged"] += 1
            if new or message.kind in ("state", "removed", "availability"):
                self._notify(message)

    def _record(self, messages: list[Message]) -> list[bool] | None:
        """Store the batch, retrying while the database is unreachable (what arrives meanwhile
        waits in memory); None if asked to stop before it worked."""
        from frontdesk.manager.history.store import HistoryError

        failing = False
        while True:
            try:
                results = self.history.record_batch(messages)
            except HistoryError as error:
                if not failing:
                    log.error("%s; retrying every 5 s", error)
                failing = True
                if self._stopping.wait(5):
                    log.error("stopping with %d received messages not stored: %s", len(messages), error)
                    return None
                continue
            if failing:
                log.info("the history database is back; storing again")
            return results

    def _notify(self, message: Message) -> None:
        for listener in self._listeners:
            try:
                listener(message)
            except Exception:  # a listener's bug must not stop the history
                log.exception("a listener failed on a message from %s/%s", message.site, message.source_id)
