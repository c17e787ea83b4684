"""Lay blocks out for a printer profile and encode them as ESC/POS bytes.

python-escpos does the encoding (its `Dummy` printer collects the bytes in
memory); this module does what is Frontdesk's own: wrapping to the profile's
columns, right-aligned amounts, safe text, right-to-left lines in the order they
are printed, and the image fallback for letters that no code page of the
printer has.

Each line of text goes through the same steps: sanitize, fold, shape (Arabic
joining), stand-ins for what neither a code page nor a font has, wrap in
logical order, reorder for the paper (visual.py). It is then sent as text if
every character is in some code page of the profile, and drawn otherwise.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from escpos.capabilities import get_profile
from escpos.printer import Dummy
from PIL import Image

from frontdesk.devices.printer.blocks import Align, Barcode, Block, Columns, Cut, Feed, Picture, QrCode, Rule, Text
from frontdesk.devices.printer.fonts import Glyphs, stand_in, system_glyphs
from frontdesk.devices.printer.line_image import line_image
from frontdesk.devices.printer.text import Transliterator, sanitize
from frontdesk.devices.printer.visual import cells, clip, pad, shape, visual, wrap


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

    def __init__(self, profile: str = "default", glyphs: Glyphs | None = None) -> None:
        self.profile_name = profile
        self._glyphs = glyphs or system_glyphs()
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
            wrapped = wrap(self._prepare(block.text), width) or [""]
            return [_Line(visual(t), block.align, underline=block.underline, **style) for t in wrapped]
        right = visual(clip(self._prepare(block.right), width))
        room = width - cells(right) - 1
        wrapped = [visual(t) for t in wrap(self._prepare(block.left), room if room > 0 else width)] or [""]
        if wrapped[-1] and cells(wrapped[-1]) + cells(right) >= width:
            wrapped.append("")  # a value about as wide as the paper gets a line of its own
        last = pad(wrapped[-1], width - cells(right)) + right
        lines = [*wrapped[:-1], last]
        return [_Line(t, "left", underline=False, **style) for t in lines]

    def _prepare(self, text: str) -> str:
        """The text in logical order, safe, folded and shaped, every character printable or drawable."""
        shaped = shape(self._transliterator.fold(sanitize(text)))
        return "".join(
            char if self._transliterator.can_print(char) or self._glyphs.has(char) else stand_in(char)
            for char in shaped
        )

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
        return line_image(
            line.text, pixels=self.pixels, cell_width=self._cell_width, align=line.align, bold=line.bold,
            underline=line.underline, width=line.width, height=line.height, glyphs=self._glyphs,
        )

    def _fit(self, image: Image.Image) -> Image.Image:
        if image.width <= self.pixels:
            return image
        ratio = self.pixels / image.width
        return image.resize((self.pixels, max(1, round(image.height * ratio))))
