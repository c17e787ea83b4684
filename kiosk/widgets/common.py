"""The kiosk's basic widgets: flat buttons with big targets, wrapping text, text fields.

Every widget a test (or a person reading the code) needs to find carries a `ref`: a stable,
language-independent name such as "welcome.sign_in".
"""

from __future__ import annotations

from kivy.graphics import Color, Line, Rectangle, RoundedRectangle
from kivy.properties import ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.textinput import TextInput

from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.theme import font, u

STYLES = {
    "primary": (theme.PRIMARY, theme.PRIMARY_TEXT),
    "secondary": (theme.SECONDARY, theme.TEXT),
    "danger": (theme.DANGER, theme.PRIMARY_TEXT),
    "success": (theme.SUCCESS, theme.PRIMARY_TEXT),
    "key": (theme.KEY, theme.TEXT),
    "quiet": (theme.BACKGROUND, theme.MUTED),
}


class Text(Label):
    """A label that wraps to its width and never spills out of its box."""

    ref = StringProperty("")

    def __init__(self, kind: str = "body", color=theme.TEXT, halign: str = "left", **kwargs) -> None:
        kwargs.setdefault("font_size", font(kind))
        super().__init__(color=color, halign=halign, valign=kwargs.pop("valign", "middle"), **kwargs)
        if kind in ("title", "heading", "huge"):
            self.bold = True
        self.bind(size=self._wrap)
        self.shorten_from = "right"

    def _wrap(self, *_) -> None:
        self.text_size = (self.width, self.height)


class KButton(ButtonBehavior, Label):
    """A flat, rounded button; `style` picks its colours (see STYLES)."""

    ref = StringProperty("")
    background = ColorProperty(theme.PRIMARY)

    def __init__(self, style: str = "primary", ref: str = "", kind: str = "button", **kwargs) -> None:
        background, text_colour = STYLES[style]
        kwargs.setdefault("font_size", font(kind))
        super().__init__(ref=ref, color=text_colour, halign="center", valign="middle", **kwargs)
        self.style = style
        self.background = background
        with self.canvas.before:
            self._fill = Color(*background)
            self._shape = RoundedRectangle(radius=[u(10)])
            self._edge_colour = Color(*theme.BORDER)
            self._edge = Line(width=1)
        self.bind(pos=self._redraw, size=self._redraw, state=self._redraw, disabled=self._redraw,
                  background=self._redraw)

    def _redraw(self, *_) -> None:
        self.text_size = (self.width - u(12), self.height)
        red, green, blue, alpha = self.background
        if self.state == "down":
            red, green, blue = red * 0.8, green * 0.8, blue * 0.8
        self._fill.rgba = (red, green, blue, 0.35 if self.disabled else alpha)
        self._shape.pos, self._shape.size = self.pos, self.size
        self._shape.radius = [min(u(10), self.height / 3)]
        show_edge = self.style in ("key", "secondary", "quiet")
        self._edge_colour.a = 1 if show_edge and self.style != "quiet" else 0
        self._edge.rounded_rectangle = (self.x, self.y, self.width, self.height, min(u(10), self.height / 3))


class TextField(TextInput):
    """A one-line field the touch keyboard (or a USB keyboard or scanner) types into.

    It never takes the system keyboard focus: the app routes typing to the active field
    itself, so a tap elsewhere on the screen cannot lose what a scanner is typing.
    """

    ref = StringProperty("")

    def __init__(self, ref: str = "", max_length: int = 120, capitalize: bool = False, **kwargs) -> None:
        kwargs.setdefault("font_size", font("heading"))
        super().__init__(ref=ref, multiline=False, write_tab=False, is_focusable=False,
                         background_color=theme.SURFACE, foreground_color=theme.TEXT,
                         cursor_color=theme.PRIMARY, background_normal="", background_active="",
                         background_disabled_normal="", **kwargs)
        self.max_length = max_length
        self.capitalize = capitalize  # the keyboard starts each word with a capital
        self.on_activate = None  # set by screens with several fields
        with self.canvas.after:
            Color(*theme.BORDER)
            self._edge = Line(width=1.2)
        self.bind(size=self._centre_text, pos=self._centre_text)

    def _centre_text(self, *_) -> None:
        self._edge.rectangle = (self.x, self.y, self.width, self.height)
        pad_y = max(0, (self.height - self.line_height) / 2)
        self.padding = [u(12), pad_y, u(12), pad_y]

    def on_touch_down(self, touch) -> bool:
        """A tap makes this the field the keyboard types into (see `on_activate`)."""
        if self.collide_point(*touch.pos) and self.on_activate is not None:
            self.on_activate(self)
            return True
        return super().on_touch_down(touch)

    def type_text(self, text: str) -> None:
        text = text.replace("\n", " ").replace("\r", "")
        self.text = (self.text + text)[: self.max_length]

    def backspace(self) -> None:
        self.text = self.text[:-1]


class Panel(BoxLayout):
    """A box with a plain background, for headers and lists."""

    def __init__(self, colour=theme.SURFACE, **kwargs) -> None:
        super().__init__(**kwargs)
        with self.canvas.before:
            Color(*colour)
            self._rect = Rectangle()
        self.bind(pos=self._redraw, size=self._redraw)

    def _redraw(self, *_) -> None:
        self._rect.pos, self._rect.size = self.pos, self.size


def row(*children, height: float | None = None, spacing: float | None = None, **kwargs) -> BoxLayout:
    """A horizontal box of the children; fixed height when given."""
    box = BoxLayout(orientation="horizontal", spacing=u(8) if spacing is None else spacing, **kwargs)
    if height is not None:
        box.size_hint_y, box.height = None, height
    for child in children:
        box.add_widget(child)
    return box


def column(*children, spacing: float | None = None, **kwargs) -> BoxLayout:
    box = BoxLayout(orientation="vertical", spacing=u(8) if spacing is None else spacing, **kwargs)
    for child in children:
        box.add_widget(child)
    return box
