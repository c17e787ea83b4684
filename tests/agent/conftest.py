"""Fixtures of the agent tests: the agent over a real Mosquitto, with every kind of device."""

from __future__ import annotations

from decimal import Decimal

import pytest
from testbed import AGENT_PREFIX as PREFIX
from testbed import OFFICE_TOML, RunningAgent, watcher_on

from contract.config import parse_config
from devices.scale.simulator import ScaleSimulator

@pytest.fixture
def rig(broker, printer_sim, cups_lab, tmp_path):
    with ScaleSimulator("mt-sics", link=tmp_path / "scale") as scale_sim:
        scale_sim.state.grams = Decimal("85")
        config = parse_config(
            OFFICE_TOML
            + f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
            + f'[agent]\ndata_dir = "{tmp_path / "data"}"\nprinter_interval = 0.3\n'
            + f'[cups]\nserver = "{cups_lab.server}"\n'
            + '[[printer]]\nid = "desk-printer"\nconnection = "network"\nhost = "127.0.0.1"\n'
            + f'port = {printer_sim.port}\nstatus_timeout = 0.3\n'
            + f'[[scale]]\nid = "mail-scale"\nprotocol = "mt-sics"\ndevice = "{scale_sim.device_path}"\n'
            + '[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n'
            + '[[queue]]\nid = "fax"\ncups_name = "Fax"\nkind = "fax"\n'
        )
        watcher = watcher_on(broker)
        try:
            with RunningAgent(config):
                # A client sends commands once the agent is online (it subscribes on connecting).
                watcher.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"online")
                yield watcher, printer_sim, scale_sim, cups_lab
        finally:
            watcher.close()


