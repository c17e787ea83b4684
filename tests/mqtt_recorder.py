"""What an MQTT subscriber sees: `Recorder`, the one MQTT client of the tests (re-exported by testbed)."""

from __future__ import annotations

import json
import threading
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from waiting import describe, wait_until

from frontdesk.contract.mqtt_client import send_at_once


class Message(tuple):
    """(topic, payload, retain) as a Recorder got it, with the MQTT v5 `properties` besides."""

    def __new__(cls, topic: str, payload: bytes, retain: bool, properties=None):
        message = super().__new__(cls, (topic, payload, retain))
        message.properties = properties
        return message

    topic = property(lambda self: self[0])
    payload = property(lambda self: self[1])
    retain = property(lambda self: self[2])


class Recorder:
    """A plain MQTT v5 client that records, in arrival order, every message on `filters` (retain
    flag and properties included), and can send commands and sentinels. The one MQTT recorder of
    the tests: build it with the filters the test follows, e.g. `Recorder(broker, "frontdesk/#")`.

    `broker` has .host and .port (a LocalBroker). It subscribes on every connect (a restarted
    broker has forgotten the subscriptions); the constructor returns once the first SUBACK is in,
    so what is published from then on is recorded, and so are the retained messages on `filters`
    (see `sync`). `username`/`password` and `tls` (keyword arguments of paho's tls_set) log in
    like the real clients; `session` (a client id) keeps a session the broker holds across our
    disconnects, as the manager's ingest does; `check=False` keeps a refused connection (`connack` says why) instead
    of raising. `prefix` is the agent that `command` and `state` talk to.

    Its own topics (test/recorder/<id>/...: the inbox for replies and the sentinel) are kept out
    of `messages`.
    """

    def __init__(self, broker, *filters: str, prefix: str = "frontdesk/test/agent/main", username: str | None = None,
                 password: str | None = None, tls: dict | None = None, check: bool = True,
                 timeout: float = 10, session: str | None = None) -> None:
        self.prefix = prefix
        self.messages: list[Message] = []
        self.replies: dict[bytes, dict] = {}
        self.connack: mqtt.ReasonCode | None = None
        self._acks: dict[int, object] = {}
        self._sentinels: set[bytes] = set()
        self._own = f"test/recorder/{uuid.uuid4().hex}"
        # Replies come to a reply topic of the agent's site, as a CLI's would: the agent replies nowhere else.
        site = prefix.split("/")[1] if prefix.startswith("frontdesk/") else "test"
        self.inbox = f"frontdesk/{site}/cli/recorder-{uuid.uuid4().hex[:12]}/replies/inbox"
        self._sentinel_topic = f"{self._own}/sentinel"
        self._filters = [*filters, f"{self._own}/#", self.inbox]
        self._seen = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=session or "", protocol=mqtt.MQTTv5)
        self.client.reconnect_delay_set(0.2, 2)  # back soon after a test restarts the broker
        if username is not None:
            self.client.username_pw_set(username, password)
        if tls is not None:
            self.client.tls_set(**tls)
        self.client.on_connect = self._connected
        self.client.on_subscribe = lambda client, userdata, mid, codes, properties: self._ack(mid, codes[0])
        self.client.on_publish = lambda client, userdata, mid, code, properties: self._ack(mid, code)
        self.client.on_message = self._message
        self.client.on_socket_open = lambda client, userdata, sock: send_at_once(sock)
        self._first_subscription: int | None = None
        if session is None:
            self.client.connect(broker.host, broker.port)
        else:  # kept by the broker while we are away (across its restarts, if it persists), as the manager's
            connect = Properties(PacketTypes.CONNECT)
            connect.SessionExpiryInterval = 3600
            self.client.connect(broker.host, broker.port, clean_start=False, properties=connect)
        self.client.loop_start()
        try:
            self.wait_until(lambda: self.connack is not None, timeout, "CONNACK")
            if self.connack.is_failure:
                if check:
                    raise AssertionError(f"the broker refused the recorder: {self.connack}")
                return
            self.wait_until(lambda: self._first_subscription in self._acks, timeout, f"SUBACK for {filters}")
        except BaseException:
            self.close()
            raise

    # -- paho's network thread --------------------------------------------------------------------

    def _connected(self, client, userdata, flags, reason_code, properties) -> None:
        with self._seen:
            self.connack = reason_code
            if not reason_code.is_failure:
                _, mid = client.subscribe([(topic, 1) for topic in self._filters])
                if self._first_subscription is None:
                    self._first_subscription = mid
            self._seen.notify_all()

    def _ack(self, mid: int, code) -> None:
        with self._seen:
            self._acks[mid] = code
            self._seen.notify_all()

    def _message(self, client, userdata, message) -> None:
        with self._seen:
            if message.topic == self.inbox:
                self.replies[message.properties.CorrelationData] = json.loads(message.payload)
            elif message.topic == self._sentinel_topic:
                self._sentinels.add(bytes(message.payload))
            elif not message.topic.startswith(self._own + "/"):
                self.messages.append(Message(message.topic, bytes(message.payload), bool(message.retain),
                                             getattr(message, "properties", None)))
            self._seen.notify_all()

    # -- waiting ---------------------------------------------------------------------------------

    def wait_until(self, predicate, timeout: float = 20, what: str | None = None, last=None):
        """testbed.wait_until on this recorder: predicate() runs whenever something arrives; a
        timeout shows `last()`, by default the last five messages."""
        return wait_until(predicate, timeout, what, condition=self._seen,
                          last=last or (lambda: self.messages[-5:]))

    def mark(self) -> int:
        """Where the record is now: pass it as `since` to look only at what arrives after."""
        with self._seen:
            return len(self.messages)

    def wait_for(self, predicate, timeout: float = 20, what: str | None = None, since: int = 0) -> Message:
        """The latest message (from `since` on) for which predicate(topic, payload, retain) is true."""
        def found():
            return next((m for m in reversed(self.messages[since:]) if predicate(*m)), None)

        return self.wait_until(found, timeout, what or describe(predicate))

    def state(self, device: str, timeout: float = 20, **expected) -> dict:
        """The latest retained state of `device` on `prefix` whose fields have the `expected` values."""
        topic = f"{self.prefix}/devices/{device}/state"

        def matches(t, payload, retain):
            return t == topic and payload and all(json.loads(payload).get(k) == v for k, v in expected.items())

        return json.loads(self.wait_for(matches, timeout, f"{topic} with {expected}")[1])

    # -- looking ---------------------------------------------------------------------------------

    def snapshot(self, since: int = 0) -> list[Message]:
        with self._seen:
            return list(self.messages[since:])

    def on(self, topic: str, since: int = 0) -> list[Message]:
        return [m for m in self.snapshot(since) if m.topic == topic]

    def json_on(self, topic: str, since: int = 0) -> list[dict]:
        return [json.loads(m.payload) for m in self.on(topic, since) if m.payload]

    def topics(self, since: int = 0) -> set[str]:
        """The topics of the messages with a payload (an empty retained one clears, it says nothing)."""
        return {m.topic for m in self.snapshot(since) if m.payload}

    def clear(self) -> None:
        with self._seen:
            self.messages.clear()

    # -- sending ---------------------------------------------------------------------------------

    def publish(self, topic: str, payload: bytes | str = b"{}", retain: bool = False, qos: int = 1,
                properties: Properties | None = None, timeout: float = 10):
        """Published, and at QoS 1 acknowledged: the PUBACK's reason code (e.g. "Not authorized")."""
        info = self.client.publish(topic, payload, qos=qos, retain=retain, properties=properties)
        if qos == 0:
            return None
        return self.wait_until(lambda: self._acks.get(info.mid), timeout, f"PUBACK for {topic}")

    def subscribe(self, topic: str, timeout: float = 10):
        """Subscribed (on every connect from now on too): the SUBACK's reason code."""
        with self._seen:
            self._filters.append(topic)
        _, mid = self.client.subscribe(topic, qos=1)
        return self.wait_until(lambda: self._acks.get(mid), timeout, f"SUBACK for {topic}")

    def request(self, name: str, payload: bytes | dict, timeout: float = 20, prefix: str | None = None) -> dict | None:
        """Sends command `name` to the agent at `prefix` (this recorder's by default) with a response
        topic and correlation data, as the kiosk and the manager do: its reply, None if none came."""
        correlation = uuid.uuid4().bytes
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic, properties.CorrelationData = self.inbox, correlation
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.client.publish(f"{prefix or self.prefix}/cmd/{name}", data, qos=1, properties=properties)
        with self._seen:
            self._seen.wait_for(lambda: correlation in self.replies, timeout)
            return self.replies.get(correlation)

    def command(self, name: str, payload: bytes | dict, timeout: float = 20, prefix: str | None = None) -> dict:
        """`request`, which must be answered within `timeout`.

        A sentinel for what the agent publishes itself (not through its event outbox): its
        network client sends the reply after whatever it published before handling the command,
        and Mosquitto forwards one client's messages to a subscriber in the order it got them
        (MQTT itself promises that only per topic)."""
        reply = self.request(name, payload, timeout, prefix)
        assert reply is not None, f"no reply to {name} within {timeout:g} s; last seen: {self.messages[-5:]}"
        return reply

    def sync(self, timeout: float = 10) -> None:
        """A sentinel through the broker, for "has everything the broker already had for me arrived?".

        Publishes a unique message on this recorder's own sentinel topic and waits until it comes
        back (or, where an ACL refuses it, until the PUBACK does). Mosquitto handles one packet at a
        time and queues a message for every subscriber before it acknowledges it, and writes one
        subscriber's messages in the order they were queued: so once the sentinel is back, so is
        every message the broker took before it, and every retained message of our subscriptions
        (queued while it handled the SUBSCRIBE). That is Mosquitto's behaviour, not an MQTT rule
        (MQTT orders messages only per publisher and topic). It says nothing of what another client
        has not published yet: for that, a sentinel from that client (see `command`).
        """
        token = uuid.uuid4().bytes
        code = self.publish(self._sentinel_topic, token, timeout=timeout)
        if code.is_failure:
            return  # refused: nothing comes back, and the PUBACK came after what was queued for us
        self.wait_until(lambda: token in self._sentinels, timeout, "the sentinel back from the broker")

    def close(self) -> None:
        self.client.disconnect()  # first: it wakes the network loop, which then ends at once
        self.client.loop_stop()
