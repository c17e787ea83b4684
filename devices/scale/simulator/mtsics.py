"""MT-SICS (Mettler Toledo) commands and replies, as the simulated scale answers them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from decimal import Decimal

from .protocol import Answer
from .readout import plain, rounded
from .state import ScaleSnapshot, ScaleState

CRLF = b"\r\n"
DEFAULT_DECIMALS = {"g": 2, "kg": 5, "oz": 3, "lb": 4}
TARE_REPLIES = {"moving": "T I", "over": "T +", "under": "T -"}
ZERO_REPLIES = {"done": "Z A", "moving": "Z I", "above": "Z +", "below": "Z -"}

Handler = Callable[[ScaleState, threading.Event], Answer]


def _line(text: str) -> bytes:
    return text.encode("ascii") + CRLF


class MtSics:
    name = "mt-sics"
    terminator = CRLF
    default_decimals: Mapping[str, int] = DEFAULT_DECIMALS

    def __init__(self, decimals: Mapping[str, int], serial_number: str, stable_wait: float) -> None:
        if not serial_number.isascii() or '"' in serial_number:
            raise ValueError(f"serial_number must be ASCII without quotes, not {serial_number!r}")
        self.decimals = dict(decimals)
        self.serial_number = serial_number
        self.stable_wait = stable_wait  # how long S waits for the load to rest
        self._handlers: dict[str, Handler] = {
            "S": self._stable_weight,
            "SI": lambda scale, _: Answer(self.stream_frame(scale)),
            "SIR": lambda scale, _: Answer(self.stream_frame(scale), streams=True),
            "T": lambda scale, _: self._tare(scale),
            "Z": lambda scale, _: Answer(_line(ZERO_REPLIES[scale.zero_current()])),
            "TA": lambda scale, _: self._query_tare(scale),
            "TAC": lambda scale, _: self._clear_tare(scale),
            "@": lambda scale, _: self._reset(scale),
            "I4": lambda scale, _: Answer(self._serial_line()),
        }

    def answer(self, line: bytes, scale: ScaleState, give_up: threading.Event) -> Answer:
        if any(not 0x20 <= byte <= 0x7E for byte in line):
            return Answer(_line("ET"))
        text = line.decode("ascii")
        command = text.split(" ", 1)[0]
        handler = self._handlers.get(command)
        if handler is None:
            return Answer(_line("ES"))
        if len(text) > len(command):  # none of the simulated commands takes an argument
            return Answer(_line("EL"))
        return handler(scale, give_up)

    def stream_frame(self, scale: ScaleState) -> bytes:
        """The SI reply: the weight now, with D while the load moves."""
        reading = scale.snapshot()
        return self._weight_reply(reading) or self._weight_line("D" if reading.moving else "S", reading)

    def _stable_weight(self, scale: ScaleState, give_up: threading.Event) -> Answer:
        reading = scale.snapshot()
        if reading.moving and not (reading.overloaded or reading.underloaded):
            scale.wait_until_stable(self.stable_wait, give_up)
            reading = scale.snapshot()
        limit_reply = self._weight_reply(reading)
        if limit_reply:
            return Answer(limit_reply)
        return Answer(_line("S I") if reading.moving else self._weight_line("S", reading))

    def _tare(self, scale: ScaleState) -> Answer:
        outcome = scale.tare_current()
        if outcome != "done":
            return Answer(_line(TARE_REPLIES[outcome]))
        reading = scale.snapshot()
        return Answer(self._value_line("T S", reading.tare, reading.unit))

    def _query_tare(self, scale: ScaleState) -> Answer:
        reading = scale.snapshot()
        return Answer(self._value_line("TA A", reading.tare, reading.unit))

    def _clear_tare(self, scale: ScaleState) -> Answer:
        scale.tare = Decimal(0)
        return Answer(_line("TAC A"))

    def _reset(self, scale: ScaleState) -> Answer:
        # The server ends any SIR stream because a command arrived; reset also drops the tare.
        scale.tare = Decimal(0)
        return Answer(self._serial_line())

    def _weight_reply(self, reading: ScaleSnapshot) -> bytes:
        """S + or S - when the load is outside the weighing range, else b""."""
        if reading.overloaded:
            return _line("S +")
        if reading.underloaded:
            return _line("S -")
        return b""

    def _weight_line(self, status: str, reading: ScaleSnapshot) -> bytes:
        return self._value_line(f"S {status}", reading.net, reading.unit)

    def _value_line(self, prefix: str, grams: Decimal, unit: str) -> bytes:
        value = plain(rounded(grams, unit, self.decimals[unit]))
        return _line(f"{prefix} {value:>10} {unit}")

    def _serial_line(self) -> bytes:
        return _line(f'I4 A "{self.serial_number}"')
