"""Lay blocks out for a printer profile and encode them as ESC/POS bytes.

python-escpos does the encoding (its `Dummy` printer collects the bytes in
memory); this module does what is Frontdesk's own: wrapping to the profile's
columns, right-aligned amounts, safe text, and the image fallback for letters
that no code page of the printer has.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from escpos.capabilities import get_profile
from escpos.printer import Dummy
from PIL import Image, ImageDraw

from devices.printer.blocks import Align, Barcode, Block, Columns, Cut, Feed, Picture, QrCode, Rule, Text
from devices.printer.fonts import mono_font
from devices.printer.text import Transliterator, sanitize

_FONT_A_CELL_HEIGHT = 24  # dots, at 203 dpi; the same on 58 and 80 mm printers
_MONO_ADVANCE = 0.6021  # DejaVu Sans Mono's advance width per point of size


@dataclass(frozen=True)
class _Line:
    text: str
    align: Align
    bold: bool
    underline: bool
    width: int
    height: int


class Composer:
    """Turns blocks into the bytes one printer profile understands."""

    def __init__(self, profile: str = "default") -> None:
        self.profile_name = profile
        self._profile = get_profile(profile)
        self.columns: int = self._profile.get_columns(0)
        pixels = self._profile.media.get("width", {}).get("pixels", "Unknown")
        self.pixels: int = int(pixels) if pixels != "Unknown" else self.columns * 12
        self._transliterator = Transliterator(self._profile.get_code_pages())

    def compose(self, blocks: list[Block]) -> bytes:
        printer = Dummy(profile=self.profile_name)
        printer.hw("INIT")
        for block in blocks:
            self._emit(printer, block)
        return bytes(printer.output)

    def columns_for(self, width: int = 1) -> int:
        return max(1, self.columns // width)

    def _emit(self, printer: Dummy, block: Block) -> None:
        if isinstance(block, (Text, Columns, Rule)):
            for line in self._lines(block):
                self._print_line(printer, line)
        elif isinstance(block, QrCode):
            printer.set_with_default(align="center")
            # Printers without a QR engine get the code as an image, centred by us.
            native = self._profile.supports("qrCode")
            payload = sanitize(block.payload)
            size = block.module_size if native else self._qr_module_size(payload, block.module_size)
            printer.qr(payload, size=size, native=native, center=not native)
        elif isinstance(block, Barcode):
            self._barcode(printer, block)
        elif isinstance(block, Picture):
            printer.set_with_default(align="center")
            printer.image(self._fit(block.image), center=False)
        elif isinstance(block, Feed):
            printer.print_and_feed(block.lines)
        elif isinstance(block, Cut):
            printer.cut(mode="PART" if block.partial else "FULL")
        else:
            raise TypeError(f"not a printable block: {block!r}")

    def _qr_module_size(self, payload: str, wanted: int) -> int:
        """The largest module size up to `wanted` at which the code, drawn as an image, fits the
        paper: python-escpos refuses an image wider than the paper, and a long sign-out code on
        58 mm paper is one. Built as python-escpos builds it (level L, border 1) to count modules."""
        if not payload:
            return wanted
        import qrcode

        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=1)
        code.add_data(payload)
        code.make(fit=True)
        return max(1, min(wanted, self.pixels // (code.modules_count + 2)))

    def _barcode(self, printer: Dummy, block: Barcode) -> None:
        code128 = block.symbology == "CODE128"
        hardware = self._profile.supports("barcodeB" if code128 else "barcodeA")
        data = sanitize(block.data)
        # Narrow the bars until the code, with its quiet zones, fits the paper.
        modules = 11 * (len(data) + 3) + 22 if code128 else 113
        bar_width = max(1, min(3, self.pixels // modules))
        printer.set_with_default(align="center")
        # python-escpos print()s which renderer it chose; keep that off our stdout.
        with contextlib.redirect_stdout(io.StringIO()):
            printer.barcode(
                "{B" + data if code128 and hardware else data,
                block.symbology,
                width=bar_width,
                function_type="B" if code128 and hardware else None,
                align_ct=not hardware,
                force_software=not hardware,
            )

    def _lines(self, block: Text | Columns | Rule) -> list[_Line]:
        if isinstance(block, Rule):
            return [_Line(block.char * self.columns, "left", False, False, 1, 1)]
        style: dict[str, Any] = dict(bold=block.bold, width=block.width, height=block.height)
        width = self.columns_for(block.width)
        if isinstance(block, Text):
            text = self._transliterator.fold(sanitize(block.text))
            wrapped = textwrap.wrap(text, width) or [""]
            return [_Line(t, block.align, underline=block.underline, **style) for t in wrapped]
        left = self._transliterator.fold(sanitize(block.left))
        right = self._transliterator.fold(sanitize(block.right))[:width]
        room = max(1, width - len(right) - 1)
        wrapped = textwrap.wrap(left, room) or [""]
        last = wrapped[-1].ljust(width - len(right)) + right
        lines = [*wrapped[:-1], last]
        return [_Line(t, "left", underline=False, **style) for t in lines]

    def _print_line(self, printer: Dummy, line: _Line) -> None:
        if self._transliterator.unprintable(line.text):
            printer.set_with_default(align="left")
            printer.image(self._text_image(line), center=False)
            return
        printer.set_with_default(
            align=line.align,
            bold=line.bold,
            underline=1 if line.underline else 0,
            **self._size(line),
        )
        printer.textln(line.text)

    @staticmethod
    def _size(line: _Line) -> dict:
        if line.width == line.height == 1:
            return {}
        return {"custom_size": True, "width": line.width, "height": line.height}

    @cached_property
    def _cell_width(self) -> float:
        return self.pixels / self.columns

    def _text_image(self, line: _Line) -> Image.Image:
        """The line drawn in a monospaced font at the printer's own cell size."""
        size = int(self._cell_width * line.width / _MONO_ADVANCE)
        font = mono_font(min(size, _FONT_A_CELL_HEIGHT * line.height), line.bold)
        height = _FONT_A_CELL_HEIGHT * line.height
        image = Image.new("1", (self.pixels, height), 1)
        draw = ImageDraw.Draw(image)
        text_width = font.getlength(line.text)
        x = {"left": 0, "center": (self.pixels - text_width) / 2, "right": self.pixels - text_width}[line.align]
        draw.text((x, height / 2), line.text, font=font, fill=0, anchor="lm")
        if line.underline:
            draw.line((x, height - 2, x + text_width, height - 2), fill=0, width=2)
        return image

    def _fit(self, image: Image.Image) -> Image.Image:
        if image.width <= self.pixels:
            return image
        ratio = self.pixels / image.width
        return image.resize((self.pixels, max(1, round(image.height * ratio))))
