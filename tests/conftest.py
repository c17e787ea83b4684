"""Shared fixtures: real simulators on real sockets and ptys, real config files."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract.config import FrontdeskConfig, parse_config
from devices.printer.simulator import PtyPrinterSimulator, TcpPrinterSimulator
from devices.scale.simulator import ScaleSimulator

OFFICE_TOML = """
site = "test"
[office]
name = "Exemplu SRL"
address = ["Strada Ștefan cel Mare 12", "700000 Iași"]
language = "ro"
currency = "RON"
timezone = "Europe/Bucharest"
tax_rate = 0.19
receipt_footer = "Mulțumim pentru vizită!"
"""


def printer_config(connection: str, profile: str = "TM-T20II", **settings) -> FrontdeskConfig:
    """A config with one printer, written as TOML and parsed like the real file."""
    lines = ['id = "desk"', f'connection = "{connection}"', f'profile = "{profile}"']
    lines += [f"{key} = {_toml(value)}" for key, value in settings.items()]
    return parse_config(OFFICE_TOML + "[[printer]]\n" + "\n".join(lines) + "\n")


def _toml(value) -> str:
    if isinstance(value, (str, Path)):
        return f'"{value}"'
    return str(value).lower() if isinstance(value, bool) else str(value)


@pytest.fixture
def printer_sim(tmp_path):
    """An ESC/POS printer on a real TCP socket, writing its renderings to tmp_path."""
    with TcpPrinterSimulator(output_dir=tmp_path / "printouts") as simulator:
        yield simulator


@pytest.fixture
def network_config(printer_sim) -> FrontdeskConfig:
    return printer_config("network", host="127.0.0.1", port=printer_sim.port, status_timeout=0.3, timeout=2.0)


@pytest.fixture
def serial_sim():
    with PtyPrinterSimulator() as simulator:
        yield simulator


def scale_config(protocol: str, device, **settings):
    """The config of one scale, parsed like the real file."""
    lines = ['id = "mail-scale"', f'protocol = "{protocol}"', f'device = "{device}"', "timeout = 0.5"]
    lines += [f"{key} = {_toml(value)}" for key, value in settings.items()]
    return parse_config(OFFICE_TOML + "[[scale]]\n" + "\n".join(lines) + "\n").scale[0]


@pytest.fixture
def mt():
    """An MT-SICS scale simulator that gives up waiting for stability quickly."""
    with ScaleSimulator("mt-sics", stable_wait=0.3) as simulator:
        yield simulator


@pytest.fixture
def nci():
    """An NCI scale simulator."""
    with ScaleSimulator("nci") as simulator:
        yield simulator


@pytest.fixture(scope="session")
def cups_lab():
    """A private cupsd with an ippeveprinter copier and a recording fax backend, once per session."""
    import tempfile

    from cups_lab import CupsLab

    # Not under pytest's tmp_path: its folders are 0700, and cupsd runs filters as user lp.
    with tempfile.TemporaryDirectory(prefix="frontdesk-cups-") as root, CupsLab(Path(root)) as lab:
        yield lab


def queue_configs(lab) -> dict:
    config = parse_config(
        OFFICE_TOML
        + f'[cups]\nserver = "{lab.server}"\n'
        + '[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n'
        + '[[queue]]\nid = "fax"\ncups_name = "Fax"\nkind = "fax"\n'
    )
    return {queue.id: queue for queue in config.queue}


@pytest.fixture
def broker(tmp_path):
    """A private Mosquitto on its own port, without persistence."""
    from agent.local_broker import LocalBroker

    with LocalBroker(tmp_path) as running:
        yield running


def run_frontdesk(*args: str, config: Path, timeout: float = 60):
    """`frontdesk ARGS --config CONFIG` as a staff member runs it: a real process."""
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args, "--config", str(config)],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, "FRONTDESK_CONFIG": ""},
    )
