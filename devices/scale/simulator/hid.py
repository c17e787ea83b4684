"""A USB HID postal scale (Dymo M10/M25, Stamps.com): input reports written into a FIFO.

The FIFO stands in for /dev/hidrawN: the driver opens and reads it the same way and
gets one 6-byte report per read.
"""

from __future__ import annotations

import logging
import os
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from .readout import in_unit

log = logging.getLogger(__name__)

REPORT_ID = 3  # the scale data report
FAULT, STABLE_ZERO, IN_MOTION, STABLE_POSITIVE, STABLE_NEGATIVE = 1, 2, 3, 4, 5
OVER_CAPACITY, REQUIRES_CALIBRATION, REQUIRES_REZEROING = 6, 7, 8
UNIT_CODES = {"g": 2, "kg": 3, "oz": 11, "lb": 12}
EXPONENTS = {"g": 0, "kg": -3, "oz": -1, "lb": -2}  # the resolution a Dymo reports in each unit
MAX_RAW = 0xFFFF


class HidScaleFeeder:
    """Writes scale input reports into a FIFO at `path` that a driver reads like hidraw."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd = -1

    def start(self) -> HidScaleFeeder:
        os.mkfifo(self.path)
        # Read-write, so this side is a writer from the start: the driver's open() of the
        # FIFO returns at once, as opening hidraw does. Non-blocking: a report nobody reads
        # is dropped when the pipe is full, as hidraw drops old reports.
        self._fd = os.open(self.path, os.O_RDWR | os.O_NONBLOCK)
        return self

    def stop(self) -> None:
        if self._fd < 0:
            return
        os.close(self._fd)
        self._fd = -1
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> HidScaleFeeder:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def send_report(self, status: int, unit: int, exponent: int, raw: int) -> bytes:
        """Write one report; weight = raw × 10**exponent in `unit`. Returns the report."""
        if self._fd < 0:
            raise RuntimeError("start the HID feeder before sending reports")
        for name, value, low, high in (("status", status, 0, 255), ("unit", unit, 0, 255),
                                       ("exponent", exponent, -128, 127), ("raw", raw, 0, MAX_RAW)):
            if not isinstance(value, int) or not low <= value <= high:
                raise ValueError(f"{name} must be an integer {low}..{high}, not {value!r}")
        report = bytes([REPORT_ID, status, unit, exponent & 0xFF]) + raw.to_bytes(2, "little")
        try:
            os.write(self._fd, report)
        except BlockingIOError:
            log.debug("HID FIFO full, nobody reads it: report dropped")
        return report

    def send_weight(self, grams: Decimal, stable: bool = True, unit: str = "g") -> bytes:
        """Report `grams` in `unit` as a Dymo does: the magnitude in raw, the sign in the status."""
        if unit not in UNIT_CODES:
            raise ValueError(f"unit must be one of {sorted(UNIT_CODES)}, not {unit!r}")
        exponent = EXPONENTS[unit]
        steps = in_unit(Decimal(grams), unit).scaleb(-exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        raw = int(abs(steps))
        if raw > MAX_RAW:
            raise ValueError(f"{grams} g does not fit a report; send_report({OVER_CAPACITY}, ...) for over capacity")
        return self.send_report(_status(steps, stable), UNIT_CODES[unit], exponent, raw)


def _status(steps: Decimal, stable: bool) -> int:
    if not stable:
        return IN_MOTION
    if steps == 0:
        return STABLE_ZERO
    return STABLE_POSITIVE if steps > 0 else STABLE_NEGATIVE
