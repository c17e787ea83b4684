"""frontdesk-agent as systemd runs it: a process with a config, stopped by a signal."""

from __future__ import annotations

import signal
import subprocess
import sys

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


def agent_process(config_path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "agent.daemon", "--config", str(config_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def test_agent_logs_health_changes_and_stops_on_sigterm(tmp_path, printer_sim, broker):
    config = tmp_path / "frontdesk.toml"
    config.write_text(
        f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n[agent]\nprinter_interval = 0.2\n'
        f'[[printer]]\nid = "desk"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer_sim.port}\n'
        'status_timeout = 0.3\n'
    )
    agent = agent_process(config)
    try:
        printer_sim.wait_for_jobs(1, timeout=10)  # the first status check
        printer_sim.state.paper = "out"  # reported at once by Automatic Status Back
        import time

        time.sleep(1.5)  # and a status check every 0.2 s meanwhile would not add a line
    finally:
        agent.send_signal(signal.SIGTERM)
        output, _ = agent.communicate(timeout=20)
    assert agent.returncode == 0, output
    assert "desk: ok -" in output and "desk: error paper_out" in output
    assert output.count("desk: ") == 2  # changes only, not every check
    assert "Network printer enabled" not in output  # python-escpos' chatter is filtered
    assert "stopped" in output and "Traceback" not in output


def test_a_killed_agent_is_announced_offline_by_its_last_will(tmp_path, broker):
    config = tmp_path / "frontdesk.toml"
    config.write_text(f'site = "hq"\n[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n[agent]\nid = "desk-pi"\n')
    seen: list[bytes] = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.on_message = lambda c, u, message: seen.append(message.payload)
    client.connect(broker.host, broker.port)
    client.subscribe("frontdesk/hq/agent/desk-pi/availability", qos=1)
    client.loop_start()
    agent = agent_process(config)
    try:
        import time

        deadline = time.monotonic() + 15
        while b"online" not in seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert b"online" in seen
        agent.kill()  # no goodbye: only the broker can tell
        agent.wait(timeout=10)
        deadline = time.monotonic() + 60  # keepalive 30 s x 1.5
        while seen[-1] != b"offline" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert seen[-1] == b"offline"
    finally:
        agent.kill()
        client.loop_stop()
        client.disconnect()


def test_agent_refuses_a_bad_config_with_exit_code_2(tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text('[mqtt]\nhots = "x"\n')
    result = subprocess.run(
        [sys.executable, "-m", "agent.daemon", "--config", str(config)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert result.stderr == "frontdesk-agent: mqtt.hots: unknown key; did you mean 'host'?\n"
