"""The agent's one connection to the broker (paho-mqtt, MQTT v5).

* availability `online`, with `offline` as the last will;
* retained device state, republished after every (re)connect, because a broker
  without persistence forgets retained messages when it restarts; a cleared
  retained topic (a device that left the config) is cleared again after every
  (re)connect until the broker has acknowledged it, then `on_cleared(topic)`;
* events at QoS 1 through an on-disk outbox (contract/outbox.py), so those
  raised while the broker is away survive even an agent crash, in order;
* why the broker cannot be reached, logged once per reason (refused, host not found, TLS
  certificate not trusted or not for this host, not authorised), not at every retry;
* commands in, handed in arrival order to one intake thread (parsing a 15 MiB fax
  must not stall the network loop) that hands each to its device's lane, and
  exactly one reply each to the request's response topic, with its correlation data;
* a reply only to a client's reply topic of this site (contract.mqtt.parse_topic): a
  request naming any other response topic is logged and dropped, never carried out;
  the reply topic names the client's role, and a command that role may not send is
  refused with `permission_denied` (contract.commands.may_send);
* never a command from a retained message: the broker would hand it over again at
  every (re)connect, and one retained `open_drawer` would open the drawer at every
  restart. The agent subscribes with "retain as published", so it sees the flag of a
  live retained publish too; it refuses it, logs it and clears it.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from frontdesk.agent.request_json import LARGEST as LARGEST_COMMAND
from frontdesk.contract import mqtt as contract
from frontdesk.contract.commands import may_send
from frontdesk.contract.config import MqttConfig
from frontdesk.contract.mqtt_client import BrokerTrouble, make_client
from frontdesk.contract.outbox import EventOutbox
from frontdesk.contract.reasons import ErrorCode

log = logging.getLogger("frontdesk.agent.mqtt")

# (command, payload, respond): takes the request in arrival order and calls `respond` once
# with the reply, now or later from another thread (agent/commands.py runs it on a lane).
CommandHandler = Callable[[str, bytes, Callable[[dict[str, Any]], None]], None]

# Told to the broker on connect: it drops a larger message for us instead of sending it. The
# largest command (fax_send) leaves 64 KiB for topic and properties; without this, a Pi would
# take in whatever the broker allows (Mosquitto: 256 MB) before the size could be refused.
MAX_PACKET = LARGEST_COMMAND + 64 * 1024


class MqttLink:
    def __init__(self, config: MqttConfig, site: str, agent_id: str, on_command: CommandHandler,
                 outbox_path: Path | None = None) -> None:
        self.site, self.agent_id = site, agent_id
        self.availability = contract.agent_availability(site, agent_id)
        self._commands = contract.command_topic(site, agent_id, "+")
        self._on_command = on_command
        self._retained: dict[str, bytes] = {}
        # Retained topics to clear, until the broker acknowledges one of their clearings.
        self._clearing: set[str] = set()
        self._clearing_mids: dict[int, str] = {}  # only touched on paho's network thread
        self._link_up = False  # under _lock: whether _connected already sent the clearings
        self.on_cleared: Callable[[str], None] | None = None
        self._watched: dict[str, Callable[[bytes], None]] = {}
        self._stopping = False
        self._lock = threading.Lock()
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="command-intake")
        self.connected = threading.Event()
        self._offline_since = time.monotonic()
        self.trouble = BrokerTrouble(config, log)
        self._client = self._make_client(config)
        self._config = config
        self._outbox = None if outbox_path is None else EventOutbox(outbox_path, self._publish_now, self.connected)

    def start(self) -> None:
        connect = Properties(PacketTypes.CONNECT)
        connect.MaximumPacketSize = MAX_PACKET
        self._client.connect_async(self._config.host, self._config.port, keepalive=30, properties=connect)
        self._client.loop_start()
        if self._outbox is not None:
            self._outbox.start()

    def stop(self) -> None:
        self._stopping = True
        self._worker.shutdown(wait=True, cancel_futures=True)
        if self._outbox is not None:
            self._outbox.stop()
        if self.connected.is_set():
            self._client.publish(self.availability, contract.OFFLINE, qos=1, retain=True).wait_for_publish(5)
        self._client.disconnect()
        self._client.loop_stop()

    def publish_state(self, topic: str, payload: dict[str, Any] | None) -> None:
        """Retained, and published again after every reconnect; None clears the topic."""
        if payload is None:
            self._clear(topic)
            return
        data = contract.encode(payload)
        with self._lock:
            self._retained[topic] = data
            self._clearing.discard(topic)
        self._client.publish(topic, data, qos=1, retain=True)

    def _clear(self, topic: str) -> None:
        """An empty retained message, sent by `_connected` (on paho's thread, so that its PUBACK
        cannot come before its message id is noted). A clearing asked for while connected is
        sent at once too, but only noted as done after the next connect's."""
        with self._lock:
            self._retained.pop(topic, None)
            self._clearing.add(topic)
            send_now = self._link_up
        if send_now:
            self._client.publish(topic, b"", qos=1, retain=True)

    def _send_clearings(self) -> None:
        with self._lock:
            self._link_up = True
            topics = sorted(self._clearing)
        self._clearing_mids = {}  # a PUBACK of an earlier connection's copy no longer counts
        for topic in topics:
            self._clearing_mids[self._client.publish(topic, b"", qos=1, retain=True).mid] = topic

    def watch(self, topic: str, on_payload: Callable[[bytes], None]) -> None:
        """Also follow `topic` (subscribed on every connect); call before start()."""
        self._watched[topic] = on_payload
        self._client.message_callback_add(topic, lambda client, userdata, message: on_payload(message.payload))

    def republish_retained(self) -> None:
        with self._lock:
            retained = dict(self._retained)
        for topic, data in retained.items():
            self._client.publish(topic, data, qos=1, retain=True)

    def publish_event(self, topic: str, payload: dict[str, Any], qos: int = 1) -> None:
        """QoS 1 events go through the on-disk outbox (when the link has one)."""
        if qos == 1 and self._outbox is not None:
            self._outbox.put(topic, contract.encode(payload))
        else:
            self._client.publish(topic, contract.encode(payload), qos=qos)

    def pending_events(self) -> int:
        return 0 if self._outbox is None else self._outbox.pending()

    def _publish_now(self, topic: str, data: bytes):
        return self._client.publish(topic, data, qos=1)

    def _make_client(self, config: MqttConfig) -> mqtt.Client:
        client = make_client(config, f"frontdesk-agent-{self.site}-{self.agent_id}", will_topic=self.availability,
                             trouble=self.trouble)
        client.on_connect = self._connected
        client.on_disconnect = self._disconnected
        client.on_message = self._message
        client.on_publish = self._acknowledged
        return client

    def _connected(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.trouble.refused(reason_code)
            return
        self.trouble.connected()
        # Subscribed first: a client may send a command as soon as it sees `online`.
        commands = SubscribeOptions(qos=1, retainAsPublished=True)
        client.subscribe([(self._commands, commands)] + [(topic, SubscribeOptions(qos=1)) for topic in self._watched])
        client.publish(self.availability, contract.ONLINE, qos=1, retain=True)
        self.republish_retained()
        self._send_clearings()
        self.connected.set()
        if self._outbox is not None:
            self._outbox.wake()
        log.info("connected to %s:%s; retained state republished", self._config.host, self._config.port)

    def _acknowledged(self, client, userdata, mid, reason_code, properties) -> None:
        if self._outbox is not None:
            self._outbox.acknowledged(mid)
        topic = self._clearing_mids.pop(mid, None)
        if topic is not None and not reason_code.is_failure:  # e.g. an ACL that refuses it: try again
            with self._lock:
                self._clearing.discard(topic)
            if self.on_cleared is not None:
                self.on_cleared(topic)

    def offline_for(self) -> float:
        """Seconds since the broker was last reachable (0 while connected)."""
        return 0.0 if self.connected.is_set() else time.monotonic() - self._offline_since

    def _disconnected(self, client, userdata, flags, reason_code, properties) -> None:
        with self._lock:
            self._link_up = False
        if self._stopping:
            self.connected.clear()
            return
        if not self.connected.is_set():  # an attempt that failed: offline since the link was last up
            self.trouble.ended(reason_code)
            return
        self.connected.clear()
        self._offline_since = time.monotonic()
        log.warning("lost the broker (%s); reconnecting", reason_code)

    def _message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        parsed = contract.parse_topic(message.topic)
        command = parsed.command if parsed is not None else None
        if command is None:
            return  # not a command topic (our subscription is cmd/+): nothing to answer
        properties = getattr(message, "properties", None)
        response_topic = getattr(properties, "ResponseTopic", None)
        correlation = getattr(properties, "CorrelationData", None)
        payload = message.payload
        if message.retain:
            self._refuse_retained(message, response_topic, correlation)
            return
        if response_topic and not self._may_reply_to(response_topic):
            log.warning("refused command %s: its response topic %r is not a client's reply topic "
                        "(frontdesk/%s/<kiosk|manager|cli>/<id>/replies/...); nothing was done or published",
                        command, response_topic[:200], self.site)
            return
        role = contract.parse_topic(response_topic).owner if response_topic else None
        if not may_send(role, command):
            self._refuse_role(command, role, response_topic, correlation)
            return
        try:
            self._worker.submit(self._answer, command, payload, response_topic, correlation)
        except RuntimeError:
            pass  # shutting down: the requester's timeout tells it

    def _may_reply_to(self, topic: str) -> bool:
        """Only a client's reply inbox of this site: a reply published anywhere else would speak with
        the agent's rights, e.g. over its own device state or Home Assistant's discovery."""
        parsed = contract.parse_topic(topic)
        return parsed is not None and parsed.leaf == "replies" and parsed.site == self.site

    def _refuse_role(self, command: str, role: str | None, response_topic: str | None,
                     correlation: bytes | None) -> None:
        who = f"a {role}" if role else "a request without a response topic (a button)"
        log.warning("refused command %s from %s: that role may not send it (contract/commands.py ROLE_COMMANDS)",
                    command, who)
        if response_topic:
            self._reply(response_topic, correlation, contract.error_reply(
                ErrorCode.PERMISSION_DENIED, f"{who} may not send {command}; the staff CLI at the Pi may"))

    def _refuse_retained(self, message: mqtt.MQTTMessage, response_topic: str | None,
                         correlation: bytes | None) -> None:
        if not message.payload:
            return  # a clearing (ours, or someone's): nothing to do
        sender = f"; its response topic {response_topic!r} names the requester" if response_topic else ""
        log.warning("refused a retained command on %s and cleared it: commands are never taken from retained "
                    "messages. Any client that may write that topic could have sent it (the broker's ACL says "
                    "which: kiosks, the manager, Home Assistant)%s", message.topic, sender)
        self._client.publish(message.topic, b"", qos=1, retain=True)
        if response_topic:  # a requester may be waiting (if it is an old one, nobody reads this)
            self._reply(response_topic, correlation, contract.error_reply(
                contract.INVALID_REQUEST, "a command must not be published with retain: it was not carried out"))

    def _answer(self, command: str, payload: bytes, response_topic: str | None, correlation: bytes | None) -> None:
        def respond(reply: dict[str, Any]) -> None:
            if response_topic:
                self._reply(response_topic, correlation, reply)
            elif not reply.get("ok"):
                log.warning("command %s without a response topic failed: %s", command, reply["error"]["message"])

        self._on_command(command, payload, respond)

    def _reply(self, response_topic: str, correlation: bytes | None, reply: dict[str, Any]) -> None:
        properties = Properties(PacketTypes.PUBLISH)
        if correlation is not None:
            properties.CorrelationData = correlation
        self._client.publish(response_topic, contract.encode(reply), qos=1, properties=properties)
