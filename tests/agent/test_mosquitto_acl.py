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
import uuid
from pathlib import Path

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from testbed import Recorder

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
        yield broker


def login(broker, user: str | None, password: str | None = None, check: bool = True) -> Recorder:
    """A Recorder logged in as `user`: PUBACK reason codes, and every message that reaches it."""
    return Recorder(broker, username=user, password=PASSWORDS.get(user) if password is None else password,
                    check=check)


def delivered(reader: Recorder) -> set[str]:
    """The topics of what reached `reader` so far, once everything the broker had for it is in.

    No message can be the sentinel: what a reader may not read never reaches it, and a refused
    publish reaches nobody. Recorder.sync's round trip is: Mosquitto decides who gets a message,
    ACL included, and queues it for each reader before it acknowledges it to the writer, and
    writes one client's packets in order, so the reply to the reader's own publish (its PUBACK, a
    refusal where the ACL says no) comes after anything queued for it before.
    """
    reader.sync()
    return {m.topic for m in reader.snapshot()}


@pytest.fixture(scope="module")
def logins(acl_broker):
    clients = {user: login(acl_broker, user) for user in PASSWORDS}
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
    (AGENT, "frontdesk/hq/cli/f00d/replies/1", True),
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
    readers = {user: login(acl_broker, user) for user in PASSWORDS}
    sent = {  # topic: (writer, readers)
        # The agent's login reads its own tree: the staff CLI uses it on the Pi.
        "frontdesk/hq/agent/main/availability": (AGENT, {AGENT, KIOSK, MANAGER}),
        "frontdesk/hq/agent/main/devices/desk/state": (AGENT, {AGENT, KIOSK, MANAGER}),
        "frontdesk/hq/agent/main/devices/desk/events": (AGENT, {AGENT, KIOSK, MANAGER}),
        "frontdesk/hq/cli/f00d/replies/42": (AGENT, {AGENT, MANAGER}),
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
                reader.wait_for(lambda t, p, r, topic=topic: t == topic, 10, f"{topic} at {user}")
        for user, reader in readers.items():  # and nothing else, once the sentinel is back (see delivered)
            assert delivered(reader) == {t for t, (_, allowed) in sent.items() if user in allowed}, user
    finally:
        for reader in readers.values():
            reader.close()


def test_retained_state_reaches_a_kiosk_but_not_a_stranger(acl_broker, logins):
    topic = f"frontdesk/hq/agent/main/devices/{uuid.uuid4().hex[:8]}/state"
    assert not logins[AGENT].publish(topic, b'{"health":"ok"}', retain=True).is_failure
    kiosk, stranger = login(acl_broker, KIOSK), login(acl_broker, STRANGER)
    try:
        kiosk.subscribe("frontdesk/+/agent/+/devices/+/state")
        stranger.subscribe("frontdesk/#")
        assert kiosk.wait_for(lambda t, p, r: t == topic, 10, topic).payload == b'{"health":"ok"}'
        # Retained messages are queued while the broker handles the SUBSCRIBE: the stranger's
        # round trip after it comes back after any of them (see delivered).
        assert delivered(stranger) == set()
    finally:
        kiosk.close()
        stranger.close()


@pytest.mark.parametrize("user, password", [(None, None), (KIOSK, "wrong"), ("nobody", "x")])
def test_anonymous_clients_and_wrong_passwords_are_turned_away(acl_broker, user, password):
    refused = login(acl_broker, user, password, check=False)
    refused.close()
    assert refused.connack.is_failure, refused.connack


def test_the_real_agent_under_its_login_answers_a_kiosk(acl_broker, tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text(f'site = "hq"\n[mqtt]\nhost = "127.0.0.1"\nport = {acl_broker.port}\nusername = "{AGENT}"\n'
                      f'password = "{PASSWORDS[AGENT]}"\n[agent]\nid = "main"\ndata_dir = "{tmp_path}"\n')
    manager, kiosk = login(acl_broker, MANAGER), login(acl_broker, KIOSK)
    manager.subscribe("frontdesk/hq/agent/main/availability")
    agent = subprocess.Popen([sys.executable, "-m", "agent.daemon", "--config", str(config)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        manager.wait_for(lambda t, p, r: p == b"online", 10, "the agent online")
        inbox = f"frontdesk/hq/kiosk/lobby/replies/{uuid.uuid4().hex}"
        kiosk.subscribe(inbox)
        request = Properties(PacketTypes.PUBLISH)
        request.ResponseTopic, request.CorrelationData = inbox, b"42"
        assert not kiosk.publish("frontdesk/hq/agent/main/cmd/status", b"{}", properties=request).is_failure
        reply = kiosk.wait_for(lambda t, p, r: t == inbox, 10, "the agent's reply")
        assert reply.properties.CorrelationData == b"42"
        assert json.loads(reply.payload)["ok"] is True
    finally:
        agent.send_signal(signal.SIGTERM)
        output, _ = agent.communicate(timeout=30)
        manager.close()
        kiosk.close()
    assert agent.returncode == 0, output
    assert "refused" not in output and "Traceback" not in output
