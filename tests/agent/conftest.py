"""Fixtures of the agent tests: the agent over a real Mosquitto, with every kind of device."""

from __future__ import annotations

from decimal import Decimal

import pytest
from testbed import AGENT_PREFIX as PREFIX
from testbed import OFFICE_TOML, RIG_DEVICE_POLL, RunningAgent, watcher_on

from frontdesk.contract.config import parse_config
from frontdesk.devices.scale.simulator import ScaleSimulator

@pytest.fixture
def rig_scale(tmp_path):
    with ScaleSimulator("mt-sics", link=tmp_path / "scale") as scale_sim:
        scale_sim.state.grams = Decimal("85")
        yield scale_sim


@pytest.fixture
def rig_config(broker, printer_sim, rig_scale, cups_lab, tmp_path):
    """The config of the `rig`'s agent: a printer, a scale, a copier and a fax queue."""
    return parse_config(
        OFFICE_TOML
        + f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
        + f'[agent]\ndata_dir = "{tmp_path / "data"}"\nprinter_interval = 0.3\n'
        + f'[cups]\nserver = "{cups_lab.server}"\ndevice_poll_interval = {RIG_DEVICE_POLL}\n'
        + '[[printer]]\nid = "desk-printer"\nconnection = "network"\nhost = "127.0.0.1"\n'
        + f'port = {printer_sim.port}\nstatus_timeout = 0.3\n'
        + f'[[scale]]\nid = "mail-scale"\nprotocol = "mt-sics"\ndevice = "{rig_scale.device_path}"\n'
        + '[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n'
        + '[[queue]]\nid = "fax"\ncups_name = "Fax"\nkind = "fax"\n'
    )


@pytest.fixture
def rig(rig_config, broker, printer_sim, rig_scale, cups_lab):
    watcher = watcher_on(broker)
    try:
        with RunningAgent(rig_config):
            # A client sends commands once the agent is online (it subscribes on connecting).
            watcher.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"online")
            yield watcher, printer_sim, rig_scale, cups_lab
    finally:
        watcher.close()
