"""The touch keyboard's keys, as data (kiosk/widgets/keyboard.py draws them).

Two pages of the same shape, so a page switch only relabels the keys: the plain letters,
and the letters with diacritics of Romanian, German, French and Polish.
"""

from __future__ import annotations

DIGITS = "1234567890"
LETTER_ROWS = ("qwertyuiop", "asdfghjkl-", "zxcvbnm'")
ACCENT_ROWS = ("ăâîșțäöüßé", "èêçàąćęłńó", "śźżëïôûù")
NUMPAD_ROWS = ("123", "456", "789")
SHIFT, BACKSPACE, SPACE, ACCENTS, LETTERS = "shift", "backspace", "space", "accents", "letters"


def capital(key: str) -> str:
    """What a key types with shift. ß stays ß: names never start with it, and the capital ẞ
    is missing from the kiosk's font (Roboto as shipped with Kivy)."""
    return key if key == "ß" else key.upper()
