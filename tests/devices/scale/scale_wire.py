"""Talking to the scale simulator the way a scale's host would: pyserial on its pty."""

from __future__ import annotations

from decimal import Decimal

import serial

from devices.scale.simulator import ScaleSimulator


def open_port(simulator: ScaleSimulator, baudrate: int = 9600, timeout: float = 1) -> serial.Serial:
    return serial.Serial(simulator.device_path, baudrate, timeout=timeout)


def ask(simulator: ScaleSimulator, command: bytes) -> bytes:
    """One MT-SICS command and its reply line."""
    with open_port(simulator) as port:
        port.write(command + b"\r\n")
        return port.read_until(b"\r\n")


def ask_nci(simulator: ScaleSimulator, command: bytes) -> bytes:
    with open_port(simulator) as port:
        port.write(command + b"\r")
        return port.read_until(b"\x03")


def load(simulator: ScaleSimulator, grams: str, unit: str = "g") -> None:
    simulator.state.grams = Decimal(grams)
    simulator.state.display_unit = unit
