"""The agent on a broker that wants TLS, a client certificate and a password, as `[mqtt.tls]` sets up."""

from __future__ import annotations

import getpass
import ssl
import subprocess

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from testbed import Recorder, RunningAgent, issue_certificate, make_test_ca

from frontdesk.agent.local_broker import LocalBroker
from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import parse_config

USER, PASSWORD = "frontdesk-agent", "agent-secret"


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory):
    root = tmp_path_factory.mktemp("tls-broker")
    make_test_ca(root)
    issue_certificate("server", "/CN=localhost", root, "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    issue_certificate("agent", "/CN=frontdesk-agent", root)
    for name in ("server.key", "agent.key"):
        (root / name).chmod(0o644)  # mosquitto drops to its own user before reading its key
    passwords = root / "passwd"
    passwords.touch(mode=0o644)
    subprocess.run(["mosquitto_passwd" if _on_path("mosquitto_passwd") else "/usr/bin/mosquitto_passwd",
                    "-b", str(passwords), USER, PASSWORD], check=True)

    def config(port: int) -> str:
        return (f"listener {port} 127.0.0.1\ncafile {root / 'ca.crt'}\ncertfile {root / 'server.crt'}\n"
                f"keyfile {root / 'server.key'}\nrequire_certificate true\nallow_anonymous false\n"
                f"password_file {passwords}\npersistence false\nlog_dest file {root / 'mosquitto.log'}\n"
                f"user {getpass.getuser()}\n")

    with LocalBroker(root, config) as broker:
        broker.certs = root
        yield broker


def _on_path(name: str) -> bool:
    import shutil

    return shutil.which(name) is not None


def tls_client(broker, certificate: str | None, password: str = PASSWORD) -> tuple[mqtt.Client, list]:
    outcome: list = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(USER, password)
    certs = broker.certs
    client.tls_set(ca_certs=str(certs / "ca.crt"),
                   certfile=str(certs / f"{certificate}.crt") if certificate else None,
                   keyfile=str(certs / f"{certificate}.key") if certificate else None,
                   tls_version=ssl.PROTOCOL_TLS_CLIENT)
    client.on_connect = lambda c, u, flags, reason_code, p: outcome.append(reason_code)
    client.on_message = lambda c, u, message: outcome.append(message.payload)
    return client, outcome


def test_the_agent_connects_with_tls_a_client_certificate_and_a_password(tls_broker, tmp_path):
    certs = tls_broker.certs
    config = parse_config(
        f'site = "hq"\n[agent]\ndata_dir = "{tmp_path}"\n'
        f'[mqtt]\nhost = "127.0.0.1"\nport = {tls_broker.port}\nusername = "{USER}"\npassword = "{PASSWORD}"\n'
        f'[mqtt.tls]\nca_file = "{certs / "ca.crt"}"\ncert_file = "{certs / "agent.crt"}"\n'
        f'key_file = "{certs / "agent.key"}"\n'
    )
    watcher = Recorder(tls_broker, contract.agent_availability("hq", "main"), username=USER, password=PASSWORD,
                       tls=dict(ca_certs=str(certs / "ca.crt"), certfile=str(certs / "agent.crt"),
                                keyfile=str(certs / "agent.key"), tls_version=ssl.PROTOCOL_TLS_CLIENT))
    try:
        with RunningAgent(config):
            watcher.wait_for(lambda t, p, r: p == b"online", 15, "the agent online over TLS")
    finally:
        watcher.close()


@pytest.mark.parametrize("certificate, password", [
    (None, PASSWORD),      # no client certificate: the broker ends the TLS session
    ("agent", "wrong"),    # certificate but a wrong password: CONNACK refuses
])
def test_clients_without_a_certificate_or_with_a_wrong_password_are_refused(tls_broker, certificate, password):
    client, outcome = tls_client(tls_broker, certificate, password)
    try:
        client.connect("127.0.0.1", tls_broker.port)
        for _ in range(3):
            client.loop(timeout=1)
    except (ssl.SSLError, OSError):
        pass  # refused during the handshake
    finally:
        client.disconnect()
    assert not any(not reason.is_failure for reason in outcome), outcome
    if certificate:
        assert outcome and "not authorized" in str(outcome[0]).lower()
