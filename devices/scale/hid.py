"""USB HID postal scales (Dymo M10/M25, Stamps.com) read through Linux hidraw.

These scales send a 6-byte input report from the HID point-of-sale scale usage
page: [report id 3, status, unit, exponent (signed), weight LSB, weight MSB],
weight = raw x 10^exponent in the unit. They take no commands, so tare and zero
are on the scale's own buttons. The first report after opening may be stale,
and Dymo scales switch themselves off after about three minutes.
"""

from __future__ import annotations

import errno
import os
import select
from collections.abc import Iterator
from decimal import Decimal

from frontdesk.contract.config import HidScaleConfig
from frontdesk.devices.scale.driver import Scale
from frontdesk.devices.scale.errors import ScaleError, ScaleGarbled, ScaleNoAnswer, ScaleOffline, ScaleRefused
from frontdesk.devices.scale.reading import ScaleReading

REPORT_ID, REPORT_SIZE = 3, 6
_UNITS = {2: "g", 3: "kg", 11: "oz", 12: "lb"}
_FAULTS = {1: "reports a fault", 7: "needs calibration", 8: "needs re-zeroing: press ZERO with the pan empty"}


def parse_report(report: bytes) -> ScaleReading:
    """One input report as a reading; raises ScaleGarbled or ScaleError."""
    if len(report) != REPORT_SIZE or report[0] != REPORT_ID:
        raise ScaleGarbled(f"not a scale data report: {report.hex(' ')}")
    status, unit_code, exponent = report[1], report[2], int.from_bytes(report[3:4], "big", signed=True)
    if status in _FAULTS:
        raise ScaleError(f"the scale {_FAULTS[status]}")
    if status == 6:
        return ScaleReading(None, _UNITS.get(unit_code, "g"), stable=False, condition="overload")
    if status == 5:
        return ScaleReading(None, _UNITS.get(unit_code, "g"), stable=False, condition="underload")
    if status not in (2, 3, 4):
        raise ScaleGarbled(f"unknown scale status {status} in report {report.hex(' ')}")
    if unit_code not in _UNITS:
        raise ScaleError(f"the scale weighs in an unsupported unit (code {unit_code}); switch it to g or oz")
    raw = int.from_bytes(report[4:6], "little")
    value = Decimal(raw).scaleb(exponent)
    return ScaleReading(value, _UNITS[unit_code], stable=status != 3, at_zero=status == 2)


class HidScale(Scale):
    config: HidScaleConfig

    def __init__(self, config: HidScaleConfig) -> None:
        super().__init__(config)
        self._fd: int | None = None

    def read(self) -> ScaleReading:
        return next(iter(self.stream()))

    def tare(self) -> None:
        raise ScaleRefused(f"{self.label}: USB postal scales take no commands; press the scale's TARE button", device_id=self.id)

    def zero(self) -> None:
        raise ScaleRefused(f"{self.label}: USB postal scales take no commands; press the scale's ZERO button", device_id=self.id)

    def stream(self) -> Iterator[ScaleReading]:
        if self._fd is None:
            self._open()
            self._next_report()  # the first report after opening can be stale
        while True:
            try:
                yield parse_report(self._next_report())
            except ScaleError as error:
                if isinstance(error, (ScaleOffline, ScaleNoAnswer)):
                    raise
                raise type(error)(f"{self.label}: {error}", device_id=self.id) from None

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> None:
        try:
            self._fd = os.open(self.config.device, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as error:
            advice: str | None = {
                errno.ENOENT: "no such device; is the scale plugged in and switched on?",
                errno.EACCES: "permission denied; add a udev rule for the scale (see docs)",
            }.get(error.errno or 0, error.strerror)
            raise ScaleOffline(f"{self.label}: cannot open: {advice}", device_id=self.id) from None

    def _next_report(self) -> bytes:
        assert self._fd is not None
        ready, _, _ = select.select([self._fd], [], [], self.config.timeout)
        if not ready:
            raise ScaleNoAnswer(
                f"{self.label}: no report within {self.config.timeout:g} s; USB postal scales switch "
                "themselves off after a few minutes: press the power button",
                device_id=self.id,
            )
        try:
            report = os.read(self._fd, REPORT_SIZE)
        except OSError as error:
            report, reason = b"", error.strerror
        else:
            reason = "the device went away"
        if not report:
            self.close()
            raise ScaleOffline(f"{self.label}: {reason}; unplugged or switched off?", device_id=self.id)
        return report
