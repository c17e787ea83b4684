"""An agent that cannot reach its broker says why: once, not at every retry, and again when the
reason changes; and that it is connected once a broker is there."""

from __future__ import annotations

import getpass
import logging
import shutil
import subprocess

import pytest
from testbed import issue_certificate, make_test_ca, wait_until

from frontdesk.agent.local_broker import LocalBroker
from frontdesk.agent.mqtt_link import MqttLink
from frontdesk.contract.config import MqttConfig, TlsConfig
from frontdesk.contract.mqtt_client import make_client


def agent_link(mqtt: MqttConfig) -> MqttLink:
    return MqttLink(mqtt, "test", "main", on_command=lambda command, payload: {"ok": True, "result": {}})


def said(caplog, logger: str = "frontdesk.agent.mqtt") -> list[str]:
    return [r.getMessage() for r in list(caplog.records) if r.name == logger and "cannot connect" in r.getMessage()]


def said_once_over_retries(caplog, mqtt: MqttConfig, attempts: int = 2) -> str:
    """What an agent on `mqtt` logs over `attempts` failed attempts: exactly one line."""
    link = agent_link(mqtt)
    link.start()
    try:
        wait_until(lambda: link.trouble.failures >= attempts, 60, f"{attempts} failed attempts",
                   last=lambda: said(caplog))
        assert not link.connected.is_set()
    finally:
        link.stop()
    (line,) = said(caplog)
    return line


@pytest.fixture(autouse=True)
def logged(caplog):
    caplog.set_level(logging.INFO)


def test_a_dead_port_is_said_once_then_connected_when_the_broker_appears(tmp_path, caplog):
    broker = LocalBroker(tmp_path)  # its port is chosen; nothing listens on it yet
    link = agent_link(MqttConfig(host=broker.host, port=broker.port))
    link.start()
    try:
        wait_until(lambda: link.trouble.failures >= 2, 30, "a refused attempt and a refused retry",
                   last=lambda: said(caplog))
        (line,) = said(caplog)
        assert f"cannot connect to the broker 127.0.0.1:{broker.port}: connection refused" in line
        with broker:
            wait_until(link.connected.is_set, 60, "the agent connected to the broker that appeared")
            connected = [r.getMessage() for r in caplog.records if r.getMessage().startswith("connected to")]
            assert connected == [f"connected to 127.0.0.1:{broker.port}; retained state republished"]
            assert link.trouble.failures == 0 and len(said(caplog)) == 1
    finally:
        link.stop()


def test_an_unknown_host_is_said_to_be_not_found(caplog):
    line = said_once_over_retries(caplog, MqttConfig(host="frontdesk-no-such-host.invalid", port=1883))
    assert "host 'frontdesk-no-such-host.invalid' not found" in line


def test_a_refused_password_is_said_once(tmp_path, caplog):
    passwords = tmp_path / "passwd"
    passwords.touch(mode=0o644)
    subprocess.run([shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd", "-b", str(passwords),
                    "frontdesk-agent", "right"], check=True)

    def config(port: int) -> str:
        return (f"listener {port} 127.0.0.1\nallow_anonymous false\npassword_file {passwords}\n"
                f"persistence false\nlog_dest file {tmp_path / 'mosquitto.log'}\nuser {getpass.getuser()}\n")

    with LocalBroker(tmp_path, config) as broker:
        line = said_once_over_retries(caplog, MqttConfig(host=broker.host, port=broker.port,
                                                         username="frontdesk-agent", password="wrong"))
    assert line.endswith(f"broker 127.0.0.1:{broker.port}: it refused the connection: Not authorized; trying again")


# -- TLS: a broker whose certificate is issued for broker.example only ---------------------------

@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory):
    root = tmp_path_factory.mktemp("tls-trouble")
    make_test_ca(root)
    issue_certificate("server", "/CN=broker.example", root, "subjectAltName=DNS:broker.example\n")
    (root / "server.key").chmod(0o644)  # mosquitto drops to its own user before reading its key
    stranger = root / "stranger"
    stranger.mkdir()
    make_test_ca(stranger)

    def config(port: int) -> str:
        return (f"listener {port} 127.0.0.1\ncafile {root / 'ca.crt'}\ncertfile {root / 'server.crt'}\n"
                f"keyfile {root / 'server.key'}\nallow_anonymous true\npersistence false\n"
                f"log_dest file {root / 'mosquitto.log'}\nuser {getpass.getuser()}\n")

    with LocalBroker(root, config) as broker:
        broker.certs = root
        yield broker


def test_a_broker_certificate_from_another_ca_is_said_to_be_untrusted(tls_broker, caplog):
    mqtt = MqttConfig(host="127.0.0.1", port=tls_broker.port,
                      tls=TlsConfig(ca_file=tls_broker.certs / "stranger" / "ca.crt"))
    line = said_once_over_retries(caplog, mqtt)
    assert "TLS: the broker's certificate is not trusted (" in line and "mqtt.tls.ca_file" in line


def test_a_broker_certificate_for_another_name_is_said_to_be_for_another_host(tls_broker, caplog):
    mqtt = MqttConfig(host="127.0.0.1", port=tls_broker.port, tls=TlsConfig(ca_file=tls_broker.certs / "ca.crt"))
    line = said_once_over_retries(caplog, mqtt)
    assert "TLS: the broker's certificate is not valid for '127.0.0.1'" in line


def test_plain_mqtt_on_a_tls_port_is_said_once(tls_broker, caplog):
    line = said_once_over_retries(caplog, MqttConfig(host="127.0.0.1", port=tls_broker.port))
    assert "it closed the connection before accepting it" in line


def test_the_kiosk_and_the_manager_say_it_once_too(tmp_path, caplog):
    """Their clients come from the same make_client, without telling it of their connects."""
    port = LocalBroker(tmp_path).port
    client = make_client(MqttConfig(host="127.0.0.1", port=port), "test-kiosk")
    failures: list[int] = []
    says = client.on_connect_fail
    client.on_connect_fail = lambda client, userdata: (says(client, userdata), failures.append(1))
    client.connect_async("127.0.0.1", port)
    client.loop_start()
    try:
        wait_until(lambda: len(failures) >= 2, 30, "an attempt and a retry")
    finally:
        client.loop_stop()
    (line,) = said(caplog, "frontdesk.mqtt")
    assert f"cannot connect to the broker 127.0.0.1:{port}: connection refused" in line
