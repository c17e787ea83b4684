"""What the serial scale protocols share: ask, wait for a good answer, explain silence."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import serial

from frontdesk.contract.config import MtSicsScaleConfig, NciScaleConfig
from frontdesk.devices.scale.driver import Scale
from frontdesk.devices.scale.errors import ScaleError, ScaleGarbled, ScaleNoAnswer
from frontdesk.devices.scale.serial_line import PortOpener, SerialLine

Parsed = TypeVar("Parsed")


class SerialScale(Scale):
    protocol_name: str
    command_end: bytes
    reply_end: bytes

    def __init__(self, config: MtSicsScaleConfig | NciScaleConfig, *, open_port: PortOpener = serial.Serial) -> None:
        """`open_port` opens the port the config names; a test passes an in-memory one."""
        super().__init__(config)
        self.config: MtSicsScaleConfig | NciScaleConfig = config
        self.line = SerialLine(config, self.reply_end, open_port)

    def close(self) -> None:
        self.line.close()

    def _ask(self, command: bytes, parse: Callable[[str], Parsed]) -> Parsed:
        self.line.discard_input()
        self.line.send(command + self.command_end)
        return self._read_reply(parse, time.monotonic() + self.config.timeout)

    def _read_reply(self, parse: Callable[[str], Parsed], deadline: float) -> Parsed:
        """Parse the first good answer before the deadline; skip noise and half frames."""
        garbled: ScaleError | None = None
        while (left := deadline - time.monotonic()) > 0:
            frame = self.line.read_frame(timeout=left)
            if not frame:
                break
            text = frame.decode("latin-1")
            try:
                if not frame.endswith(self.reply_end):
                    raise self._not_understood(text, "a complete answer")
                return parse(text)
            except ScaleGarbled as error:
                garbled = error
        if garbled is not None:
            raise garbled
        config = self.config
        raise ScaleNoAnswer(
            f"{self.label}: no answer within {config.timeout:g} s; check that it is on, that it is set to "
            f"the {self.protocol_name} protocol, and that its line settings match ({config.baudrate} baud, "
            f"{config.bytesize}{config.parity[0].upper()}{config.stopbits})",
            device_id=self.id,
        )

    def _not_understood(self, text: str, expected: str) -> ScaleGarbled:
        return ScaleGarbled(
            f"{self.label}: unreadable answer {text.strip()[:40]!r} where {expected} was expected; "
            "a baud rate or parity that differs from the scale's does this",
            device_id=self.id,
        )
