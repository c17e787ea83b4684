"""The scale tests' own fixtures: the simulated scales in memory, for protocol tests.

The pty simulators (`mt`, `nci`) are in tests/conftest.py.
"""

from __future__ import annotations

import pytest

from frontdesk.devices.scale.simulator.memory import MemoryScaleSimulator

MEMORY_STABLE_WAIT = 0.05  # how long the in-memory MT-SICS scale's S waits for the load to rest


@pytest.fixture
def memory_mt():
    """An MT-SICS scale in memory that gives up waiting for stability at once."""
    return MemoryScaleSimulator("mt-sics", stable_wait=MEMORY_STABLE_WAIT)


@pytest.fixture
def memory_nci():
    """An NCI scale in memory."""
    return MemoryScaleSimulator("nci")
