"""One line of text drawn as the image a printer gets when its code pages lack a letter.

Drawn at the printer's own cell size, so it lines up with the text around it:
DejaVu Sans Mono's advance is one cell, a wide character (CJK, emoji) from a
fallback font fills two. The text arrives in visual order and shaped
(visual.py); a character no installed font has is replaced by its stand-in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageDraw

from frontdesk.devices.printer.blocks import Align
from frontdesk.devices.printer.fonts import Face, Glyphs, stand_in, system_glyphs
from frontdesk.devices.printer.visual import cells

FONT_A_CELL_HEIGHT = 24  # dots, at 203 dpi; the same on 58 and 80 mm printers
MONO_ADVANCE = 0.6021  # DejaVu Sans Mono's advance width per point of size
# Dots left blank below the line: a raster image has no line spacing of its own, and
# without them a drawn line touches the printed one after it.
LINE_GAP = 6


def line_image(
    text: str,
    *,
    pixels: int,
    cell_width: float,
    align: Align = "left",
    bold: bool = False,
    underline: bool = False,
    width: int = 1,
    height: int = 1,
    glyphs: Glyphs | None = None,
) -> Image.Image:
    """`text` drawn on a strip `pixels` wide, in GS ! `width` x `height` sized cells."""
    glyphs = glyphs or system_glyphs()
    cell_height = FONT_A_CELL_HEIGHT * height
    narrow = min(round(cell_width * width / MONO_ADVANCE), cell_height)  # one advance is one cell
    box = 2 * cell_width * width  # a wide character's two cells
    text = "".join(c if glyphs.has(c) else stand_in(c) for c in text)
    pieces = _pieces(text, glyphs, bold, narrow, min(int(box), cell_height), box)
    text_width = math.ceil(sum(piece.advance for piece in pieces))
    image = Image.new("1", (max(pixels, text_width), cell_height + LINE_GAP), 1)
    draw = ImageDraw.Draw(image)
    start = {"left": 0, "center": (image.width - text_width) / 2, "right": image.width - text_width}[align]
    x = start
    for piece in pieces:
        font = piece.face.font
        # A wide glyph narrower than its two cells (many emoji) is centred in them.
        left = x + (piece.advance - font.getlength(piece.text)) / 2 if piece.wide else x
        stroke = 1 if piece.face.fake_bold else 0
        draw.text((left, cell_height / 2), piece.text, font=font, fill=0, anchor="lm", stroke_width=stroke, stroke_fill=0)
        x += piece.advance
    if underline:
        draw.line((start, cell_height - 2, start + text_width, cell_height - 2), fill=0, width=2)
    if image.width > pixels:
        # Letters of a proportional fallback (Hebrew on a profile without a Hebrew page) or long
        # stand-ins can be wider than their cells: squeezed, nothing is cut off.
        image = image.resize((pixels, image.height))
    return image


@dataclass(frozen=True)
class _Piece:
    text: str
    face: Face
    advance: float
    wide: bool


def _pieces(text: str, glyphs: Glyphs, bold: bool, narrow: int, wide: int, box: float) -> list[_Piece]:
    """What to draw: a wide character (CJK, emoji) on its own, two cells wide; the rest in
    runs of one face, as wide as the face makes them, so that Arabic letters drawn together join."""
    pieces: list[_Piece] = []
    for char in text:
        if cells(char) == 2 and not glyphs.in_mono(char):
            pieces.append(_Piece(char, glyphs.face(char, wide, bold), box, wide=True))
            continue
        face = glyphs.face(char, narrow, bold)
        run = pieces[-1].text + char if pieces and pieces[-1].face == face and not pieces[-1].wide else None
        if run is not None:
            pieces[-1] = _Piece(run, face, face.font.getlength(run), wide=False)
        else:
            pieces.append(_Piece(char, face, face.font.getlength(char), wide=False))
    return pieces
