"""The on-screen keyboard: the letters of English, Romanian, German, French and Polish.

Two pages keep the keys a finger wide on an 800x480 screen: the plain letters, and the
letters with diacritics (ă â î ș ț, ä ö ü ß, é è ê ç à ..., ą ć ę ł ń ó ś ź ż). The accent
page goes back to the letters after one key, as phone keyboards do. A numeric layout serves
PIN and amount entry.
"""

from __future__ import annotations

from collections.abc import Callable

from kivy.properties import ObjectProperty
from kivy.uix.boxlayout import BoxLayout

from frontdesk.kiosk.widgets.common import STYLES, KButton, TextField
from frontdesk.kiosk.widgets.keys import (
    ACCENT_ROWS,
    ACCENTS,
    BACKSPACE,
    DIGITS,
    LETTER_ROWS,
    LETTERS,
    NUMPAD_ROWS,
    SHIFT,
    SPACE,
    capital,
)
from frontdesk.kiosk.widgets.theme import u


class TouchKeyboard(BoxLayout):
    """Types into `target` (a TextField); `on_enter` runs for the Enter key when given."""

    target = ObjectProperty(None, allownone=True)

    def __init__(self, on_enter: Callable[[], None] | None = None, numeric: bool = False, **kwargs) -> None:
        super().__init__(orientation="vertical", spacing=u(5), **kwargs)
        self.on_enter = on_enter
        self.numeric = numeric
        self.shifted = False
        self.page = LETTERS
        self.keys: dict[str, KButton] = {}
        self.bind(target=lambda *_: self._auto_shift())
        self._build()

    def _build(self) -> None:
        """Creates the keys once; page and shift changes only relabel them: cheaper, and the
        keys stay where they are (a finger, or a test's touch, lands on the key it aims at)."""
        self.clear_widgets()
        self.keys, self._letter_slots = {}, []
        if self.numeric:
            for keys in NUMPAD_ROWS:
                self._row([(key, key, 1) for key in keys])
            self._row([(BACKSPACE, "⌫", 1), ("0", "0", 1), ("enter", "OK", 1)])
            return
        self._row([(key, key, 1) for key in DIGITS])
        self._row([(key, key, 1) for key in LETTER_ROWS[0]], letters=True)
        self._row([(key, key, 1) for key in LETTER_ROWS[1]], letters=True)
        self._row([(SHIFT, "⇧", 1.5)] + [(key, key, 1) for key in LETTER_ROWS[2]] + [(BACKSPACE, "⌫", 1.5)],
                  letters=True)
        self._row([(ACCENTS, "ăéß", 1.5), ("@", "@", 1), (SPACE, "", 5), (".", ".", 1), (",", ",", 1)])
        self._relabel()

    def _relabel(self) -> None:
        """Shows the current page and case on the letter keys (and the page toggle)."""
        rows = LETTER_ROWS if self.page == LETTERS else ACCENT_ROWS
        letters = "".join(rows)
        for slot, key in zip(self._letter_slots, letters):
            old = slot.key
            if self.keys.get(old) is slot:
                del self.keys[old]
            slot.key, slot.ref, slot.text = key, f"key:{key}", self._face(key)
            self.keys[key] = slot
        toggle = self.keys.pop(ACCENTS, None) or self.keys.pop(LETTERS)
        toggle.key = ACCENTS if self.page == LETTERS else LETTERS
        toggle.ref, toggle.text = f"key:{toggle.key}", "ăéß" if self.page == LETTERS else "abc"
        self.keys[toggle.key] = toggle
        self.keys[SHIFT].background = (0.7, 0.82, 0.95, 1) if self.shifted else STYLES["secondary"][0]

    def _face(self, key: str) -> str:
        return capital(key) if self.shifted else key

    def _row(self, keys: list[tuple[str, str, float]], letters: bool = False) -> None:
        box = BoxLayout(orientation="horizontal", spacing=u(5))
        for key, face, width in keys:
            style = "primary" if key == "enter" else "secondary" if key in (SHIFT, BACKSPACE, ACCENTS) else "key"
            button = KButton(style=style, ref=f"key:{key}", text=face, kind="key", size_hint_x=width,
                             font_name="DejaVuSans" if key in (BACKSPACE, SHIFT) else "Roboto")
            button.key = key
            button.bind(on_release=lambda b: self.press(b.key))
            self.keys[key] = button
            if letters and key not in (SHIFT, BACKSPACE):
                self._letter_slots.append(button)
            box.add_widget(button)
        self.add_widget(box)

    def press(self, key: str) -> None:
        """What a tap on `key` does; also used for a USB keyboard's special keys."""
        if key == SHIFT:
            self._set_shift(not self.shifted)
        elif key in (ACCENTS, LETTERS):
            self.page = key
            self._relabel()
        elif key == "enter":
            if self.on_enter:
                self.on_enter()
        elif self.target is None:
            return
        elif key == BACKSPACE:
            self.target.backspace()
            self._auto_shift()
        else:
            self.target.type_text(" " if key == SPACE else self._face(key))
            if self.page == ACCENTS:
                self.page = LETTERS
                self._relabel()
            self._auto_shift()

    def _set_shift(self, shifted: bool) -> None:
        if shifted != self.shifted:
            self.shifted = shifted
            self._relabel()

    def _auto_shift(self) -> None:
        """Capitals at the start of each word of a name; lower case after one letter."""
        target = self.target
        if self.numeric:
            return
        wants_capital = isinstance(target, TextField) and target.capitalize and (
            not target.text or target.text[-1] in " -'")
        self._set_shift(bool(wants_capital))

    def reset(self) -> None:
        self.page = LETTERS
        self.shifted = False
        if not self.numeric:
            self._relabel()
        self._auto_shift()


def keyboard_height() -> float:
    return u(262)


