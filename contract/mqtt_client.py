"""Connecting to the broker and asking an agent to do something.

Every Frontdesk process connects the same way (MQTT v5, credentials and TLS from its
login, FrontdeskConfig.mqtt_for; a retained `offline` last will; and one log line saying
why the broker cannot be reached), and the kiosk and the manager both send the agent's v5 request/response
commands, so both live here once.
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import socket
import ssl
import sys
import threading
import uuid
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from pydantic import ValidationError

from frontdesk.contract import mqtt as contract
from frontdesk.contract.commands import REQUESTS
from frontdesk.contract.config import MqttConfig
from frontdesk.contract.mqtt_config import with_password

log = logging.getLogger("frontdesk.mqtt")

Reply = dict[str, Any]


def make_client(config: MqttConfig, client_id: str, will_topic: str | None = None,
                trouble: BrokerTrouble | None = None) -> mqtt.Client:
    """A paho v5 client set up from `[mqtt]`; the caller connects it and starts its loop.

    Why a connection attempt fails is logged by `trouble`, once per reason. A caller that
    passes its own tells it of connects and refusals (BrokerTrouble.connected/refused/ended);
    without one, reaching the broker's socket counts as connected again."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.max_queued_messages_set(0)  # queue everything while the broker is away
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    if config.username:
        # A login from FrontdeskConfig.mqtt_for has its password read already; `[mqtt]` passed
        # as it is (the agent's) may still name its file.
        config = with_password(config, "mqtt")
        client.username_pw_set(config.username, config.password)
    if config.tls is not None:
        client.tls_set(
            ca_certs=str(config.tls.ca_file) if config.tls.ca_file else None,
            certfile=str(config.tls.cert_file) if config.tls.cert_file else None,
            keyfile=str(config.tls.key_file) if config.tls.key_file else None,
            tls_version=ssl.PROTOCOL_TLS_CLIENT,
        )
    if will_topic:
        client.will_set(will_topic, contract.OFFLINE, qos=1, retain=True)
    reached = None
    if trouble is None:
        trouble = BrokerTrouble(config)
        reached = trouble.connected
    client.on_socket_open = lambda client, userdata, sock: _socket_opened(sock, reached)
    client.on_connect_fail = trouble.connect_failed
    return client


def _socket_opened(sock, reached: Callable[[], None] | None) -> None:
    send_at_once(sock)
    if reached is not None:
        reached()


def send_at_once(sock) -> None:
    """Small packets go at once: without TCP_NODELAY a request or reply sent while an earlier
    packet waits for its ACK sits for the peer's delayed ACK (40 ms on Linux), each way. Measured:
    a `status` round trip through Mosquitto took 88 ms with Nagle and 2.5 ms without."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (AttributeError, OSError):
        pass  # a websocket wrapper or a Unix socket: no Nagle to switch off


# OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH, _EMAIL_MISMATCH and _IP_ADDRESS_MISMATCH.
_NAME_MISMATCH = (62, 63, 64)


class BrokerTrouble:
    """Says why the broker cannot be reached: once, then again only when the reason changes
    or after a connection. paho retries every 1 to 30 s and says nothing by itself.

    All its methods run on paho's network thread."""

    def __init__(self, config: MqttConfig, logger: logging.Logger = log) -> None:
        self._host = config.host
        self._where = f"[{config.host}]:{config.port}" if ":" in config.host else f"{config.host}:{config.port}"
        self._log = logger
        self._said: str | None = None
        self._refused = False
        self.failures = 0  # attempts that failed since the last connection

    def connect_failed(self, client: mqtt.Client, userdata: Any) -> None:
        """paho's on_connect_fail. paho 2.x passes no exception, but calls this from inside its
        `except OSError:`, so the one being handled is the reason."""
        self.tell(describe_failure(sys.exception(), self._host))

    def refused(self, reason_code: Any) -> None:
        """The broker answered CONNACK with a failure (e.g. not authorised)."""
        self._refused = True
        self.tell(f"it refused the connection: {reason_code}")

    def ended(self, reason_code: Any) -> None:
        """The connection ended before the broker accepted it."""
        if self._refused:  # the end of a refused connection: already said
            self._refused = False
            return
        self.tell(f"it closed the connection before accepting it ({reason_code})")

    def connected(self) -> None:
        self._said, self._refused, self.failures = None, False, 0

    def tell(self, reason: str) -> None:
        self.failures += 1
        if reason != self._said:
            self._said = reason
            self._log.error("cannot connect to the broker %s: %s; trying again", self._where, reason)


def describe_failure(error: BaseException | None, host: str) -> str:
    """What stops a connection to `host`, in words that point at the fix."""
    if isinstance(error, ssl.SSLCertVerificationError):
        if error.verify_code in _NAME_MISMATCH:
            return f"TLS: the broker's certificate is not valid for {host!r}; set [mqtt] host to a name it is issued for"
        return (f"TLS: the broker's certificate is not trusted ({error.verify_message}); "
                "is mqtt.tls.ca_file the CA that signed it?")
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error.reason or error}"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is the broker running, and is [mqtt] port right?)"
    if isinstance(error, socket.gaierror):
        return f"host {host!r} not found ({error.strerror})"
    if isinstance(error, TimeoutError):
        return "no answer (the host is down, or a firewall drops the connection)"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error) if error is not None else "the connection failed (no reason given)"


def built_request(command: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The request as contract/commands.py builds it (text as it will print, amounts as strings);
    raises ValidationError for one the agent would refuse. An unknown command goes as it is: the
    agent may be newer than this client."""
    model = REQUESTS.get(command)
    if model is None:
        return payload
    return model.model_validate(payload).model_dump(mode="json", exclude_unset=True)


def field_error(error: ValidationError) -> str:
    """`field: what is wrong`, for the first mistake, as the agent words it."""
    first = error.errors(include_url=False)[0]
    return f"{'.'.join(str(part) for part in first['loc']) or 'request'}: {first['msg']}"


def no_reply(command: str, timeout: float) -> Reply:
    return contract.error_reply(
        contract.AGENT_UNAVAILABLE,
        f"the agent did not answer {command!r} within {timeout:g} s; it may be stopped or the broker unreachable",
    )


class CommandClient:
    """Sends commands to one agent and matches each reply by its correlation data.

    Use it on a client you already run (`CommandClient(client, site, agent_id, replies)`,
    where `replies` is the caller's own reply prefix, e.g. `contract.kiosk_replies()`),
    then call `subscribe()` from your on_connect); `request()` blocks the caller,
    `submit()` returns a Future for callers that must not block (a UI thread).
    """

    def __init__(self, client: mqtt.Client, site: str, agent_id: str, replies: str) -> None:
        self._client = client
        self.site, self.agent_id = site, agent_id
        self.inbox = f"{replies}/{uuid.uuid4().hex}"
        self._pending: dict[bytes, concurrent.futures.Future[Reply]] = {}
        self._lock = threading.Lock()
        client.message_callback_add(self.inbox, self._reply)

    def subscribe(self) -> None:
        """Subscribe to the reply inbox; call on every (re)connect."""
        self._client.subscribe(self.inbox, qos=1)

    def submit(self, command: str, payload: dict[str, Any], timeout: float = 15.0) -> concurrent.futures.Future[Reply]:
        """Send now; the Future resolves to the agent's reply, or to an
        `agent_unavailable` error reply after `timeout` seconds. It never raises."""
        future: concurrent.futures.Future[Reply] = concurrent.futures.Future()
        try:
            payload = built_request(command, payload)
        except ValidationError as error:  # the agent would refuse it the same way: say so now
            future.set_result(contract.error_reply(contract.INVALID_REQUEST, field_error(error)))
            return future
        correlation = uuid.uuid4().bytes
        with self._lock:
            self._pending[correlation] = future
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic, properties.CorrelationData = self.inbox, correlation
        properties.MessageExpiryInterval = max(1, int(timeout))  # a late command must not act later
        topic = contract.command_topic(self.site, self.agent_id, command)
        self._client.publish(topic, contract.encode(payload), qos=1, properties=properties)
        timer = threading.Timer(timeout, self._expire, (correlation, command, timeout))
        timer.daemon = True
        timer.start()
        future.add_done_callback(lambda _: timer.cancel())
        return future

    def request(self, command: str, payload: dict[str, Any], timeout: float = 15.0) -> Reply:
        return self.submit(command, payload, timeout).result()

    def _expire(self, correlation: bytes, command: str, timeout: float) -> None:
        with self._lock:
            future = self._pending.pop(correlation, None)
        if future is not None:
            future.set_result(no_reply(command, timeout))

    def _reply(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        correlation = getattr(getattr(message, "properties", None), "CorrelationData", None)
        with self._lock:
            future = self._pending.pop(correlation, None) if correlation else None
        if future is None:
            return  # a reply that came after its timeout, or not ours
        try:
            reply = json.loads(message.payload)
        except ValueError:
            reply = contract.error_reply(contract.INTERNAL_ERROR, "the agent sent a reply that is not JSON")
        future.set_result(reply)


class AgentConnection:
    """A connected client plus a CommandClient, for programs that only send commands
    (the CLI, the manager's actions, tests). `on_connect` extras may be chained."""

    def __init__(self, config: MqttConfig, site: str, agent_id: str, client_id: str, replies: str,
                 will_topic: str | None = None, on_connect: Callable[[mqtt.Client], None] | None = None) -> None:
        self.client = make_client(config, client_id, will_topic)
        self.commands = CommandClient(self.client, site, agent_id, replies)
        self.connected = threading.Event()
        self._config, self._on_connect = config, on_connect
        self.client.on_connect = self._connected
        self.client.on_disconnect = lambda *args: self.connected.clear()

    def start(self) -> None:
        self.client.connect_async(self._config.host, self._config.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def _connected(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("broker %s:%s refused the connection: %s", self._config.host, self._config.port, reason_code)
            return
        self.commands.subscribe()
        if self._on_connect:
            self._on_connect(client)
        self.connected.set()
