"""A pad the visitor signs on with a finger; the drawing is kept as a PNG with the visit."""

from __future__ import annotations

import io

from kivy.graphics import Color, Line, Rectangle
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.widget import Widget

from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.theme import u


class SignaturePad(Widget):
    ref = StringProperty("signature.pad")
    signed = BooleanProperty(False)  # true once the strokes are long enough to be a signature

    MIN_INK = 40  # pixels of stroke; a stray tap is not a signature

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._ink = 0.0
        with self.canvas.before:
            Color(*theme.SURFACE)
            self._paper = Rectangle()
            Color(*theme.BORDER)
            self._frame = Line(width=1.2)
            self._baseline = Line(width=1)
        self.bind(pos=self._redraw, size=self._redraw)

    def _redraw(self, *_) -> None:
        self._paper.pos, self._paper.size = self.pos, self.size
        self._frame.rectangle = (self.x, self.y, self.width, self.height)
        self._baseline.points = [self.x + u(20), self.y + self.height * 0.25,
                                 self.right - u(20), self.y + self.height * 0.25]

    def on_touch_down(self, touch) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        touch.grab(self)
        with self.canvas:
            Color(0.05, 0.1, 0.35, 1)
            touch.ud["signature_line"] = Line(points=[*touch.pos], width=u(2.2))
        return True

    def on_touch_move(self, touch) -> bool:
        if touch.grab_current is not self or "signature_line" not in touch.ud:
            return False
        x = min(max(touch.x, self.x), self.right)
        y = min(max(touch.y, self.y), self.top)
        line = touch.ud["signature_line"]
        last_x, last_y = line.points[-2:]
        self._ink += abs(x - last_x) + abs(y - last_y)
        line.points += [x, y]
        self.signed = self._ink >= self.MIN_INK
        return True

    def on_touch_up(self, touch) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            return True
        return False

    def clear(self) -> None:
        self.canvas.clear()
        self._ink = 0.0
        self.signed = False

    def png(self) -> bytes:
        """The signature as drawn (black on white), as PNG bytes."""
        from PIL import Image

        texture = self.export_as_image().texture
        image = Image.frombytes("RGBA", texture.size, texture.pixels).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        out = io.BytesIO()
        image.convert("L").save(out, format="PNG", optimize=True)
        return out.getvalue()
