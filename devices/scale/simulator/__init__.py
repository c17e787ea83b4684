"""Postage-scale simulator: MT-SICS or NCI over a real pty or in memory, and USB HID reports into a FIFO.

The scale driver runs unchanged against it and against hardware; faults (wrong baud
rate, line noise, half frames, unplugging, power off) are switched on through `state`.
The in-memory port answers byte for byte as the pty does, without one, for protocol tests.
"""

from .hid import HidScaleFeeder
from .memory import MemoryScaleSimulator
from .server import ScaleSimulator
from .state import ScaleSnapshot, ScaleState

__all__ = ["HidScaleFeeder", "MemoryScaleSimulator", "ScaleSimulator", "ScaleSnapshot", "ScaleState"]
