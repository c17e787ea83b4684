"""Shared fixtures: real simulators on real sockets and ptys, real config files."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.contract.config import FrontdeskConfig
from frontdesk.devices.printer.simulator import PtyPrinterSimulator, TcpPrinterSimulator
from frontdesk.devices.scale.simulator import ScaleSimulator
from testbed import OFFICE_TOML, printer_config, queue_configs, scale_config  # noqa: F401 - re-exported for fixtures


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


@pytest.fixture
def broker(tmp_path):
    """A private Mosquitto on its own port, without persistence."""
    from frontdesk.agent.local_broker import LocalBroker

    with LocalBroker(tmp_path) as running:
        yield running
