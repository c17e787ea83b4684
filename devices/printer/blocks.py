"""The building blocks of a printed document, independent of any printer.

Documents (receipts, badges) are lists of these; `Composer` lays them out for a
profile's paper width and turns them into ESC/POS bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Union

from PIL import Image

Align = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Text:
    """A paragraph, wrapped to the paper width. width/height are GS ! multipliers (1-8)."""

    text: str
    align: Align = "left"
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1


@dataclass(frozen=True)
class Columns:
    """A label on the left and a value flush right on the same line (amounts, totals)."""

    left: str
    right: str
    bold: bool = False
    width: int = 1
    height: int = 1


@dataclass(frozen=True)
class Rule:
    char: str = "-"


@dataclass(frozen=True)
class QrCode:
    payload: str
    module_size: int = 6


@dataclass(frozen=True)
class Barcode:
    data: str
    symbology: Literal["CODE128", "EAN13"] = "CODE128"


@dataclass(frozen=True, eq=False)
class Picture:
    """A logo or other image, scaled down to the paper width if wider."""

    image: Image.Image


@dataclass(frozen=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True)
class Cut:
    partial: bool = False


Block = Union[Text, Columns, Rule, QrCode, Barcode, Picture, Feed, Cut]
