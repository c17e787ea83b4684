"""Mettler Toledo MT-SICS over a serial line.

Commands and replies are ASCII lines ending in CR LF, e.g. `SI` ->
`S D      12.34 g` (D: dynamic, S: stable), `S +` overload, `S -` underload,
`ES`/`ET`/`EL` for a command the scale did not understand, could not receive, or
cannot carry out. Live readings use `SIR`, which repeats until another command.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from decimal import Decimal

import serial

from frontdesk.contract.config import MtSicsScaleConfig
from frontdesk.devices.scale.errors import ScaleProtocolError, ScaleRefused
from frontdesk.devices.scale.reading import Condition, ScaleReading
from frontdesk.devices.scale.serial_line import PortOpener
from frontdesk.devices.scale.serial_scale import SerialScale
from frontdesk.devices.scale.units import canonical_unit

CRLF = b"\r\n"
# Searched for at the end of a line, so noise in front of a reply does not hide it.
_WEIGHT = re.compile(r"(?<![A-Z])(S|T|TA) ([SDA]) +(-?\d+(?:\.\d+)?) +([A-Za-z]+)\s*$")
_STATUS = re.compile(r"(?<![A-Z])(S|T|Z|TAC) ([AI+\-])\s*$")
_IDENTITY = re.compile(r'(?<![A-Z])I4 A "([^"]*)"\s*$')
_ERROR = re.compile(r"(?<![A-Z])(ES|ET|EL)\s*$")
_ERROR_MEANING = {
    "ES": "did not understand the command (is it set to MT-SICS?)",
    "ET": "received the command garbled (check baud rate and parity)",
    "EL": "cannot carry out the command",
}


class MtSicsScale(SerialScale):
    config: MtSicsScaleConfig
    protocol_name, command_end, reply_end = "MT-SICS", CRLF, CRLF

    def __init__(self, config: MtSicsScaleConfig, *, open_port: PortOpener = serial.Serial) -> None:
        super().__init__(config, open_port=open_port)
        self._streaming = False

    def read(self) -> ScaleReading:
        return self._ask(b"SI", self._weight)

    def tare(self) -> None:
        self._ask(b"T", lambda line: self._status(line, "T", "tare"))

    def zero(self) -> None:
        self._ask(b"Z", lambda line: self._status(line, "Z", "zero"))

    def identify(self) -> str | None:
        def serial_number(line: str) -> str:
            if match := _IDENTITY.search(line):
                return match.group(1)
            raise self._not_understood(line, "a serial number")

        return self._ask(b"I4", serial_number)

    def stream(self) -> Iterator[ScaleReading]:
        self._streaming = True
        self.line.discard_input()
        self.line.send(b"SIR" + CRLF)
        while True:
            yield self._read_reply(self._weight, time.monotonic() + self.config.timeout)

    def end_stream(self) -> None:
        if self._streaming and self.line.is_open:
            self._streaming = False
            # SI ends SIR, but frames already on the wire keep coming for a moment.
            # I4's answer is unlike any weight, so reading up to it drains the line:
            # no stale frame can then be taken for the answer to the next command.
            self.line.send(b"SI" + CRLF + b"I4" + CRLF)
            deadline = time.monotonic() + self.config.timeout
            while (left := deadline - time.monotonic()) > 0:
                frame = self.line.read_frame(timeout=left)
                if not frame or _IDENTITY.search(frame.decode("latin-1")):
                    break

    def close(self) -> None:
        self._streaming = False
        super().close()

    def _weight(self, line: str) -> ScaleReading:
        if match := _WEIGHT.search(line):
            kind, status, value, unit = match.groups()
            if kind == "S":
                return ScaleReading(Decimal(value), self._unit(unit), stable=status == "S")
        if match := _STATUS.search(line):
            kind, status = match.groups()
            if kind == "S" and status in "+-":
                condition: Condition = "overload" if status == "+" else "underload"
                return ScaleReading(None, "g", stable=False, condition=condition)
            if kind == "S" and status == "I":
                raise ScaleRefused(f"{self.label}: cannot weigh right now (busy or still moving)", device_id=self.id)
        self._raise_if_error(line)
        raise self._not_understood(line, "a weight")

    def _status(self, line: str, command: str, what: str) -> None:
        if match := _WEIGHT.search(line):
            if match.group(1) == command:
                return
        if match := _STATUS.search(line):
            kind, status = match.groups()
            if kind == command:
                if status in "AS":
                    return
                if status == "I":
                    raise ScaleRefused(f"{self.label}: cannot {what} while the weight is moving; wait and try again", device_id=self.id)
                raise ScaleRefused(f"{self.label}: {what} refused, the weight is outside the scale's {what} range", device_id=self.id)
        self._raise_if_error(line)
        raise self._not_understood(line, f"an answer to {command}")

    def _raise_if_error(self, line: str) -> None:
        if match := _ERROR.search(line):
            code = match.group(1)
            raise ScaleProtocolError(f"{self.label}: the scale {_ERROR_MEANING[code]} ({code})", device_id=self.id)

    def _unit(self, unit: str) -> str:
        try:
            return canonical_unit(unit)
        except ValueError:
            raise ScaleProtocolError(
                f"{self.label}: weighs in {unit!r}; set the scale to g, kg, oz or lb", device_id=self.id
            ) from None
