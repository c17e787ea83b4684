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

from kiosk.widgets.common import KButton, TextField
from kiosk.widgets.theme import u

DIGITS = "1234567890"
LETTER_ROWS = ("qwertyuiop", "asdfghjkl-", "zxcvbnm'")
ACCENT_ROWS = ("ăâîșțäöüßé", "èêçàąćęłńó", "śźżëïôûù")
SHIFT, BACKSPACE, SPACE, ACCENTS, LETTERS = "shift", "backspace", "space", "accents", "letters"
NUMPAD_ROWS = ("123", "456", "789")


def all_letters() -> str:
    return "".join(LETTER_ROWS + ACCENT_ROWS)


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
        self.clear_widgets()
        self.keys = {}
        if self.numeric:
            for keys in NUMPAD_ROWS:
                self._row([(key, key, 1) for key in keys])
            self._row([(BACKSPACE, "⌫", 1), ("0", "0", 1), ("enter", "OK", 1)])
            return
        rows = LETTER_ROWS if self.page == LETTERS else ACCENT_ROWS
        self._row([(key, key, 1) for key in DIGITS])
        self._row([(key, self._face(key), 1) for key in rows[0]])
        self._row([(key, self._face(key), 1) for key in rows[1]])
        self._row([(SHIFT, "⇧", 1.5)] + [(key, self._face(key), 1) for key in rows[2]] + [(BACKSPACE, "⌫", 1.5)])
        toggle = (ACCENTS, "ăéß", 1.5) if self.page == LETTERS else (LETTERS, "abc", 1.5)
        self._row([toggle, ("@", "@", 1), (SPACE, "", 5), (".", ".", 1), (",", ",", 1)])

    def _face(self, key: str) -> str:
        if key == "ß":
            return "ẞ" if self.shifted else "ß"
        return key.upper() if self.shifted else key

    def _row(self, keys: list[tuple[str, str, float]]) -> None:
        box = BoxLayout(orientation="horizontal", spacing=u(5))
        for key, face, width in keys:
            style = "secondary" if key in (SHIFT, BACKSPACE, ACCENTS, LETTERS, "enter") else "key"
            button = KButton(style=style, ref=f"key:{key}", text=face, kind="key", size_hint_x=width,
                             font_name="DejaVuSans" if key in (BACKSPACE, SHIFT) else "Roboto")
            if key == SHIFT and self.shifted:
                button.background = (0.7, 0.82, 0.95, 1)
            button.bind(on_release=lambda _, k=key: self.press(k))
            self.keys[key] = button
            box.add_widget(button)
        self.add_widget(box)

    def press(self, key: str) -> None:
        """What a tap on `key` does; also used for a USB keyboard's special keys."""
        if key == SHIFT:
            self._set_shift(not self.shifted)
        elif key in (ACCENTS, LETTERS):
            self.page = key
            self._build()
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
                self._build()
            self._auto_shift()

    def _set_shift(self, shifted: bool) -> None:
        if shifted != self.shifted:
            self.shifted = shifted
            self._build()

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
        self._build()
        self._auto_shift()


def keyboard_height() -> float:
    return u(262)


def numpad_height() -> float:
    return u(250)


