"""Printer profiles and code-page tables from python-escpos' capability database.

The database file is read directly instead of through `escpos.capabilities`, which
configures root logging and writes a pickle to a new temporary directory on import.
Decoding deliberately does not use python-escpos' Encoder: the simulator is meant to
be an independent check of what the driver encodes with it.
"""

from __future__ import annotations

import json
import math
import os
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

FONT_A_CELL = 12  # dots; Epson's font A, used when a profile does not know its paper width


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    code_pages: Mapping[int, str]  # ESC t number -> encoding name, e.g. 18 -> "CP852"
    font_columns: Mapping[int, int]  # ESC M number -> characters per line
    width_dots: int
    features: frozenset[str] = frozenset()  # e.g. "qrCode", "paperPartCut"

    def supports(self, feature: str) -> bool:
        return feature in self.features

    def cell_width(self, font: int) -> int:
        """Dots taken by one character of `font` at normal width (for drawing)."""
        return self.width_dots // self.font_columns[font]

    @property
    def line_units(self) -> int:
        """A full line in units small enough that every font's character is a whole number."""
        return math.lcm(*self.font_columns.values()) * self.width_dots

    def char_units(self, font: int, width: int, spacing_dots: int = 0) -> int:
        """Line units one character takes; exact, so a line of `columns` characters just fits."""
        per_column = math.lcm(*self.font_columns.values())
        return width * (per_column // self.font_columns[font] * self.width_dots + spacing_dots * per_column)

    @property
    def columns(self) -> int:
        return self.font_columns[0]


@cache
def capability_database() -> dict[str, Any]:
    # Same override as python-escpos, so the driver and the simulator see one database.
    override = os.environ.get("ESCPOS_CAPABILITIES_FILE")
    if override:
        return json.loads(Path(override).read_text(encoding="utf-8"))
    database = resources.files("escpos") / "capabilities.json"
    return json.loads(database.read_text(encoding="utf-8"))


@cache
def load_profile(name: str) -> PrinterProfile:
    profiles = capability_database()["profiles"]
    if name not in profiles:
        raise ValueError(f"unknown printer profile {name!r}; known: {', '.join(sorted(profiles))}")
    data = profiles[name]
    font_columns = {int(number): font["columns"] for number, font in data["fonts"].items()}
    width = data.get("media", {}).get("width", {}).get("pixels")
    if not isinstance(width, int):  # "Unknown" in profiles such as "default" and "simple"
        width = font_columns[0] * FONT_A_CELL
    return PrinterProfile(
        name=name,
        code_pages={int(number): page for number, page in data["codePages"].items()},
        font_columns=font_columns,
        width_dots=width,
        features=frozenset(name for name, present in data.get("features", {}).items() if present),
    )


@cache
def high_half(encoding: str) -> tuple[str | None, ...]:
    """Characters for bytes 0x80..0xFF in `encoding`; None where the page has none."""
    spec = capability_database()["encodings"].get(encoding, {})
    if "data" in spec:
        # In the database's own tables a space marks a position nobody has identified.
        chars = "".join(spec["data"])
        return tuple(None if char == " " else char for char in chars)
    if "python_encode" in spec:
        return tuple(_decode_byte(byte, spec["python_encode"]) for byte in range(0x80, 0x100))
    return (None,) * 128


def _decode_byte(byte: int, codec: str) -> str | None:
    try:
        char = bytes([byte]).decode(codec)
    except UnicodeDecodeError:
        return None
    # Control characters (e.g. ISO 8859's C1 range) print nothing on paper.
    return None if len(char) != 1 or unicodedata.category(char) == "Cc" else char
