"""What the simulated printer put on paper, one immutable element at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from PIL import Image


@dataclass(frozen=True)
class TextRun:
    """Consecutive characters printed with the same attributes."""

    text: str
    bold: bool = False
    underline: int = 0  # 0 = off, 1 or 2 = thickness in dots
    width: int = 1
    height: int = 1
    font: int = 0
    invert: bool = False


@dataclass(frozen=True)
class TextLine:
    runs: tuple[TextRun, ...]
    align: str = "left"

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def columns(self) -> int:
        """Character cells taken, counting a double-width character as two."""
        return sum(len(run.text) * run.width for run in self.runs)


@dataclass(frozen=True)
class Qr:
    payload: str
    module_size: int
    error_correction: str  # "L", "M", "Q" or "H"
    model: int = 2
    align: str = "left"


@dataclass(frozen=True)
class Barcode:
    symbology: str
    data: str  # the human-readable content, without CODE128 code-set prefixes
    height: int = 162
    module_width: int = 3
    hri_position: str = "none"  # "none", "above", "below" or "both"
    align: str = "left"


@dataclass(frozen=True)
class RasterImage:
    image: Image.Image  # mode "1", black pixels are printed dots
    source: str = "raster"  # "raster" (GS v 0), "graphics" (GS ( L) or "column" (ESC *)
    align: str = "left"

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


@dataclass(frozen=True)
class Cut:
    partial: bool
    feed_dots: int = 0


@dataclass(frozen=True)
class Feed:
    lines: int


@dataclass(frozen=True)
class DrawerKick:
    pin: int
    on_ms: int
    off_ms: int


Element = Union[TextLine, Qr, Barcode, RasterImage, Cut, Feed, DrawerKick]
