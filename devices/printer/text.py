"""Making text from people safe and printable in the printer's code pages.

Three jobs:
* `refused_characters` and `is_blank` are the rules a print request is checked
  against where it enters (agent/print_requests.py) and a document checks again
  when it is made (documents.py): one definition, so an accepted job prints.
* `sanitize` removes every control and format character, so a visitor named
  "Bob\\x1dV\\x00" cannot cut paper, kick the drawer or change settings.
* `Transliterator` decides, per character, how it reaches paper: as is (some
  code page of the profile has it), folded to the nearest glyph a code page has
  (Romanian comma-below ș ț -> cedilla ş ţ, typographic quotes -> ASCII), or not
  at all, in which case the caller prints that line as an image.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from escpos.magicencode import Encoder

# Nearest glyphs, used only when no code page of the profile has the original.
# Romanians read the cedilla forms without trouble (they were the only forms in
# legacy code pages for years); the rest are typography with a plain equivalent.
FOLDS = {
    "Ș": "Ş", "ș": "ş", "Ț": "Ţ", "ț": "ţ",
    "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "‑": "-", "…": "...", "•": "*", "€": "EUR",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
}

_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


# Whitespace a field may carry (typed or pasted); `sanitize` turns it into single spaces.
_WHITESPACE = "\t\r\n"


def refused_characters(text: str) -> list[str]:
    """Characters a request may not carry, in order of first appearance.

    C0/C1 controls (ESC, GS, DLE, CSI, ...) other than tab and line breaks are what a
    printer obeys as commands. `sanitize` would drop them, but a name that carries them
    is a sender's bug or an attack, so it is refused with a reason rather than printed
    silently changed. Lone surrogates (from JSON escapes) are no characters at all.
    Format, private-use and unassigned characters are harmless and just not printed.
    """
    found: dict[str, None] = {}
    for char in text:
        if char not in _WHITESPACE and unicodedata.category(char) in ("Cc", "Cs"):
            found[char] = None
    return list(found)


def is_blank(text: str) -> bool:
    """Whether nothing of the text would reach paper: empty, spaces, or only invisible characters."""
    return not sanitize(text)


def sanitize(text: str) -> str:
    """One printable line: control/format characters gone, whitespace runs single."""
    cleaned = []
    for char in unicodedata.normalize("NFC", str(text)):
        if char in "\t\r\n\v\f":
            cleaned.append(" ")
        elif unicodedata.category(char) not in _UNSAFE_CATEGORIES:
            cleaned.append(char)
    return " ".join("".join(cleaned).split())


class Transliterator:
    """Knows which characters a printer profile can print from its code pages."""

    def __init__(self, code_pages: dict[str, int]) -> None:
        # Profiles list pages python-escpos cannot encode to (no table); skip them.
        self._encoder = Encoder(code_pages)
        self._usable = [page for page in code_pages if _has_table(page)]
        self._known: dict[str, bool] = {}

    def can_print(self, char: str) -> bool:
        if ord(char) < 128:
            return True
        if char not in self._known:
            self._known[char] = any(self._encoder.can_encode(page, char) for page in self._usable)
        return self._known[char]

    def fold(self, text: str) -> str:
        """The text with unprintable characters replaced by their nearest glyph, if any."""
        return "".join(self._fold_char(c) for c in text)

    def unprintable(self, text: str) -> set[str]:
        """Characters that stay unprintable even after folding."""
        return {c for c in self.fold(text) if not self.can_print(c)}

    def _fold_char(self, char: str) -> str:
        if self.can_print(char) or char not in FOLDS:
            return char
        folded = FOLDS[char]
        return folded if all(self.can_print(c) for c in folded) else char


@cache
def _has_table(page: str) -> bool:
    from escpos.codepages import CodePages

    try:
        encoding = CodePages.get_encoding(page)
    except KeyError:
        return False
    return "data" in encoding or "python_encode" in encoding
