"""docs/mosquitto/bridge.conf and central.acl on real brokers: two sites, one central broker, TLS.

Three Mosquittos: a central one with a TLS listener, a password file and central.acl (with the
sites `hq` and `branch`), and a broker per site running the shipped frontdesk.conf and
frontdesk.acl plus the shipped bridge.conf, with only the names, the address, the CA's path and
the password put in. The agent of site hq runs on its site's broker with a simulated printer; a
manager-like client logs in at the central broker as the manager.
"""

from __future__ import annotations

import getpass
import json
import re
import shutil
import ssl
import subprocess
import uuid
from pathlib import Path

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from testbed import Recorder, RunningAgent, agent_toml, issue_certificate, make_test_ca

from frontdesk.agent.local_broker import LocalBroker
from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import parse_config
from frontdesk.contract.mqtt_client import CommandClient
from frontdesk.devices.printer.simulator import TcpPrinterSimulator

DOCS = Path(__file__).parents[2] / "docs" / "mosquitto"
SITES = ("hq", "branch")
MANAGER, MANAGER_PASSWORD = "frontdesk-manager", "manager-secret"
AGENT, AGENT_PASSWORD = "frontdesk-agent", "agent-secret"
NOT_AUTHORIZED = 0x87
HQ = "frontdesk/hq/agent/main"
LINKS = "$SYS/broker/connection/+/state"  # every bridge's link state

pytestmark = pytest.mark.skipif(not LocalBroker.available(), reason="mosquitto is not installed")


def program(name: str) -> str:
    found = shutil.which(name) or next((f"{d}/{name}" for d in ("/usr/sbin", "/usr/bin") if Path(d, name).exists()), None)
    assert found, f"{name} is missing: apt-get install mosquitto"
    return found


def bridge_password(site: str) -> str:
    """The password bridge.conf's `remote_password` has once its site is put in."""
    return f"bridge-password-{site}"


def substituted(text: str, old: str, new: str) -> str:
    assert old in text, f"the shipped file no longer has {old!r}: update the test and docs/sites.md"
    return text.replace(old, new)


def rendered_bridge(site: str, port: int, ca_file: Path) -> str:
    """docs/mosquitto/bridge.conf for `site`, bridging to the central broker at localhost:`port`."""
    text = (DOCS / "bridge.conf").read_text()
    text = substituted(text, "central.example.org:8883", f"localhost:{port}")
    text = substituted(text, "/etc/mosquitto/certs/frontdesk-ca.crt", str(ca_file))
    text = re.sub(r"\bhq\b", site, text)
    settings = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert f"remote_password {bridge_password(site)}" in settings
    assert not [line for line in settings if re.search(r"\bhq\b", line) and site != "hq"]
    return "\n".join(settings) + "\n"


def rendered_central_acl() -> str:
    """central.acl as shipped; it already has the blocks of hq and branch (checked here)."""
    text = (DOCS / "central.acl").read_text()
    for site in SITES:
        assert f"user frontdesk-bridge-{site}\ntopic readwrite frontdesk/{site}/#\n" in text
    return text


def site_conf(root: Path, port: int) -> str:
    """frontdesk.conf with the test's port and files, as tests/agent/test_mosquitto_acl.py runs it."""
    moved = {"listener": f"listener {port} 127.0.0.1", "password_file": f"password_file {root / 'frontdesk.passwd'}",
             "acl_file": f"acl_file {root / 'frontdesk.acl'}"}
    lines = [moved.get(line.split(" ", 1)[0], line) for line in (DOCS / "frontdesk.conf").read_text().splitlines()]
    lines += [f"persistence_location {root}/", f"log_dest file {root / 'mosquitto.log'}", "log_type all",
              f"user {getpass.getuser()}"]
    return "\n".join(lines) + "\n"


def password_file(path: Path, logins: dict[str, str]) -> None:
    path.touch(mode=0o600)
    for user, password in logins.items():
        subprocess.run([program("mosquitto_passwd"), "-b", str(path), user, password], check=True)


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bridge-certs")
    make_test_ca(root)
    # The name the sites use in `address` (localhost here, central.example.org in the template).
    issue_certificate("central", "/CN=localhost", root, "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    (root / "central.key").chmod(0o644)  # mosquitto drops to its own user before reading its key
    return root


def tls(certs: Path) -> dict:
    return dict(ca_certs=str(certs / "ca.crt"), tls_version=ssl.PROTOCOL_TLS_CLIENT)


@pytest.fixture(scope="module")
def central(tmp_path_factory, certs):
    root = tmp_path_factory.mktemp("central")
    password_file(root / "central.passwd", {MANAGER: MANAGER_PASSWORD,
                                            **{f"frontdesk-bridge-{site}": bridge_password(site) for site in SITES}})
    (root / "central.acl").write_text(rendered_central_acl())

    def config(port: int) -> str:
        # As docs/sites.md writes the central broker's conf, with the test's port and files.
        return (f"listener {port} 127.0.0.1\ncertfile {certs / 'central.crt'}\nkeyfile {certs / 'central.key'}\n"
                f"tls_version tlsv1.2\nallow_anonymous false\npassword_file {root / 'central.passwd'}\n"
                f"acl_file {root / 'central.acl'}\npersistence true\npersistence_location {root}/\n"
                f"max_queued_messages 100000\nset_tcp_nodelay true\nlog_dest file {root / 'mosquitto.log'}\n"
                f"log_type all\nuser {getpass.getuser()}\n")

    with LocalBroker(root, config) as broker:
        broker.tls = tls(certs)
        yield broker


def site_broker(tmp_path_factory, central, certs, site: str):
    root = tmp_path_factory.mktemp(f"site-{site}")
    password_file(root / "frontdesk.passwd", {AGENT: AGENT_PASSWORD, MANAGER: MANAGER_PASSWORD})
    acl = (DOCS / "frontdesk.acl").read_text()
    (root / "frontdesk.acl").write_text(acl.replace("/hq/", f"/{site}/").replace("_hq_", f"_{site}_"))
    return LocalBroker(root, lambda port: site_conf(root, port) + rendered_bridge(site, central.port,
                                                                                   certs / "ca.crt"))


@pytest.fixture(scope="module")
def hq(tmp_path_factory, central, certs):
    with site_broker(tmp_path_factory, central, certs, "hq") as broker:
        yield broker


@pytest.fixture(scope="module")
def branch(tmp_path_factory, central, certs):
    with site_broker(tmp_path_factory, central, certs, "branch") as broker:
        yield broker


def link_state(site: str) -> str:
    return f"$SYS/broker/connection/frontdesk-bridge-{site}/state"


@pytest.fixture(scope="module")
def manager(central, hq, branch):
    """The manager's view at the central broker: its login, a session kept across the broker's
    restarts (as `frontdesk-manager run` connects), the topics it follows and the link states."""
    recorder = Recorder(central, "frontdesk/+/agent/+/availability", "frontdesk/+/agent/+/devices/+/state",
                        "frontdesk/+/agent/+/devices/+/events", "frontdesk/+/agent/+/cmd/#",
                        LINKS, prefix=HQ, username=MANAGER, password=MANAGER_PASSWORD, tls=central.tls,
                        session=f"frontdesk-manager-test-{uuid.uuid4().hex[:8]}")
    try:
        for site in SITES:  # both bridges are up
            recorder.wait_for(lambda t, p, r, site=site: t == link_state(site) and p == b"1", 15,
                              f"the bridge of {site} connected")
        yield recorder
    finally:
        recorder.close()


@pytest.fixture(scope="module")
def hq_agent(hq, manager, tmp_path_factory):
    data = tmp_path_factory.mktemp("hq-agent")
    with TcpPrinterSimulator(output_dir=data / "printouts") as printer:
        toml = agent_toml(hq, printer.port, data / "data")
        toml = substituted(toml, 'site = "test"', 'site = "hq"')
        toml = substituted(toml, "[mqtt]\n", f'[mqtt]\nusername = "{AGENT}"\npassword = "{AGENT_PASSWORD}"\n')
        with RunningAgent(parse_config(toml)):
            manager.wait_for(lambda t, p, r: t == f"{HQ}/availability" and p == b"online", 15,
                             "the hq agent online, seen at the central broker")
            yield printer


@pytest.fixture(scope="module")
def commands(manager):
    """The manager's CommandClient on its client at the central broker: replies under manager/."""
    client = CommandClient(manager.client, "hq", "main", contract.manager_replies("hq", "office"))
    client.subscribe()
    return client


def test_the_manager_sees_the_sites_retained_state_and_commands_an_agent_across_the_bridge(
        central, manager, hq_agent, commands):
    manager.state("desk-printer", 10, health="ok")  # the printer's state is at the central broker
    # A client that arrives later gets each agent's availability and state from the central
    # broker's retained copies: the retain flags crossed the bridge.
    late = Recorder(central, "frontdesk/+/agent/+/availability", "frontdesk/+/agent/+/devices/+/state",
                    LINKS, prefix=HQ, username=MANAGER, password=MANAGER_PASSWORD, tls=central.tls)
    try:
        assert late.wait_for(lambda t, p, r: t == f"{HQ}/availability" and p == b"online" and r, 10)
        state = late.state("desk-printer", 10, health="ok")
        # The first copy is the central broker's retained one (later ones may be the agent's updates).
        assert state["kind"] == "printer" and late.on(f"{HQ}/devices/desk-printer/state")[0].retain
        late.wait_for(lambda t, p, r: t == link_state("hq") and p == b"1" and r, 10)
    finally:
        late.close()

    reply = commands.request("status", {}, timeout=10)
    assert reply["ok"] is True, reply
    assert reply["result"]["devices"]["desk-printer"]["kind"] == "printer"


def test_a_site_cannot_write_into_another_sites_tree(central, hq, branch, manager, hq_agent, commands):
    intruder = uuid.uuid4().hex
    at_hq = Recorder(hq, f"{HQ}/#", prefix=HQ, username=AGENT, password=AGENT_PASSWORD)
    on_branch = Recorder(branch, prefix="frontdesk/branch/agent/main", username=MANAGER, password=MANAGER_PASSWORD)
    branch_agent = Recorder(branch, prefix="frontdesk/branch/agent/main", username=AGENT, password=AGENT_PASSWORD)
    as_bridge = Recorder(central, prefix=HQ, username="frontdesk-bridge-branch",
                         password=bridge_password("branch"), tls=central.tls)
    try:
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic = f"{contract.manager_replies('hq', 'intruder')}/{intruder}"
        properties.CorrelationData = intruder.encode()
        payload = json.dumps({"intruder": intruder}).encode()
        # On the branch broker the manager's login may send hq a command (the site ACL lets it),
        # but the branch bridge carries only frontdesk/branch/: it goes nowhere.
        assert not on_branch.publish(contract.command_topic("hq", "main", "status"), payload,
                                     properties=properties).is_failure
        # The branch's bridge login itself, at the central broker: refused by central.acl.
        code = as_bridge.publish(contract.command_topic("hq", "main", "status"), payload, properties=properties)
        assert code.value == NOT_AUTHORIZED
        assert as_bridge.publish(contract.agent_availability("hq", "main"), b"offline", retain=True).value \
            == NOT_AUTHORIZED
        assert not as_bridge.publish(contract.agent_availability("branch", "forged"), b"online").is_failure

        # A sentinel that the branch bridge does carry, sent after the intruder's command: once it
        # is at the central broker, so would the command be.
        sentinel = uuid.uuid4().hex.encode()
        assert not branch_agent.publish(contract.agent_availability("branch", "main"), sentinel).is_failure
        manager.wait_for(lambda t, p, r: p == sentinel, 10, "the branch's sentinel at the central broker")
        # And a real command to hq after them: once the agent has answered it, it has had everything before.
        assert commands.request("status", {}, timeout=10)["ok"] is True
        at_hq.wait_for(lambda t, p, r: t == contract.command_topic("hq", "main", "status"), 10)

        assert not [m for m in manager.snapshot() if intruder.encode() in m.payload]
        assert not [m for m in at_hq.snapshot() if intruder.encode() in m.payload]
        assert manager.on(contract.agent_availability("hq", "main"))[-1].payload == b"online"
    finally:
        for recorder in (at_hq, on_branch, branch_agent, as_bridge):
            recorder.close()


def test_what_the_site_publishes_while_the_central_broker_is_down_arrives_when_it_is_back(
        central, hq, manager, hq_agent):
    printer = hq_agent
    at_hq = Recorder(hq, f"{HQ}/#", prefix=HQ, username=AGENT, password=AGENT_PASSWORD)
    since = manager.mark()
    try:
        central.stop()
        # The site keeps working on its own broker.
        printer.state.paper = "out"
        at_hq.state("desk-printer", 10, reasons=["paper_out"])
        event = at_hq.wait_for(lambda t, p, r: t.endswith("desk-printer/events") and b"paper_out" in p, 10)
        assert not [m for m in manager.snapshot(since) if b"paper_out" in m.payload]

        central.start()  # the same port: the bridge and the manager come back by themselves
        manager.wait_for(lambda t, p, r: t == link_state("hq") and p == b"1", 15, "the hq bridge back", since=since)
        state = manager.wait_for(lambda t, p, r: t == f"{HQ}/devices/desk-printer/state" and b"paper_out" in p, 15,
                                 since=since)
        assert json.loads(state.payload)["reasons"] == ["paper_out"]
        # The event (QoS 1, not retained) was queued for the bridge on the site and for the
        # manager's session at the central broker: it arrives once, unchanged.
        manager.wait_for(lambda t, p, r: p == event.payload, 15, "the paper_out event from the outage", since=since)
        assert len([m for m in manager.snapshot(since) if m.payload == event.payload]) == 1
    finally:
        printer.state.paper = "ok"
        at_hq.close()
