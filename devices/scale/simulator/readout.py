"""Weights as a scale shows them: converted to the display unit and rounded to its division.

The conversion table is the simulator's own, not the driver's `devices.scale.units`,
so that the simulator stays an independent check of the driver's arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

UNITS = ("g", "kg", "oz", "lb")
GRAMS_PER_UNIT: Mapping[str, Decimal] = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "lb": Decimal("453.59237"),  # the international avoirdupois pound, exactly
    "oz": Decimal("28.349523125"),  # a sixteenth of that pound, exactly
}


def in_unit(grams: Decimal, unit: str) -> Decimal:
    return grams / GRAMS_PER_UNIT[unit]


def rounded(grams: Decimal, unit: str, decimals: int) -> Decimal:
    """`grams` in `unit`, rounded half away from zero to `decimals` places, never -0."""
    value = in_unit(grams, unit).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return abs(value) if value == 0 else value


def plain(value: Decimal) -> str:
    # format "f": str() would give "0E-5" for a rounded zero in kg.
    return format(value, "f")


def check_decimals(decimals: Mapping[str, int]) -> dict[str, int]:
    """A complete unit -> decimals table, or ValueError naming what is wrong."""
    if set(decimals) != set(UNITS):
        raise ValueError(f"resolution must give decimals for exactly {UNITS}, not {sorted(decimals)}")
    for unit, places in decimals.items():
        if not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 6:
            raise ValueError(f"resolution[{unit!r}] must be a number of decimals 0..6, not {places!r}")
    return dict(decimals)
