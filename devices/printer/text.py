"""Making text from people safe and printable in the printer's code pages.

The rules for what text may carry (`refused_characters`, `is_blank`, `sanitize`) are
shared with the request models and live in contract/text.py; they are re-exported here.
`Transliterator` decides, per character, how it reaches paper: as is (some code page of
the profile has it), folded to the nearest glyph a code page has (Romanian comma-below
ș ț -> cedilla ş ţ, typographic quotes -> ASCII), or not at all, in which case the
caller prints that line as an image.
"""

from __future__ import annotations

from functools import cache

from escpos.magicencode import Encoder

from frontdesk.contract.text import is_blank, refused_characters, sanitize  # noqa: F401 - re-exported

# Nearest glyphs, used only when no code page of the profile has the original.
# Romanians read the cedilla forms without trouble (they were the only forms in
# legacy code pages for years); the rest are typography with a plain equivalent.
FOLDS = {
    "Ș": "Ş", "ș": "ş", "Ț": "Ţ", "ț": "ţ",
    "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
    "–": "-", "—": "-", "‑": "-", "…": "...", "•": "*", "€": "EUR",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
}


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
