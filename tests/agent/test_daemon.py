"""frontdesk-agent as systemd runs it: a process with a config, stopped by a signal."""

from __future__ import annotations

import signal
import subprocess
import sys

from testbed import Recorder, wait_until

STATUS_QUERY = b"\x10\x04\x01"  # DLE EOT 1, the first of the status requests of every check


def agent_process(config_path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "frontdesk.agent.daemon", "--config", str(config_path)],
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
        asked = printer_sim.all_received().count(STATUS_QUERY)
        printer_sim.state.paper = "out"  # reported at once by Automatic Status Back
        # The agent asks again every 0.2 s on its open line: each of these checks would add a line
        # if it logged checks, not changes. The agent logs a check before it asks again, so once the
        # printer has been asked five more times the earlier checks are in the log.
        wait_until(lambda: printer_sim.all_received().count(STATUS_QUERY) >= asked + 5, 20,
                   "five more status checks", last=lambda: printer_sim.all_received().count(STATUS_QUERY) - asked)
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
    availability = "frontdesk/hq/agent/desk-pi/availability"
    recorder = Recorder(broker, availability)
    agent = agent_process(config)
    try:
        recorder.wait_for(lambda t, p, r: p == b"online", 15, "the agent online")
        since = recorder.mark()
        agent.kill()  # no goodbye: only the broker can tell
        agent.wait(timeout=10)
        # The broker notices at once that the socket closed, at the latest after keepalive 30 s x 1.5.
        recorder.wait_for(lambda t, p, r: p == b"offline", 60, "the last will", since=since)
        assert [m.payload for m in recorder.on(availability)][-1] == b"offline"
    finally:
        agent.kill()
        recorder.close()


def test_agent_refuses_a_bad_config_with_exit_code_2(tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text('[mqtt]\nhots = "x"\n')
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk.agent.daemon", "--config", str(config)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert result.stderr == "frontdesk-agent: mqtt.hots: unknown key; did you mean 'host'?\n"
