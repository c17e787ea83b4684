"""Mass units, converted exactly (the avoirdupois pound is defined as 0.45359237 kg)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Literal

Unit = Literal["g", "kg", "oz", "lb"]

GRAMS_PER_UNIT: dict[str, Decimal] = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "lb": Decimal("453.59237"),
    "oz": Decimal("453.59237") / 16,  # 28.349523125 exactly
}

_ALIASES = {"gram": "g", "grams": "g", "kilogram": "kg", "kilograms": "kg", "ounce": "oz",
            "ounces": "oz", "pound": "lb", "pounds": "lb", "lbs": "lb"}
_QUANTITY = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*([a-zA-Z]+)\s*$")


def to_grams(value: Decimal, unit: str) -> Decimal:
    return Decimal(value) * GRAMS_PER_UNIT[canonical_unit(unit)]


def from_grams(grams: Decimal, unit: str) -> Decimal:
    return Decimal(grams) / GRAMS_PER_UNIT[canonical_unit(unit)]


def canonical_unit(unit: str) -> str:
    name = unit.strip().lower()
    name = _ALIASES.get(name, name)
    if name not in GRAMS_PER_UNIT:
        raise ValueError(f"unknown unit {unit!r}; use g, kg, oz or lb")
    return name


def parse_weight(text: str) -> Decimal:
    """'85g', '3.5 oz', '1,2kg', '2 lb' -> grams (exact Decimal)."""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"not a weight: {text!r}; write it like 85g, 3.5oz, 1.2kg or 2lb")
    try:
        value = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"not a weight: {text!r}") from None
    return to_grams(value, match.group(2))
