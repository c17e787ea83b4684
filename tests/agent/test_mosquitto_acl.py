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
import uuid
from pathlib import Path

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from testbed import Recorder

from frontdesk.agent.local_broker import LocalBroker

DOCS = Path(__file__).parents[2] / "docs" / "mosquitto"
PASSWORDS = {"frontdesk-agent": "agent-secret", "frontdesk-kiosk-lobby": "kiosk-secret",
             "frontdesk-manager": "manager-secret", "stranger": "stranger-secret",
             "frontdesk-staff": "staff-secret", "frontdesk-agent-branch": "branch-secret"}
NOT_AUTHORIZED = 0x87
AGENT, KIOSK, MANAGER, STRANGER, STAFF, BRANCH = PASSWORDS


def with_second_site(acl: str) -> str:
    """The shipped ACL plus site `branch`'s agent, its block copied as the ACL's comments say."""
    block = acl[acl.index(f"user {AGENT}\n"):].split("\n\n", 1)[0]
    assert "frontdesk/hq/" in block, "the agent's block lost its site"
    return f"{acl}\n{block.replace(AGENT, BRANCH).replace('/hq/', '/branch/').replace('_hq_', '_branch_')}\n"


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
    (root / "frontdesk.acl").write_text(with_second_site((DOCS / "frontdesk.acl").read_text()))
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
    (AGENT, "homeassistant/sensor/frontdesk_hq_main/desk_health/config", True),
    (AGENT, "homeassistant/sensor/frontdesk_kiosk_lobby/hq_on_site/config", False),
    (AGENT, "frontdesk/hq/kiosk/lobby/replies/1", True),
    (AGENT, "frontdesk/hq/manager/office/replies/1", True),
    (AGENT, "frontdesk/hq/cli/f00d/replies/1", True),
    (AGENT, "frontdesk/hq/agent/other/availability", False),
    (AGENT, "frontdesk/hq/kiosk/lobby/availability", False),
    (AGENT, "frontdesk/hq/visitors/arrivals", False),
    (AGENT, "frontdesk/branch/agent/main/devices/desk/state", False),  # another site's agent `main`
    (AGENT, "frontdesk/branch/agent/main/ledger", False),
    (AGENT, "frontdesk/branch/kiosk/lobby/replies/1", False),
    (BRANCH, "frontdesk/branch/agent/main/ledger", True),
    (KIOSK, "frontdesk/hq/agent/main/cmd/status", True),
    (KIOSK, "frontdesk/hq/kiosk/lobby/availability", True),
    (KIOSK, "frontdesk/hq/visitors/arrivals", True),
    (KIOSK, "frontdesk/hq/agent/main/cmd/print_badge", True),
    (KIOSK, "frontdesk/hq/agent/main/cmd/forget_jobs", True),
    (KIOSK, "frontdesk/hq/agent/main/cmd/open_drawer", False),
    (KIOSK, "frontdesk/hq/agent/main/cmd/queue_cancel_all", False),
    (KIOSK, "frontdesk/branch/agent/main/cmd/status", False),
    (KIOSK, "frontdesk/branch/kiosk/lobby/availability", False),
    (KIOSK, "frontdesk/branch/visitors/arrivals", False),
    (STAFF, "frontdesk/hq/agent/main/cmd/open_drawer", True),
    (STAFF, "frontdesk/hq/agent/main/cmd/status", True),
    (STAFF, "frontdesk/branch/agent/main/cmd/status", False),
    (STAFF, "frontdesk/hq/agent/main/availability", False),
    (STAFF, "frontdesk/hq/cli/f00d/replies/1", False),
    (KIOSK, "frontdesk/hq/kiosk/other/availability", False),
    (KIOSK, "frontdesk/hq/agent/main/availability", False),
    (KIOSK, "frontdesk/hq/agent/main/devices/desk/state", False),
    (KIOSK, "frontdesk/hq/kiosk/lobby/replies/1", False),
    (KIOSK, "homeassistant/status", False),
    (MANAGER, "frontdesk/hq/agent/main/cmd/status", True),
    (MANAGER, "frontdesk/branch/agent/main/cmd/job_cancel", True),
    (MANAGER, "frontdesk/hq/agent/main/cmd/open_drawer", False),
    (MANAGER, "frontdesk/hq/agent/main/cmd/print_badge", False),
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
        "frontdesk/hq/agent/main/availability": (AGENT, {AGENT, KIOSK, STAFF, MANAGER}),
        "frontdesk/hq/agent/main/devices/desk/state": (AGENT, {AGENT, KIOSK, STAFF, MANAGER}),
        "frontdesk/hq/agent/main/devices/desk/events": (AGENT, {AGENT, KIOSK, STAFF, MANAGER}),
        "frontdesk/hq/agent/main/ledger": (AGENT, {AGENT, STAFF, MANAGER}),
        "frontdesk/hq/cli/f00d/replies/42": (AGENT, {AGENT, STAFF, MANAGER}),
        # A kiosk's command (a badge's visitor name) is for the agent and the manager only.
        "frontdesk/hq/agent/main/cmd/status": (KIOSK, {AGENT, MANAGER}),
        "frontdesk/hq/kiosk/lobby/replies/42": (AGENT, {KIOSK, MANAGER}),
        "frontdesk/hq/kiosk/other/replies/42": (AGENT, {MANAGER}),
        "frontdesk/hq/manager/office/replies/42": (AGENT, {MANAGER}),
        "frontdesk/hq/kiosk/lobby/availability": (KIOSK, {MANAGER}),
        "frontdesk/hq/visitors/arrivals": (KIOSK, {MANAGER}),
        "homeassistant/sensor/frontdesk_hq_main/desk_health/config": (AGENT, set()),
        # Another site: only its own agent and the manager see it, though the ids are the same.
        "frontdesk/branch/agent/main/availability": (BRANCH, {BRANCH, MANAGER}),
        "frontdesk/branch/agent/main/devices/desk/state": (BRANCH, {BRANCH, MANAGER}),
        "frontdesk/branch/kiosk/lobby/replies/42": (BRANCH, {MANAGER}),
        "frontdesk/branch/cli/f00d/replies/42": (BRANCH, {BRANCH, MANAGER}),
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


def secret_file(folder: Path, user: str) -> Path:
    """The user's password alone in a file, as deploy.md has it (0400, the service user's)."""
    path = folder / f"{user}.password"
    path.write_text(PASSWORDS[user] + "\n")
    path.chmod(0o400)
    return path


@pytest.fixture(scope="module")
def shared_config(acl_broker, tmp_path_factory) -> Path:
    """One frontdesk.toml for every process on the Pi: [mqtt] is the agent's login, and the
    kiosk and the staff CLI have their own, each with its password in a file of its own."""
    root = tmp_path_factory.mktemp("frontdesk")
    config = root / "frontdesk.toml"
    config.write_text(
        f'site = "hq"\n[mqtt]\nhost = "127.0.0.1"\nport = {acl_broker.port}\nusername = "{AGENT}"\n'
        f'password = "{PASSWORDS[AGENT]}"\n[agent]\nid = "main"\ndata_dir = "{root / "agent"}"\n'
        f'[kiosk]\nid = "lobby"\ndata_dir = "{root / "kiosk"}"\n'
        f'[kiosk.mqtt]\nusername = "{KIOSK}"\npassword_file = "{secret_file(root, KIOSK)}"\n'
        f'[cli.mqtt]\nusername = "{STAFF}"\npassword_file = "{secret_file(root, STAFF)}"\n')
    return config


@pytest.fixture(scope="module")
def running_agent(acl_broker, shared_config):
    """The real agent, logged in as frontdesk-agent under the shipped ACL, online."""
    watcher = login(acl_broker, MANAGER)
    watcher.subscribe("frontdesk/hq/agent/main/availability")
    agent = subprocess.Popen([sys.executable, "-m", "frontdesk.agent.daemon", "--config", str(shared_config)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        watcher.wait_for(lambda t, p, r: p == b"online", 10, "the agent online")
        yield agent
    finally:
        agent.send_signal(signal.SIGTERM)
        output, _ = agent.communicate(timeout=30)
        watcher.close()
    assert agent.returncode == 0, output
    assert "refused" not in output and "Traceback" not in output, output


def test_the_real_agent_under_its_login_answers_a_kiosk(acl_broker, running_agent):
    kiosk = login(acl_broker, KIOSK)
    try:
        inbox = f"frontdesk/hq/kiosk/lobby/replies/{uuid.uuid4().hex}"
        kiosk.subscribe(inbox)
        request = Properties(PacketTypes.PUBLISH)
        request.ResponseTopic, request.CorrelationData = inbox, b"42"
        assert not kiosk.publish("frontdesk/hq/agent/main/cmd/status", b"{}", properties=request).is_failure
        reply = kiosk.wait_for(lambda t, p, r: t == inbox, 10, "the agent's reply")
        assert reply.properties.CorrelationData == b"42"
        assert json.loads(reply.payload)["ok"] is True
    finally:
        kiosk.close()


def test_the_kiosk_with_its_own_login_is_online_and_answered(acl_broker, running_agent, shared_config):
    from frontdesk.contract.config import load_config
    from frontdesk.kiosk.agent_link import KioskLink
    from frontdesk.kiosk.visits import VisitorLog

    config = load_config(shared_config)
    watcher = login(acl_broker, MANAGER)
    watcher.subscribe("frontdesk/hq/kiosk/lobby/availability")
    config.kiosk.data_dir.mkdir(exist_ok=True)
    visits = VisitorLog(config.kiosk.data_dir / "visits.db", timezone=config.office.timezone)
    link = KioskLink(config, visits)
    agent_seen = threading.Event()
    link.add_listener(lambda what: what == "agent" and link.agent_online and agent_seen.set())
    link.start()
    try:
        # Published under frontdesk-kiosk-lobby: the agent's login may not write it.
        watcher.wait_for(lambda t, p, r: p == b"online", 10, "the kiosk online")
        assert agent_seen.wait(10), "the kiosk did not read the agent's availability"
        reply = link.command("status", {}, timeout=10).result(15)
        assert reply["ok"] is True, reply
    finally:
        link.stop()
        visits.close()
        watcher.close()


def test_the_staff_cli_with_its_own_login_is_answered(running_agent, shared_config):
    from frontdesk.agent.cli.agent_client import AgentClient
    from frontdesk.contract.config import load_config

    config = load_config(shared_config)
    assert config.mqtt_for("cli").username == STAFF
    with AgentClient(config, timeout=10) as agent:
        assert "devices" in agent.ask("status", {})


@pytest.mark.parametrize("user, role", [(KIOSK, "kiosk"), (MANAGER, "manager")])
def test_the_acl_grants_each_role_the_commands_the_agent_lets_it_send(user, role):
    """The broker's ACL and the agent's second line (contract/commands.py ROLE_COMMANDS) agree."""
    from frontdesk.contract.commands import ROLE_COMMANDS

    lines, granted, current = (DOCS / "frontdesk.acl").read_text().splitlines(), set(), None
    for line in lines:
        if line.startswith("user "):
            current = line.split()[1]
        elif current == user and line.startswith("topic write") and "/cmd/" in line:
            granted.add(line.rsplit("/", 1)[-1])
    assert granted == ROLE_COMMANDS[role]
