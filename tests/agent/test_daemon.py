"""frontdesk-agent supervises the printers and logs changes of health."""

from __future__ import annotations

import signal
import subprocess
import sys


def test_agent_logs_printer_health_changes_and_stops_on_sigterm(tmp_path, printer_sim):
    config = tmp_path / "frontdesk.toml"
    config.write_text(
        f'[[printer]]\nid = "desk"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer_sim.port}\n'
        'status_timeout = 0.3\n'
    )
    agent = subprocess.Popen(
        [sys.executable, "-m", "agent.daemon", "--config", str(config), "--interval", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        printer_sim.wait_for_jobs(1, timeout=10)
        printer_sim.state.paper = "out"
        printer_sim.wait_for_jobs(4, timeout=10)  # checks go on after the change
    finally:
        agent.send_signal(signal.SIGTERM)
        output, _ = agent.communicate(timeout=10)
    assert agent.returncode == 0, output
    assert "printer desk: ok -" in output
    assert "printer desk: error paper_out" in output
    assert output.count("printer desk:") == 2  # changes only, not every check
    assert "stopped" in output and "Traceback" not in output


def test_agent_refuses_a_bad_config_with_exit_code_2(tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text('[mqtt]\nhots = "x"\n')
    result = subprocess.run(
        [sys.executable, "-m", "agent.daemon", "--config", str(config)], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 2
    assert result.stderr == "frontdesk-agent: mqtt.hots: unknown key; did you mean 'host'?\n"
