"""The NCI general scale protocol (Avery Weigh-Tronix, Brecknell, NCI), as the simulated scale answers it."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from .protocol import Answer
from .readout import plain, rounded
from .state import ScaleSnapshot, ScaleState

LF, CR, ETX = b"\n", b"\r", b"\x03"
DEFAULT_DECIMALS = {"lb": 2, "kg": 3, "oz": 1, "g": 0}
FIELD_WIDTH = 7
STATUS_BASE = 0x30  # bits 4 and 5 always set, so both status bytes are printable


class Nci:
    name = "nci"
    terminator = CR
    default_decimals: Mapping[str, int] = DEFAULT_DECIMALS

    def __init__(self, decimals: Mapping[str, int]) -> None:
        self.decimals = dict(decimals)

    def answer(self, line: bytes, scale: ScaleState, give_up: threading.Event) -> Answer:
        if line == b"W":
            reading = scale.snapshot()
            return Answer(LF + self._weight_field(reading) + CR + LF + self._status(reading) + CR + ETX)
        if line == b"Z":
            scale.zero_current()  # out of range or moving: nothing happens, the status shows why
        elif line == b"T":
            scale.tare_current()
        elif line != b"S":
            return Answer(LF + b"?" + CR + ETX)
        return Answer(LF + self._status(scale.snapshot()) + CR + ETX)

    def stream_frame(self, scale: ScaleState) -> bytes:
        return b""  # no NCI command repeats

    def _weight_field(self, reading: ScaleSnapshot) -> bytes:
        if reading.overloaded:
            value = "^" * FIELD_WIDTH
        elif reading.underloaded:
            value = "_" * FIELD_WIDTH
        else:
            value = plain(rounded(reading.net, reading.unit, self.decimals[reading.unit]))
        return f"{value:>{FIELD_WIDTH}}{reading.unit:<2}".encode("ascii")

    def _status(self, reading: ScaleSnapshot) -> bytes:
        first = (
            STATUS_BASE
            | _bit(reading.moving, 0x01)
            | _bit(self._at_zero(reading), 0x02)
            | _bit(reading.ram_error, 0x04)
        )
        second = (
            STATUS_BASE
            | _bit(reading.underloaded, 0x01)
            | _bit(reading.overloaded, 0x02)
            | _bit(reading.calibration_error, 0x08)
        )
        return bytes([first, second])

    def _at_zero(self, reading: ScaleSnapshot) -> bool:
        # Within half a division of zero is exactly what rounds to a shown 0.
        if reading.overloaded or reading.underloaded:
            return False
        return rounded(reading.net, reading.unit, self.decimals[reading.unit]) == 0


def _bit(condition: bool, mask: int) -> int:
    return mask if condition else 0
