"""Talking to the scale simulator the way a scale's host would: pyserial on its pty, or its
in-memory port (opened with the same arguments), and a driver wired to the in-memory one."""

from __future__ import annotations

import threading
from decimal import Decimal

import serial
from testbed import scale_config

from frontdesk.devices.scale import MtSicsScale, NciScale
from frontdesk.devices.scale.serial_scale import SerialScale
from frontdesk.devices.scale.simulator import ScaleSimulator
from frontdesk.devices.scale.simulator.memory import MemoryScaleSimulator

Simulator = ScaleSimulator | MemoryScaleSimulator


def open_port(simulator: Simulator, baudrate: int = 9600, timeout: float = 1):
    if isinstance(simulator, MemoryScaleSimulator):
        return simulator.open_port(simulator.device_path, baudrate, timeout=timeout)
    return serial.Serial(simulator.device_path, baudrate, timeout=timeout)


def ask(simulator: Simulator, command: bytes) -> bytes:
    """One MT-SICS command and its reply line."""
    with open_port(simulator) as port:
        port.write(command + b"\r\n")
        return port.read_until(b"\r\n")


def ask_nci(simulator: Simulator, command: bytes) -> bytes:
    with open_port(simulator) as port:
        port.write(command + b"\r")
        return port.read_until(b"\x03")


def load(simulator: Simulator, grams: str, unit: str = "g") -> None:
    simulator.state.grams = Decimal(grams)
    simulator.state.display_unit = unit


def scale_in_memory(simulator: MemoryScaleSimulator, **settings) -> SerialScale:
    """The driver for the simulator's protocol, as configured for a serial port, on the in-memory one."""
    config = scale_config(simulator.protocol, simulator.device_path, **settings)
    driver = MtSicsScale if simulator.protocol == "mt-sics" else NciScale
    return driver(config, open_port=simulator.open_port)


def follow_an_unplug(simulator: Simulator, scale: SerialScale) -> list:
    """Live readings from `scale` while its cable is pulled after the third and put back at the
    first problem; ends with the first reading after the outage. Returns every event seen."""
    from frontdesk.devices.scale import ScaleProblem

    stop = threading.Event()
    seen: list = []
    for event in scale.readings(stop):
        seen.append(event)
        if len(seen) == 3:
            simulator.unplug()
        elif isinstance(event, ScaleProblem):
            simulator.plug()
        elif any(isinstance(e, ScaleProblem) for e in seen):
            stop.set()  # a reading after the outage: recovered
    return seen
