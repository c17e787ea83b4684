"""The print buffer for one line of text: runs of styled characters and wrapping."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .codepages import PrinterProfile
from .elements import TextLine, TextRun

DEFAULT_TAB_WIDTH = 8  # Epson's power-on tab stops: every 8 characters


@dataclass(frozen=True)
class TextStyle:
    """Character attributes in effect; ESC @ brings back these defaults."""

    emphasized: bool = False
    double_strike: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    font: int = 0
    invert: bool = False
    upside_down: bool = False
    char_spacing: int = 0  # extra dots right of each character (ESC SP)

    def run(self, text: str) -> TextRun:
        # Double-strike and emphasized look the same on a thermal head.
        return TextRun(
            text=text,
            bold=self.emphasized or self.double_strike,
            underline=self.underline,
            width=self.width,
            height=self.height,
            font=self.font,
            invert=self.invert,
        )

    def with_(self, **changes: Any) -> "TextStyle":
        return replace(self, **changes)


class LineBuffer:
    """Characters waiting for LF; wraps like a real printer when the paper is full."""

    def __init__(self, profile: PrinterProfile) -> None:
        self._profile = profile
        self._runs: list[TextRun] = []
        self._used = 0  # in profile.line_units
        self._align = "left"
        self.overflowed = False  # this logical line has wrapped at least once

    @property
    def is_empty(self) -> bool:
        return not self._runs

    @property
    def text(self) -> str:
        return "".join(run.text for run in self._runs)

    def add(self, text: str, style: TextStyle, align: str) -> tuple[list[TextLine], int]:
        """Buffer `text`; returns the lines wrapping pushed out and where the first wrap was."""
        wrapped: list[TextLine] = []
        first_wrap = -1
        for index, char in enumerate(text):
            units = self._char_units(style)
            if self._runs and self._used + units > self._profile.line_units:
                self.overflowed = True
                first_wrap = index if first_wrap < 0 else first_wrap
                wrapped.append(self._take_line())
            if not self._runs:
                self._align = align
            self._append(char, style)
            self._used += units
        return wrapped, first_wrap

    def tab(self, style: TextStyle, align: str, stops: tuple[int, ...]) -> tuple[list[TextLine], int]:
        """HT: spaces up to the next tab stop; ignored past the last stop, as Epson does."""
        cell = self._char_units(style)
        column = self._used // cell
        stops = stops or tuple(range(DEFAULT_TAB_WIDTH, 256, DEFAULT_TAB_WIDTH))
        target = next((stop for stop in stops if stop > column), None)
        if target is None or target * cell > self._profile.line_units:
            return [], -1
        return self.add(" " * (target - column), style, align)

    def flush(self) -> TextLine:
        """The buffered line (possibly empty), ending the logical line."""
        line = self._take_line()
        self.overflowed = False
        return line

    def discard(self) -> str:
        text = self.text
        self._runs, self._used, self.overflowed = [], 0, False
        return text

    def _take_line(self) -> TextLine:
        line = TextLine(tuple(self._runs), self._align)
        self._runs, self._used = [], 0
        return line

    def _append(self, char: str, style: TextStyle) -> None:
        run = style.run(char)
        last = self._runs[-1] if self._runs else None
        if last is not None and last == replace(run, text=last.text):
            self._runs[-1] = replace(last, text=last.text + char)
        else:
            self._runs.append(run)

    def _char_units(self, style: TextStyle) -> int:
        return self._profile.char_units(style.font, style.width, style.char_spacing)
