"""Fonts that draw text as an image (printer fallback, simulator renderings).

DejaVu Sans Mono comes first: its cells line up with the printer's own characters.
What it lacks is looked up in `FALLBACKS`, in order. Each file there comes with a
small Debian package that .ci/bootstrap installs (docs/deploy.md); a missing one is
skipped, and the characters only it has get `stand_in` text instead of a box.

Every font is loaded with Pillow's basic layout: the text handed to it is already
in visual order and shaped (devices/printer/visual.py). Raqm, where Pillow has it,
would reorder right-to-left text a second time.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)
_FALLBACK_DIRS = (
    Path("/usr/share/fonts/truetype"),
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
)


@dataclass(frozen=True)
class Fallback:
    regular: str  # path below one of _FALLBACK_DIRS
    bold: str | None  # None: drawn with a thicker outline instead
    package: str  # the Debian package that has the file


FALLBACKS = (
    Fallback("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf", "fonts-dejavu-core"),  # Hebrew
    Fallback("wqy/wqy-microhei.ttc", None, "fonts-wqy-microhei"),  # Chinese, Japanese, Korean; 1.6 MB
    # Emoji as black outlines, which a thermal head prints well; colour emoji fonts are
    # bitmaps at one size that turn to grey noise when dithered (and ten times as large).
    Fallback("ancient-scripts/Symbola_hint.ttf", None, "fonts-symbola"),
)


def font_path(bold: bool = False) -> Path:
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    for folder in _FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise RuntimeError(
        f"font {name} not found; install the Debian package fonts-dejavu-core"
    )


@cache
def mono_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return _face(font_path(bold), size)


@dataclass(frozen=True)
class Face:
    font: ImageFont.FreeTypeFont
    fake_bold: bool  # the font has no bold cut: thicken the outline instead


class Glyphs:
    """Which installed font draws which character."""

    def __init__(self, fallbacks: tuple[Fallback, ...] = FALLBACKS) -> None:
        self._fallbacks = fallbacks
        self._known: dict[str, Fallback | None] = {}

    def has(self, char: str) -> bool:
        return self.in_mono(char) or self._fallback_for(char) is not None

    def face(self, char: str, size: int, bold: bool = False) -> Face:
        """The face to draw `char` in: DejaVu Sans Mono, or the first fallback that has it.

        A character no font has gets DejaVu Sans Mono (a box); callers that care use `has`."""
        fallback = None if self.in_mono(char) else self._fallback_for(char)
        regular = _installed(fallback.regular) if fallback else None
        if fallback is None or regular is None:
            # The bold cut lacks a few rare symbols the regular one has.
            thick = bold and (ord(char) < 0x7F or ord(char) in _cmap(font_path(True)))
            return Face(mono_font(size, thick), fake_bold=bold and not thick)
        path = _installed(fallback.bold) if bold and fallback.bold else None
        if path is not None and ord(char) in _cmap(path):
            return Face(_face(path, size), fake_bold=False)
        return Face(_face(regular, size), fake_bold=bold)

    def in_mono(self, char: str) -> bool:
        """Whether DejaVu Sans Mono has it: drawn one cell wide, like the printer's own letters."""
        # font_path is asked every time so that a missing DejaVu is reported, not cached away.
        path = font_path()
        return ord(char) < 0x7F or ord(char) in _cmap(path)

    def _fallback_for(self, char: str) -> Fallback | None:
        if char not in self._known:
            self._known[char] = next(
                (f for f in self._fallbacks if (p := _installed(f.regular)) and ord(char) in _cmap(p)), None
            )
        return self._known[char]


@cache
def system_glyphs() -> Glyphs:
    return Glyphs()


def stand_in(char: str) -> str:
    """What is printed for a character that neither a code page nor an installed font has.

    An ASCII transliteration (李 -> "Li", 😀 -> ":grinning:"); marks that have none, such
    as emoji variation selectors, are left out; anything else is "?"."""
    from anyascii import anyascii

    text = anyascii(char)
    if text:
        return text
    return "" if unicodedata.category(char).startswith("M") else "?"


def _installed(relative: str) -> Path | None:
    return next((folder / relative for folder in _FALLBACK_DIRS if (folder / relative).is_file()), None)


@cache
def _cmap(path: Path) -> frozenset[int]:
    """The code points the font maps to a glyph (a damaged file maps none)."""
    from fontTools.ttLib import TTFont

    try:
        # fontNumber picks the first face of a collection (.ttc) and is ignored otherwise.
        with TTFont(path, fontNumber=0, lazy=True) as font:
            return frozenset(font.getBestCmap() or ())
    except Exception:  # noqa: BLE001 - whatever a damaged file makes fontTools raise must not stop a print
        return frozenset()


@cache
def _face(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), max(size, 1), index=0, layout_engine=ImageFont.Layout.BASIC)
