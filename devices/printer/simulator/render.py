"""A PNG picture of the paper: what a person would see coming out of the printer."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from frontdesk.devices.printer.fonts import mono_font, system_glyphs

from .codepages import PrinterProfile
from .elements import Barcode, Cut, DrawerKick, Element, Feed, Qr, RasterImage, TextLine, TextRun

if TYPE_CHECKING:
    from .machine import EscPosMachine

# Font number -> (cell height in dots, point size whose ascent + descent fills it).
CELLS = {0: (24, 20), 1: (17, 14)}
LINE_GAP = 6  # dots between text lines, roughly what ESC 2 leaves
FEED_LINE = 30
NOTE_SIZE = 14
MARGIN = 12
RED, GREY, BLACK, WHITE = (200, 0, 0), (110, 110, 110), (0, 0, 0), (255, 255, 255)


def png_rendering(machine: EscPosMachine, path: str | Path) -> Path:
    path = Path(path)
    paper_image(machine).save(path, format="PNG")
    return path


def paper_image(machine: EscPosMachine) -> Image.Image:
    width = machine.profile.width_dots
    blocks = [_element_block(element, machine.profile) for element in machine.elements]
    notes = [f"OVERFLOW {overflow}" for overflow in machine.overflows]
    notes += [f"ERROR {error}" for error in machine.errors]
    if machine.dropped_bytes:
        notes.append(f"DROPPED {machine.dropped_bytes} bytes while the printer could not print")
    if notes:
        blocks.append(_note_block("\n".join(notes), width, RED))
    paper = Image.new("RGB", (width, MARGIN * 2 + sum(block.height for block in blocks)), WHITE)
    top = MARGIN
    for block in blocks:
        paper.paste(block, (0, top))
        top += block.height
    return paper


def font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return mono_font(size, bold)


def _element_block(element: Element, profile: PrinterProfile) -> Image.Image:
    width = profile.width_dots
    if isinstance(element, TextLine):
        return _text_block(element, profile)
    if isinstance(element, Qr):
        return _qr_block(element, width)
    if isinstance(element, Barcode):
        return _barcode_block(element, width)
    if isinstance(element, RasterImage):
        block = Image.new("RGB", (width, element.size[1]), WHITE)
        block.paste(element.image.convert("RGB"), (_left(element.size[0], width, element.align), 0))
        return block
    if isinstance(element, Feed):
        return Image.new("RGB", (width, FEED_LINE * element.lines), WHITE)
    if isinstance(element, Cut):
        return _cut_block(element, width)
    if isinstance(element, DrawerKick):
        label = f"[drawer kick: pin {element.pin}, {element.on_ms} ms on, {element.off_ms} ms off]"
        return _note_block(label, width, GREY)
    raise TypeError(f"not a printed element: {element!r}")


def _text_block(line: TextLine, profile: PrinterProfile) -> Image.Image:
    width = profile.width_dots
    runs = [(run, _run_mask(run, profile)) for run in line.runs]
    height = max([mask.height for _, mask in runs] or [CELLS[0][0]])
    block = Image.new("RGB", (width, height + LINE_GAP), WHITE)
    x = _left(sum(mask.width for _, mask in runs), width, line.align)
    for run, mask in runs:
        top = height - mask.height  # characters of different sizes share a baseline
        ink, paper = (WHITE, BLACK) if run.invert else (BLACK, WHITE)
        block.paste(paper, (x, top, x + mask.width, top + mask.height))
        block.paste(ink, (x, top), mask)
        if run.underline:
            block.paste(ink, (x, top + mask.height - run.underline, x + mask.width, top + mask.height))
        x += mask.width
    return block


def _run_mask(run: TextRun, profile: PrinterProfile) -> Image.Image:
    """The run's characters as an "L" mask, one fixed cell each, then scaled like the printer does."""
    cell_width = profile.cell_width(run.font)
    cell_height, size = CELLS.get(run.font, CELLS[0])
    mask = Image.new("L", (cell_width * len(run.text), cell_height), 0)
    draw = ImageDraw.Draw(mask)
    glyphs = system_glyphs()
    for index, char in enumerate(run.text):
        # Code pages hold letters DejaVu Sans Mono lacks (Hebrew): those come from a fallback
        # font, and one wider than a cell is narrowed to it, as a printer's own font would be.
        face = glyphs.face(char, size, run.bold)
        stroke = 1 if face.fake_bold else 0
        advance = math.ceil(face.font.getlength(char))
        if advance <= cell_width:
            draw.text((index * cell_width, 0), char, font=face.font, fill=255, anchor="la", stroke_width=stroke)
            continue
        glyph = Image.new("L", (advance, cell_height), 0)
        ImageDraw.Draw(glyph).text((0, 0), char, font=face.font, fill=255, anchor="la", stroke_width=stroke)
        mask.paste(glyph.resize((cell_width, cell_height)), (index * cell_width, 0))
    if run.width == 1 and run.height == 1:
        return mask
    # Nearest-neighbour, as a printer enlarges characters by repeating dots.
    return mask.resize((mask.width * run.width, mask.height * run.height), Image.Resampling.NEAREST)


def _qr_block(code: Qr, width: int) -> Image.Image:
    import qrcode

    levels = {"L": qrcode.ERROR_CORRECT_L, "M": qrcode.ERROR_CORRECT_M,
              "Q": qrcode.ERROR_CORRECT_Q, "H": qrcode.ERROR_CORRECT_H}
    maker = qrcode.QRCode(error_correction=levels[code.error_correction], box_size=code.module_size, border=0)
    maker.add_data(code.payload.encode("utf-8"))
    maker.make(fit=True)
    symbol = maker.make_image().get_image().convert("RGB")
    quiet = min(4 * code.module_size, (width - symbol.width) // 2)  # scanners want a quiet zone
    caption = _note_block(code.payload, width, GREY)
    block = Image.new("RGB", (width, symbol.height + 2 * quiet + caption.height), WHITE)
    block.paste(symbol, (_left(symbol.width + 2 * quiet, width, code.align) + quiet, quiet))
    block.paste(caption, (0, symbol.height + 2 * quiet))
    return block


def _barcode_block(code: Barcode, width: int) -> Image.Image:
    box_width, box_height = width * 3 // 5, max(min(code.height, 120), 48)
    block = Image.new("RGB", (width, box_height + 2 * LINE_GAP), WHITE)
    draw = ImageDraw.Draw(block)
    left = _left(box_width, width, code.align)
    draw.rectangle((left, LINE_GAP, left + box_width - 1, LINE_GAP + box_height - 1), outline=BLACK, width=2)
    label = f"{code.symbology}\n{code.data}"
    center = (left + box_width // 2, LINE_GAP + box_height // 2)
    draw.multiline_text(center, label, font=font(False, NOTE_SIZE + 2), fill=BLACK, anchor="mm", align="center")
    return block


def _cut_block(cut: Cut, width: int) -> Image.Image:
    block = Image.new("RGB", (width, 28), WHITE)
    draw = ImageDraw.Draw(block)
    dash, gap = (6, 10) if cut.partial else (12, 4)
    for x in range(0, width, dash + gap):
        draw.line((x, 14, x + dash - 1, 14), fill=GREY, width=2)
    label = "partial cut" if cut.partial else "cut"
    box = draw.textbbox((width // 2, 14), label, font=font(False, NOTE_SIZE), anchor="mm")
    draw.rectangle((box[0] - 4, box[1] - 2, box[2] + 4, box[3] + 2), fill=WHITE)
    draw.text((width // 2, 14), label, font=font(False, NOTE_SIZE), fill=GREY, anchor="mm")
    return block


def _note_block(text: str, width: int, color: tuple[int, int, int]) -> Image.Image:
    face = font(False, NOTE_SIZE)
    per_line = max(int(width // face.getlength("M")), 1)
    lines = [chunk[i : i + per_line] for chunk in text.split("\n") for i in range(0, max(len(chunk), 1), per_line)]
    line_height = NOTE_SIZE + 4
    block = Image.new("RGB", (width, line_height * len(lines) + LINE_GAP), WHITE)
    draw = ImageDraw.Draw(block)
    for index, line in enumerate(lines):
        draw.text((0, index * line_height), line, font=face, fill=color)
    return block


def _left(item_width: int, paper_width: int, align: str) -> int:
    spare = max(paper_width - item_width, 0)
    return {"left": 0, "center": spare // 2, "right": spare}[align]
