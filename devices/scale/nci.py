"""The NCI general scale protocol (Avery Weigh-Tronix, Brecknell, NCI) over a serial line.

`W<CR>` -> `<LF>   1.25lb<CR><LF>hh<CR><ETX>`: the weight with its unit, then two
(or three) status bytes. `S<CR>`, `Z<CR>` and `T<CR>` answer with the status
alone; an unknown command with `<LF>?<CR><ETX>`. The status bytes say whether
the scale is moving, at zero, over or under capacity, or faulty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from frontdesk.contract.config import NciScaleConfig
from frontdesk.devices.scale.errors import ScaleProtocolError, ScaleRefused
from frontdesk.devices.scale.reading import ScaleReading
from frontdesk.devices.scale.serial_scale import SerialScale
from frontdesk.devices.scale.units import canonical_unit

CR, ETX = b"\r", b"\x03"
_WEIGHT = re.compile(r"\n([ 0-9.\-^_]{1,10}?)(lb|kg|oz|g) ?\r\n([\x30-\x3f]{2,3})\r\x03$")
_STATUS = re.compile(r"\n([\x30-\x3f]{2,3})\r\x03$")
_UNKNOWN = re.compile(r"\n\?\r\x03$")


@dataclass(frozen=True)
class NciStatus:
    motion: bool
    at_zero: bool
    under_capacity: bool
    over_capacity: bool
    faults: tuple[str, ...]

    @classmethod
    def decode(cls, status: str) -> NciStatus:
        first, second = ord(status[0]) & 0x0F, ord(status[1]) & 0x0F
        names = ((first, 0x4, "RAM error"), (first, 0x8, "EEPROM error"), (second, 0x4, "ROM error"),
                 (second, 0x8, "faulty calibration"))
        return cls(
            motion=bool(first & 0x1),
            at_zero=bool(first & 0x2),
            under_capacity=bool(second & 0x1),
            over_capacity=bool(second & 0x2),
            faults=tuple(name for byte, bit, name in names if byte & bit),
        )


class NciScale(SerialScale):
    config: NciScaleConfig
    protocol_name, command_end, reply_end = "NCI", CR, ETX

    def read(self) -> ScaleReading:
        return self._ask(b"W", self._weight)

    def status(self) -> NciStatus:
        return self._ask(b"S", self._status)

    def tare(self) -> None:
        self._settled_then(b"T", "tare")

    def zero(self) -> None:
        self._settled_then(b"Z", "zero")

    def stream(self) -> Iterator[ScaleReading]:
        # NCI has no continuous mode: ask again as soon as each answer is in.
        while True:
            yield self.read()

    def _settled_then(self, command: bytes, what: str) -> None:
        # NCI answers Z and T with the status even when it ignored them, so
        # refuse here rather than report a tare that did not happen.
        if self.status().motion:
            raise ScaleRefused(f"{self.label}: cannot {what} while the weight is moving; wait and try again", device_id=self.id)
        self._check_faults(self._ask(command, self._status))

    def _weight(self, frame: str) -> ScaleReading:
        match = _WEIGHT.search(frame)
        if not match:
            self._raise_if_unknown(frame)
            raise self._not_understood(frame, "a weight")
        field, unit, status_bytes = match.groups()
        status = self._check_faults(NciStatus.decode(status_bytes))
        stable = not status.motion
        if status.over_capacity or "^" in field:
            return ScaleReading(None, canonical_unit(unit), stable=False, condition="overload")
        if status.under_capacity or "_" in field:
            return ScaleReading(None, canonical_unit(unit), stable=False, condition="underload")
        try:
            value = Decimal(field.strip())
        except InvalidOperation:
            raise self._not_understood(frame, "a weight") from None
        return ScaleReading(value, canonical_unit(unit), stable=stable, at_zero=status.at_zero)

    def _status(self, frame: str) -> NciStatus:
        match = _STATUS.search(frame)
        if not match:
            self._raise_if_unknown(frame)
            raise self._not_understood(frame, "a status")
        return NciStatus.decode(match.group(1))

    def _check_faults(self, status: NciStatus) -> NciStatus:
        if status.faults:
            raise ScaleProtocolError(
                f"{self.label}: the scale reports {', '.join(status.faults)}; it needs service", device_id=self.id
            )
        return status

    def _raise_if_unknown(self, frame: str) -> None:
        if _UNKNOWN.search(frame):
            raise ScaleProtocolError(f"{self.label}: the scale did not understand the command (is it set to NCI?)", device_id=self.id)
