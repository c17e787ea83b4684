"""The agent with a serial receipt printer (the simulator on a pty): faults by Automatic Status Back."""

from __future__ import annotations

import pytest
from testbed import OFFICE_TOML, Recorder, RunningAgent

from frontdesk.contract.config import parse_config

# Longer than any wait below: a fault seen in time was reported by the printer, not polled.
POLL_SECONDS = 120


@pytest.fixture
def serial_agent(broker, serial_sim, tmp_path):
    config = parse_config(
        OFFICE_TOML
        + f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
        + f'[agent]\ndata_dir = "{tmp_path / "data"}"\nprinter_interval = {POLL_SECONDS}\n'
        + f'[[printer]]\nid = "till"\nconnection = "serial"\ndevice = "{serial_sim.device_path}"\n'
        + 'baudrate = 19200\nstatus_timeout = 0.5\n'
    )
    watcher = Recorder(broker, "frontdesk/#")
    try:
        with RunningAgent(config):
            watcher.wait_for(lambda t, p, r: t == f"{watcher.prefix}/availability" and p == b"online")
            yield watcher
    finally:
        watcher.close()


def test_a_serial_printer_reports_its_faults_between_jobs_and_still_prints(serial_agent, serial_sim):
    watcher = serial_agent
    watcher.state("till", health="ok")
    serial_sim.state.paper = "out"
    assert watcher.state("till", timeout=30, health="error")["reasons"] == ["paper_out"]
    serial_sim.state.paper = "ok"
    watcher.state("till", timeout=30, health="ok", reasons=[])
    reply = watcher.command("print_receipt", {"request_id": "serial-1", "payment_method": "cash",
                                              "items": [{"description": "Timbru poștal", "unit_price": "4.50"}]})
    assert reply["ok"] and reply["result"]["state"] in ("printed", "sent"), reply
    assert "Timbru poştal" in serial_sim.machine.text_rendering()  # the code page's look-alike of ș
    serial_sim.state.cover_open = True  # the job ended the watch; it was taken up again after it
    watcher.state("till", timeout=30, health="error", reasons=["cover_open"])
