"""The scale's physical condition, changed by a person or a test while the protocol thread reads it."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from .readout import UNITS

ZERO_RANGE = Decimal("0.02")  # Z may move the zero point by up to 2 % of capacity
UNDERLOAD_RANGE = Decimal("0.02")  # net below -2 % of capacity is underload, not a weight

DECIMAL_FIELDS = ("grams", "tare", "zero_offset", "capacity_grams")
BOOL_FIELDS = ("motion", "overload", "underload", "silent", "powered", "ram_error",
               "calibration_error", "half_frame_next")

TareOutcome = Literal["done", "moving", "over", "under"]
ZeroOutcome = Literal["done", "moving", "above", "below"]


@dataclass(frozen=True)
class ScaleSnapshot:
    """What the scale senses at one moment; weights in grams."""

    gross: Decimal  # from the current zero point
    tare: Decimal
    moving: bool
    overloaded: bool
    underloaded: bool
    unit: str
    ram_error: bool
    calibration_error: bool

    @property
    def net(self) -> Decimal:
        return self.gross - self.tare


@dataclass
class ScaleState:
    grams: Decimal = Decimal(0)  # the load, from the factory zero; gross is this minus zero_offset
    tare: Decimal = Decimal(0)
    zero_offset: Decimal = Decimal(0)  # where Z put the zero point, from the factory zero
    motion: bool = False  # assigning it ends any settle() in progress
    overload: bool = False  # forced on; also automatic above capacity
    underload: bool = False  # forced on; also automatic below -2 % of capacity net
    display_unit: str = "g"
    silent: bool = False  # set to another protocol: hears nothing, answers nothing
    powered: bool = True
    ram_error: bool = False
    calibration_error: bool = False
    garbage_before_next: int = 0  # random bytes sent before the next reply, once
    half_frame_next: bool = False  # the next reply stops halfway, once
    capacity_grams: Decimal = Decimal(5000)
    settled_at: float | None = None  # time.monotonic() when the load came (or comes) to rest
    _motion_until: float = field(default=0.0, init=False, repr=False)
    _changed: threading.Condition = field(default_factory=threading.Condition, init=False, repr=False, compare=False)

    def __setattr__(self, name: str, value: Any) -> None:
        value = _checked(name, value)
        changed = self.__dict__.get("_changed")
        if changed is None:  # still inside __init__
            object.__setattr__(self, name, value)
            return
        with changed:
            object.__setattr__(self, name, value)
            if name == "motion":
                object.__setattr__(self, "_motion_until", 0.0)
                object.__setattr__(self, "settled_at", None if value else time.monotonic())
            changed.notify_all()

    def settle(self, grams: Decimal, after: float) -> None:
        """The load changes to `grams` now and is in motion for `after` seconds."""
        grams = _checked("grams", grams)
        if isinstance(after, bool) or not isinstance(after, (int, float)) or not 0 <= after < math.inf:
            raise ValueError(f"after must be a number of seconds >= 0, not {after!r}")
        with self._changed:
            rest_at = time.monotonic() + after
            for name, value in (("grams", grams), ("motion", False), ("_motion_until", rest_at),
                                ("settled_at", rest_at)):
                object.__setattr__(self, name, value)
            self._changed.notify_all()

    def snapshot(self) -> ScaleSnapshot:
        with self._changed:
            return self._reading()

    def tare_current(self) -> TareOutcome:
        """Take the gross weight as tare, as the tare key does, if the scale can."""
        with self._changed:
            reading = self._reading()
            if reading.overloaded:
                return "over"
            if reading.underloaded:
                return "under"
            if reading.moving:
                return "moving"
            object.__setattr__(self, "tare", reading.gross)
            self._changed.notify_all()
            return "done"

    def zero_current(self) -> ZeroOutcome:
        """Make the present load the zero point if it is within ±2 % of capacity; clears tare."""
        with self._changed:
            reading = self._reading()
            allowed = self.capacity_grams * ZERO_RANGE
            if reading.moving:
                return "moving"
            if reading.overloaded or reading.gross > allowed:
                return "above"
            if reading.underloaded or reading.gross < -allowed:
                return "below"
            object.__setattr__(self, "zero_offset", self.grams)
            object.__setattr__(self, "tare", Decimal(0))
            self._changed.notify_all()
            return "done"

    def claim_garbage(self) -> int:
        with self._changed:
            count = self.garbage_before_next
            object.__setattr__(self, "garbage_before_next", 0)
            return count

    def claim_half_frame(self) -> bool:
        with self._changed:
            half = self.half_frame_next
            object.__setattr__(self, "half_frame_next", False)
            return half

    def wait_until_stable(self, timeout: float, give_up: threading.Event) -> bool:
        """Wait up to `timeout` s for the load to rest; False if still moving (or given up)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._moving() and not give_up.is_set():
                now = time.monotonic()
                if now >= deadline:
                    return False
                # A settle() ends at a known time; nobody notifies then, so wake for it.
                wake_at = min(deadline, self._motion_until) if self._motion_until > now else deadline
                self._changed.wait(wake_at - now)
            return not self._moving()

    def wake_waiters(self) -> None:
        """Let wait_until_stable() see that its `give_up` event was set."""
        with self._changed:
            self._changed.notify_all()

    def _moving(self) -> bool:
        return self.motion or time.monotonic() < self._motion_until

    def _reading(self) -> ScaleSnapshot:
        gross = self.grams - self.zero_offset
        overloaded = self.overload or gross > self.capacity_grams
        underload_limit = -self.capacity_grams * UNDERLOAD_RANGE
        underloaded = not overloaded and (self.underload or gross - self.tare < underload_limit)
        return ScaleSnapshot(
            gross=gross,
            tare=self.tare,
            moving=self._moving(),
            overloaded=overloaded,
            underloaded=underloaded,
            unit=self.display_unit,
            ram_error=self.ram_error,
            calibration_error=self.calibration_error,
        )


def _checked(name: str, value: Any) -> Any:
    """`value` as stored (ints become Decimal), or ValueError saying what is allowed."""
    if name in DECIMAL_FIELDS:
        # Floats are refused: 0.1 g as a float is not 0.1 g, and replies are compared byte for byte.
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"{name} must be a finite Decimal (or int) in grams, not {value!r}")
        if name == "capacity_grams" and value <= 0:
            raise ValueError(f"capacity_grams must be above 0, not {value}")
    elif name in BOOL_FIELDS and not isinstance(value, bool):
        raise ValueError(f"{name} must be True or False, not {value!r}")
    elif name == "display_unit" and value not in UNITS:
        raise ValueError(f"display_unit must be one of {UNITS}, not {value!r}")
    elif name == "garbage_before_next" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise ValueError(f"garbage_before_next must be a byte count >= 0, not {value!r}")
    elif name == "settled_at" and value is not None and not isinstance(value, float):
        raise ValueError(f"settled_at must be None or a time.monotonic() value, not {value!r}")
    return value
