"""systemd integration: sd_notify over a real unix datagram socket, the watchdog, the unit file."""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from frontdesk.agent import systemd
from testbed import unit_complaints, wait_until

UNIT = Path(__file__).parents[2] / "systemd" / "frontdesk-agent.service"
AGENT = Path(sys.executable).with_name("frontdesk-agent")


class NotifyListener:
    """The systemd side: a bound datagram socket that collects what the service sends, each
    datagram with the moment it arrived (read on a thread of its own)."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.messages: list[tuple[float, dict[str, str]]] = []
        self._arrived = threading.Condition()
        self._wake_read, self._wake_write = os.pipe()
        self._reader = threading.Thread(target=self._read, name="notify-listener", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            readable, _, _ = select.select([self.sock, self._wake_read], [], [])
            if self._wake_read in readable:
                return
            data = self.sock.recv(4096)
            fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
            with self._arrived:
                self.messages.append((time.monotonic(), fields))
                self._arrived.notify_all()

    def close(self) -> None:
        os.write(self._wake_write, b"x")
        self._reader.join(5)
        self.sock.close()
        os.close(self._wake_read)
        os.close(self._wake_write)

    def wait_for(self, key: str, value: str | None = None, timeout: float = 15) -> dict[str, str]:
        """The first datagram that sets `key` (to `value`)."""
        def found():
            return next((fields for _, fields in self.messages
                         if key in fields and value in (None, fields[key])), None)

        return wait_until(found, timeout, f"{key}={value or '*'}", condition=self._arrived,
                          last=lambda: [m for _, m in self.messages])

    def pings_during(self, seconds: float) -> list[float]:
        """The times of the WATCHDOG=1 datagrams that arrive in the next `seconds`."""
        started = time.monotonic()
        time.sleep(seconds)  # the window the pings are counted in: a measurement, not a wait for an event
        with self._arrived:
            return [at for at, fields in self.messages
                    if started <= at <= started + seconds and fields.get("WATCHDOG") == "1"]


@pytest.fixture
def listener(tmp_path):
    listening = NotifyListener(str(tmp_path / "notify"))
    yield listening
    listening.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_agent(tmp_path, listener: NotifyListener, port: int, grace: float) -> subprocess.Popen:
    config = tmp_path / "frontdesk.toml"
    config.write_text(f'[mqtt]\nhost = "127.0.0.1"\nport = {port}\n')
    environ = {key: value for key, value in os.environ.items() if key != "WATCHDOG_PID"}
    environ.update(NOTIFY_SOCKET=listener.sock.getsockname(), WATCHDOG_USEC="400000",
                   FRONTDESK_WATCHDOG_GRACE=str(grace))
    return subprocess.Popen([str(AGENT), "--config", str(config)], env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def stop_agent(agent: subprocess.Popen) -> str:
    agent.send_signal(signal.SIGTERM)
    output, _ = agent.communicate(timeout=30)
    assert agent.returncode == 0, output
    return output


def test_agent_says_ready_pings_the_watchdog_at_half_the_interval_and_says_when_it_stops(tmp_path, listener):
    port = free_port()  # nothing listens: a broker outage within the grace period is healthy
    agent = start_agent(tmp_path, listener, port, grace=60)
    try:
        ready = listener.wait_for("READY", "1")
        assert ready["STATUS"] == f"0 devices, broker 127.0.0.1:{port}"
        pings = listener.pings_during(1.5)
        assert 5 <= len(pings) <= 10, pings  # every 0.2 s: steady, and no busy loop
        agent.send_signal(signal.SIGTERM)
        assert listener.wait_for("STOPPING", "1")["STATUS"] == "stopping"
    finally:
        output = stop_agent(agent)
    assert "Traceback" not in output


def test_a_connected_agent_stays_healthy_past_the_grace_period(tmp_path, listener, broker):
    agent = start_agent(tmp_path, listener, broker.port, grace=0.5)
    try:
        listener.wait_for("READY", "1")
        time.sleep(1.0)  # deliberate: past the 0.5 s grace period, which is what is tested
        assert len(listener.pings_during(1.0)) >= 3
    finally:
        stop_agent(agent)


def test_an_agent_without_its_broker_past_the_grace_period_stops_pinging(tmp_path, listener):
    agent = start_agent(tmp_path, listener, free_port(), grace=0.5)
    try:
        listener.wait_for("READY", "1")
        time.sleep(1.0)  # deliberate: past the 0.5 s grace period, which is what is tested
        assert listener.pings_during(1.0) == []
    finally:
        output = stop_agent(agent)
    assert "watchdog pings withheld" in output


def test_notify_reaches_a_socket_in_the_abstract_namespace(monkeypatch):
    name = f"frontdesk-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert systemd.notify(READY=1, STATUS="2 devices,\nbroker pi:1883")
        assert sock.recv(4096) == b"READY=1\nSTATUS=2 devices, broker pi:1883"


def test_notify_does_nothing_outside_systemd(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert systemd.notify(READY=1) is False


def test_notify_survives_a_socket_that_went_away(monkeypatch, tmp_path):
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))
    assert systemd.notify(WATCHDOG=1) is False


@pytest.mark.parametrize("environ, interval", [
    ({}, None),
    ({"WATCHDOG_USEC": "30000000"}, 30.0),
    ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}, 30.0),
    ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),  # meant for another process
    ({"WATCHDOG_USEC": "soon"}, None),
    ({"WATCHDOG_USEC": "0"}, None),
])
def test_watchdog_interval_comes_from_the_environment(environ, interval):
    assert systemd.watchdog_interval(environ) == interval


def test_watchdog_without_an_interval_starts_no_thread():
    before = threading.active_count()
    assert systemd.Watchdog(lambda: True, threading.Event(), environ={}).start() is False
    assert threading.active_count() == before


def test_watchdog_pings_only_while_healthy_and_ends_with_stop(monkeypatch, listener):
    monkeypatch.setenv("NOTIFY_SOCKET", listener.sock.getsockname())
    healthy, stop = threading.Event(), threading.Event()
    healthy.set()
    assert systemd.Watchdog(healthy.is_set, stop, environ={"WATCHDOG_USEC": "100000"}).start()
    assert len(listener.pings_during(0.5)) >= 4
    healthy.clear()
    # A ping decided just before may still be on its way; what follows counts a window of time in
    # which no ping may come (there is no event to wait for: the absence is what is tested).
    time.sleep(0.1)
    assert listener.pings_during(0.5) == []
    healthy.set()
    assert len(listener.pings_during(0.5)) >= 4
    stop.set()
    time.sleep(0.1)  # as above
    assert listener.pings_during(0.3) == []


def test_a_failing_health_check_counts_as_unhealthy(monkeypatch, listener):
    monkeypatch.setenv("NOTIFY_SOCKET", listener.sock.getsockname())
    stop = threading.Event()
    try:
        systemd.Watchdog(lambda: 1 / 0, stop, environ={"WATCHDOG_USEC": "100000"}).start()
        assert listener.pings_during(0.4) == []
    finally:
        stop.set()


@pytest.mark.parametrize("value, seconds", [
    (None, systemd.BROKER_GRACE), ("", systemd.BROKER_GRACE), ("45", 45.0), ("0.5", 0.5),
    ("-3", 0.0), ("ten", systemd.BROKER_GRACE),
])
def test_grace_period_comes_from_the_environment(value, seconds):
    environ = {} if value is None else {systemd.GRACE_VARIABLE: value}
    assert systemd.grace_seconds(environ) == seconds


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_unit_file_verifies_apart_from_the_executables_of_the_pi():
    complaints = unit_complaints(UNIT)
    missing = re.compile(r"Command /opt/frontdesk/bin/frontdesk(-agent)? is not executable")
    assert all(missing.search(line) for line in complaints), complaints


def test_a_config_mistake_is_not_restarted_and_the_check_only_explains_it():
    lines = [line.strip() for line in UNIT.read_text().splitlines()]
    assert "Restart=on-failure" in lines and "RestartPreventExitStatus=2" in lines
    # "-": a failing check must not fail the start (systemd would restart the unit forever);
    # the agent's own exit status 2 for the same fault is what stops it.
    assert "ExecStartPre=-/opt/frontdesk/bin/frontdesk config check" in lines
