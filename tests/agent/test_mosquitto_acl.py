"""docs/mosquitto/: the example broker config and ACL, on a real Mosquitto with MQTT v5 clients.

A refused publish is dropped silently for MQTT 3 clients; an MQTT v5 client publishing at
QoS 1 gets PUBACK "Not authorized" (0x87), which is what these tests look at. Mosquitto 2.0
does not check subscriptions against an acl_file (every SUBACK grants them): it checks each
message as it is delivered, so reading is tested by what arrives.
"""

from __future__ import annotations

import getpass
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from agent.local_broker import LocalBroker

DOCS = Path(__file__).parents[2] / "docs" / "mosquitto"
PASSWORDS = {"frontdesk-agent": "agent-secret", "frontdesk-kiosk-lobby": "kiosk-secret",
             "frontdesk-manager": "manager-secret", "stranger": "stranger-secret"}
NOT_AUTHORIZED = 0x87
AGENT, KIOSK, MANAGER, STRANGER = PASSWORDS


def copy_for_test(config: str, root: Path, port: int) -> str:
    """frontdesk.conf with the test's port and files; what Debian's mosquitto.conf adds, added."""
    moved = {"listener": f"listener {port} 127.0.0.1", "password_file": f"password_file {root / 'frontdesk.passwd'}",
             "acl_file": f"acl_file {root / 'frontdesk.acl'}"}
    lines = [moved.get(line.split(" ", 1)[0], line) for line in config.splitlines()]
    assert sum(line in moved.values() for line in lines) == len(moved), "frontdesk.conf lost a setting"
    # Run as root, mosquitto drops to its own user, which may not enter pytest's folders.
    lines += [f"persistence_location {root}/", f"log_dest file {root / 'mosquitto.log'}", f"user {getpass.getuser()}"]
    return "\n".join(lines) + "\n"


def program(name: str) -> str:
    found = shutil.which(name) or next((f"{d}/{name}" for d in ("/usr/sbin", "/usr/bin") if Path(d, name).exists()), None)
    assert found, f"{name} is missing: apt-get install mosquitto"
    return found


@pytest.fixture(scope="module")
def acl_broker(tmp_path_factory):
    root = tmp_path_factory.mktemp("mosquitto")
    passwords = root / "frontdesk.passwd"
    passwords.touch(mode=0o600)
    for user, password in PASSWORDS.items():
        subprocess.run([program("mosquitto_passwd"), "-b", str(passwords), user, password], check=True)
    shutil.copy(DOCS / "frontdesk.acl", root / "frontdesk.acl")
    broker = LocalBroker(root, lambda port: copy_for_test((DOCS / "frontdesk.conf").read_text(), root, port))
    with broker:
        yield broker.port


class Login:
    """One MQTT v5 client under one user: PUBACK reason codes and every message that arrives."""

    def __init__(self, port: int, user: str | None, password: str | None = None) -> None:
        self.acks: dict[int, mqtt.ReasonCode] = {}
        self.messages: list[mqtt.MQTTMessage] = []
        self.connack: mqtt.ReasonCode | None = None
        self._event = threading.Condition()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        if user:
            self.client.username_pw_set(user, PASSWORDS[user] if password is None else password)
        self.client.on_connect = lambda c, u, flags, code, props: self._record("connack", code)
        self.client.on_publish = lambda c, u, mid, code, props: self._record_ack(mid, code)
        self.client.on_subscribe = lambda c, u, mid, codes, props: self._record_ack(mid, codes[0])
        self.client.on_message = lambda c, u, message: self._record_message(message)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.wait_until(lambda: self.connack is not None, "CONNACK")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def publish(self, topic: str, payload: bytes = b"{}", retain: bool = False,
                properties: Properties | None = None) -> mqtt.ReasonCode:
        info = self.client.publish(topic, payload, qos=1, retain=retain, properties=properties)
        return self.wait_until(lambda: self.acks.get(info.mid), f"PUBACK for {topic}")

    def subscribe(self, topic: str) -> mqtt.ReasonCode:
        _, mid = self.client.subscribe(topic, qos=1)
        return self.wait_until(lambda: self.acks.get(mid), f"SUBACK for {topic}")

    def topics(self) -> set[str]:
        with self._event:
            return {message.topic for message in self.messages}

    def wait_for_message(self, topic: str) -> mqtt.MQTTMessage:
        return self.wait_until(lambda: next((m for m in self.messages if m.topic == topic), None), topic)

    def wait_until(self, found, what: str, timeout: float = 10):
        with self._event:
            assert self._event.wait_for(found, timeout), f"no {what} within {timeout} s"
            return found()

    def _record(self, name: str, value) -> None:
        with self._event:
            setattr(self, name, value)
            self._event.notify_all()

    def _record_ack(self, mid: int, code: mqtt.ReasonCode) -> None:
        with self._event:
            self.acks[mid] = code
            self._event.notify_all()

    def _record_message(self, message: mqtt.MQTTMessage) -> None:
        with self._event:
            self.messages.append(message)
            self._event.notify_all()


@pytest.fixture(scope="module")
def logins(acl_broker):
    clients = {user: Login(acl_broker, user) for user in PASSWORDS}
    yield clients
    for client in clients.values():
        client.close()


@pytest.mark.parametrize("user, topic, allowed", [
    (AGENT, "frontdesk/hq/agent/main/availability", True),
    (AGENT, "frontdesk/hq/agent/main/devices/desk/state", True),
    (AGENT, "frontdesk/hq/agent/main/devices/scale/weight", True),
    (AGENT, "homeassistant/sensor/hq_main_desk/health/config", True),
    (AGENT, "frontdesk/hq/kiosk/lobby/replies/1", True),
    (AGENT, "frontdesk/hq/manager/office/replies/1", True),
    (AGENT, "frontdesk/hq/agent/other/availability", False),
    (AGENT, "frontdesk/hq/kiosk/lobby/availability", False),
    (AGENT, "frontdesk/hq/visitors/arrivals", False),
    (KIOSK, "frontdesk/hq/agent/main/cmd/status", True),
    (KIOSK, "frontdesk/hq/kiosk/lobby/availability", True),
    (KIOSK, "frontdesk/hq/visitors/arrivals", True),
    (KIOSK, "frontdesk/hq/kiosk/other/availability", False),
    (KIOSK, "frontdesk/hq/agent/main/availability", False),
    (KIOSK, "frontdesk/hq/agent/main/devices/desk/state", False),
    (KIOSK, "frontdesk/hq/kiosk/lobby/replies/1", False),
    (KIOSK, "homeassistant/status", False),
    (MANAGER, "frontdesk/hq/agent/main/cmd/status", True),
    (MANAGER, "frontdesk/hq/agent/main/devices/desk/state", False),
    (MANAGER, "frontdesk/hq/visitors/arrivals", False),
    (MANAGER, "homeassistant/status", False),
    (STRANGER, "frontdesk/hq/agent/main/cmd/status", False),
    (STRANGER, "frontdesk/hq/agent/main/devices/desk/state", False),
    (STRANGER, "homeassistant/status", False),
])
def test_each_user_may_publish_only_where_the_acl_says(logins, user, topic, allowed):
    code = logins[user].publish(topic)
    if allowed:
        assert not code.is_failure, f"{user} refused on {topic}: {code}"
    else:
        assert code.value == NOT_AUTHORIZED, f"{user} allowed on {topic}: {code}"


def test_each_user_receives_only_what_it_may_read(acl_broker):
    readers = {user: Login(acl_broker, user) for user in PASSWORDS}
    sent = {  # topic: (writer, readers)
        "frontdesk/hq/agent/main/availability": (AGENT, {KIOSK, MANAGER}),
        "frontdesk/hq/agent/main/devices/desk/state": (AGENT, {KIOSK, MANAGER}),
        "frontdesk/hq/agent/main/devices/desk/events": (AGENT, {KIOSK, MANAGER}),
        "frontdesk/hq/agent/main/cmd/status": (KIOSK, {AGENT, MANAGER}),
        "frontdesk/hq/kiosk/lobby/replies/42": (AGENT, {KIOSK, MANAGER}),
        "frontdesk/hq/kiosk/other/replies/42": (AGENT, {MANAGER}),
        "frontdesk/hq/manager/office/replies/42": (AGENT, {MANAGER}),
        "frontdesk/hq/kiosk/lobby/availability": (KIOSK, {MANAGER}),
        "frontdesk/hq/visitors/arrivals": (KIOSK, {MANAGER}),
        "homeassistant/sensor/hq_main_desk/health/config": (AGENT, set()),
    }
    try:
        for reader in readers.values():
            assert not reader.subscribe("#").is_failure
        for topic, (writer, _) in sent.items():
            assert not readers[writer].publish(topic).is_failure, topic
        for user, reader in readers.items():
            for topic in (t for t, (_, allowed) in sent.items() if user in allowed):
                reader.wait_for_message(topic)
        time.sleep(0.5)  # anything not allowed would have arrived by now too
        for user, reader in readers.items():
            assert reader.topics() == {t for t, (_, allowed) in sent.items() if user in allowed}, user
    finally:
        for reader in readers.values():
            reader.close()


def test_retained_state_reaches_a_kiosk_but_not_a_stranger(acl_broker, logins):
    topic = f"frontdesk/hq/agent/main/devices/{uuid.uuid4().hex[:8]}/state"
    assert not logins[AGENT].publish(topic, b'{"health":"ok"}', retain=True).is_failure
    kiosk, stranger = Login(acl_broker, KIOSK), Login(acl_broker, STRANGER)
    try:
        kiosk.subscribe("frontdesk/+/agent/+/devices/+/state")
        stranger.subscribe("frontdesk/#")
        assert kiosk.wait_for_message(topic).payload == b'{"health":"ok"}'
        time.sleep(0.3)
        assert stranger.topics() == set()
    finally:
        kiosk.close()
        stranger.close()


@pytest.mark.parametrize("user, password", [(None, None), (KIOSK, "wrong"), ("nobody", "x")])
def test_anonymous_clients_and_wrong_passwords_are_turned_away(acl_broker, user, password):
    login = Login(acl_broker, user, password)
    login.close()
    assert login.connack.is_failure, login.connack


def test_the_real_agent_under_its_login_answers_a_kiosk(acl_broker, tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text(f'site = "hq"\n[mqtt]\nhost = "127.0.0.1"\nport = {acl_broker}\nusername = "{AGENT}"\n'
                      f'password = "{PASSWORDS[AGENT]}"\n[agent]\nid = "main"\ndata_dir = "{tmp_path}"\n')
    manager, kiosk = Login(acl_broker, MANAGER), Login(acl_broker, KIOSK)
    manager.subscribe("frontdesk/hq/agent/main/availability")
    agent = subprocess.Popen([sys.executable, "-m", "agent.daemon", "--config", str(config)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        manager.wait_until(lambda: any(m.payload == b"online" for m in manager.messages), "the agent online")
        inbox = f"frontdesk/hq/kiosk/lobby/replies/{uuid.uuid4().hex}"
        kiosk.subscribe(inbox)
        request = Properties(PacketTypes.PUBLISH)
        request.ResponseTopic, request.CorrelationData = inbox, b"42"
        assert not kiosk.publish("frontdesk/hq/agent/main/cmd/status", b"{}", properties=request).is_failure
        reply = kiosk.wait_for_message(inbox)
        assert reply.properties.CorrelationData == b"42"
        assert json.loads(reply.payload)["ok"] is True
    finally:
        agent.send_signal(signal.SIGTERM)
        output, _ = agent.communicate(timeout=30)
        manager.close()
        kiosk.close()
    assert agent.returncode == 0, output
    assert "refused" not in output and "Traceback" not in output
