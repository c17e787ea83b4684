"""What a scale said, as immutable values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from frontdesk.contract import clock
from frontdesk.contract.payload import build
from frontdesk.contract.states import Weight
from frontdesk.devices.scale.units import from_grams, to_grams

Condition = Literal["ok", "overload", "underload"]


@dataclass(frozen=True)
class ScaleReading:
    """One weight reading. `stable` is the scale's own verdict, never guessed.

    Over- and underload carry no weight: a scale that is over capacity does not
    know what is on it, so `grams` is None then.
    """

    value: Decimal | None  # in `unit`, as the scale sent it
    unit: str
    stable: bool
    condition: Condition = "ok"
    at_zero: bool | None = None
    at: datetime = field(default_factory=clock.now)

    @property
    def grams(self) -> Decimal | None:
        return None if self.value is None else to_grams(self.value, self.unit)

    def weight_in(self, unit: str) -> Decimal | None:
        grams = self.grams
        return None if grams is None else from_grams(grams, unit)

    @property
    def key(self) -> tuple:
        """What a person would call a change: the weight shown, its stability, the condition."""
        return (self.value, self.unit, self.stable, self.condition)

    def describe(self) -> str:
        if self.condition == "overload":
            return "over capacity: take the item off the scale"
        if self.condition == "underload":
            return "below zero: clear the pan and zero the scale"
        return f"{self.value} {self.unit}" + ("" if self.stable else " (moving)")

    def as_dict(self) -> dict:
        """The `weight` payload (contract.states.Weight): grams and value as JSON numbers, like
        the ledger's `grams`; grams to the hundredth, value as the scale sent it."""
        grams = self.grams
        return build(Weight, grams=None if grams is None else float(grams.quantize(Decimal("0.01"))),
                     value=None if self.value is None else float(self.value), unit=self.unit, stable=self.stable,
                     condition=self.condition, at=self.at)


@dataclass(frozen=True)
class ScaleProblem:
    """The scale could not be read; `reason` is a stable code, `message` is for people."""

    reason: str
    message: str
    at: datetime = field(default_factory=clock.now)
