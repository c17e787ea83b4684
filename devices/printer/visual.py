"""Text in the order and the shapes a reader sees, for a printer that prints left to right.

Hebrew and Arabic are stored first letter first (logical order); a printer puts
down whatever it gets left to right. So a line that holds right-to-left letters
is reordered by the Unicode bidirectional algorithm (python-bidi) once it has
been wrapped, as the algorithm requires: lines are broken in logical order.
Before that, Arabic letters take the form their neighbours call for (initial,
medial, final, isolated: Unicode's presentation forms, chosen by arabic-reshaper),
since neither a code page nor a font drawn without a shaping engine joins them.

Vowel points over and under right-to-left letters (Hebrew niqqud, Arabic
harakat) are left out: no code page has them, names are written without them
every day, and drawn after reordering they would sit on the wrong letter.

Wide characters (CJK, most emoji) take two cells, as in a terminal; `cells`,
`wrap` and `pad` count in cells so such lines fit the paper.
"""

from __future__ import annotations

import textwrap
import unicodedata
from functools import cache
from typing import Any

_RTL = ("R", "AL")  # bidi classes of letters written right to left; AL is Arabic's


def shape(text: str) -> str:
    """`text` still in logical order, its Arabic letters in their joined forms."""
    if not any(unicodedata.bidirectional(c) in _RTL for c in text):
        return text
    text = _without_points(text)
    if any(unicodedata.bidirectional(c) == "AL" for c in text):
        text = _reshaper().reshape(text)
    return text


def visual(line: str) -> str:
    """One wrapped line in the order it is printed, left to right."""
    if not any(unicodedata.bidirectional(c) in _RTL for c in line):
        return line
    from bidi import get_display

    return str(get_display(line))


def cells(text: str) -> int:
    return sum(_char_cells(c) for c in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells, broken at spaces, and inside words that do not fit."""
    if cells(text) == len(text):
        return textwrap.wrap(text, width)  # the usual case: what the printer tests were laid out with
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        joined = f"{line} {word}" if line else word
        if cells(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        while cells(word) > width:  # CJK has no spaces: break between any two characters
            cut = _fitting(word, width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    return [*lines, line] if line else lines


def clip(text: str, width: int) -> str:
    return text[: _fitting(text, width)] if cells(text) > width else text


def pad(text: str, width: int) -> str:
    """`text` with spaces after it up to `width` cells."""
    return text + " " * max(0, width - cells(text))


def _fitting(text: str, width: int) -> int:
    """How many leading characters fit in `width` cells; at least one, so wrapping ends."""
    used = 0
    for index, char in enumerate(text):
        used += _char_cells(char)
        if used > width:
            return max(index, 1)
    return len(text)


def _char_cells(char: str) -> int:
    # A combining mark counts one: sent as text, a printer gives every character a cell
    # (CP1258 has Vietnamese tone marks), and a drawn line may have room to spare.
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _without_points(text: str) -> str:
    kept: list[str] = []
    after_rtl = False
    for char in text:
        if unicodedata.category(char) == "Mn":
            if after_rtl:
                continue
        else:
            after_rtl = unicodedata.bidirectional(char) in _RTL
        kept.append(char)
    return "".join(kept)


@cache
def _reshaper() -> Any:
    import arabic_reshaper

    # Off: the one-glyph word "Allah" (U+FDF2), which neither CP864 nor DejaVu has.
    # The lam-alef ligatures, which every Arabic reader expects, both have.
    return arabic_reshaper.ArabicReshaper(configuration={"ARABIC LIGATURE ALLAH": False})
