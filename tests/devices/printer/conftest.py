"""The printer tests' own fixture: the simulated printer in memory, for protocol tests.

The real-socket and pty simulators (`printer_sim`, `serial_sim`) are in tests/conftest.py.
"""

from __future__ import annotations

import pytest

from frontdesk.devices.printer.simulator import MemoryPrinterSimulator


@pytest.fixture
def memory_sim():
    """An ESC/POS printer reached in memory: the TCP simulator's machine without the socket."""
    simulator = MemoryPrinterSimulator()
    yield simulator
    simulator.disconnect_clients()
