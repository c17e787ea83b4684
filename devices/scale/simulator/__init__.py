"""Postage-scale simulator: MT-SICS or NCI over a real pty, and USB HID reports into a FIFO.

The scale driver runs unchanged against it and against hardware; faults (wrong baud
rate, line noise, half frames, unplugging, power off) are switched on through `state`.
"""

from .hid import HidScaleFeeder
from .server import ScaleSimulator
from .state import ScaleSnapshot, ScaleState

__all__ = ["HidScaleFeeder", "ScaleSimulator", "ScaleSnapshot", "ScaleState"]
