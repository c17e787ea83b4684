"""ESC/POS protocol state machine: bytes in, printed elements, errors and replies out.

No I/O here; the transports in server.py feed it. Commands may arrive split at any
byte boundary: incomplete ones wait in a pending buffer for the rest.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

from PIL import Image

from . import format_commands, output_commands
from .codepages import PrinterProfile, high_half, load_profile
from .commands import Command, parse_command
from .elements import Element, Feed, RasterImage
from .errors import CommandError
from .format_commands import DEFAULT_LINE_SPACING
from .state import PrinterState, StateSnapshot
from .status import realtime_status
from .symbols import QrSettings
from .textline import LineBuffer, TextStyle

MAX_ERRORS = 200  # garbage fed as text would otherwise give one error per byte
REALTIME_COMMANDS = {"DLE EOT", "DLE ENQ"}  # answered even when the printer is not printing

Handler = Callable[["EscPosMachine", Command, int, StateSnapshot], bytes | None]


class EscPosMachine:
    def __init__(self, profile: str = "TM-T20II", state: PrinterState | None = None) -> None:
        self.profile: PrinterProfile = load_profile(profile)
        self.state = state if state is not None else PrinterState()
        self.elements: list[Element] = []
        self.errors: list[str] = []
        self.overflows: list[str] = []
        self.received = bytearray()
        self.dropped_bytes = 0
        self.asb_enabled = False
        self.suppressed_errors = 0
        self._pending = bytearray()
        self._pending_offset = 0  # offset of _pending[0] within `received`
        self.reset_modes()

    def reset_modes(self) -> None:
        """Power-on state of everything ESC @ resets."""
        self.style = TextStyle()
        self.align = "left"
        self.code_page = 0
        self.line_spacing = DEFAULT_LINE_SPACING
        self.tab_stops: tuple[int, ...] = ()
        self.barcode_height, self.barcode_width = 162, 3
        self.hri_position, self.hri_font = "none", 0
        self.qr = QrSettings()
        self.stored_graphics: Image.Image | None = None
        self.line = LineBuffer(self.profile)
        self.column_stripe: RasterImage | None = None  # ESC * data waiting for its LF

    # -- feeding ---------------------------------------------------------------

    def feed(self, data: bytes) -> bytes:
        """Consume bytes; returns what the printer sends back (status replies)."""
        self.received += data
        self._pending += data
        replies = bytearray()
        position = 0
        while position < len(self._pending):
            command = parse_command(self._pending, position)
            if command is None:
                break
            state = self.state.snapshot()
            replies += self._execute(command, self._pending_offset + position, state)
            position += len(command.raw)
        del self._pending[:position]
        self._pending_offset += position
        return bytes(replies)

    def _execute(self, command: Command, offset: int, state: StateSnapshot) -> bytes:
        if command.problem:
            self.error(offset, command.problem)
        printable = command.name not in REALTIME_COMMANDS
        if printable and not (state.ready and self.state.use_paper(len(command.raw))):
            self.dropped_bytes += len(command.raw)
            return b""
        if command.problem:
            return b""
        handler = COMMAND_HANDLERS.get(command.name)
        if handler is None:
            self.error(offset, f"{command.name} is not simulated")
            return b""
        try:
            return handler(self, command, offset, state) or b""
        except CommandError as problem:
            self.error(offset, str(problem))
            return b""

    def error(self, offset: int, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(f"offset {offset}: {message}")
        else:
            self.suppressed_errors += 1

    # -- what a reader wants ---------------------------------------------------

    @property
    def pending_text(self) -> str:
        """Text received but not printed yet: no LF (or ESC d, or cut) after it."""
        return self.line.text

    def text_rendering(self) -> str:
        from .textview import text_rendering

        return text_rendering(self)

    def png_rendering(self, path: str | Path) -> Path:
        from .render import png_rendering

        return png_rendering(self, path)

    # -- helpers for command handlers -------------------------------------------

    def print_line(self) -> None:
        """LF: print the line buffer; an empty one prints a blank line."""
        had_stripe = self.column_stripe is not None
        self.emit_column_stripe()
        if not (had_stripe and self.line.is_empty):
            self.elements.append(self.line.flush())

    def flush_line(self) -> None:
        """Print the line buffer only if something is in it (ESC d, ESC J, cut)."""
        self.emit_column_stripe()
        if not self.line.is_empty:
            self.elements.append(self.line.flush())

    def emit_column_stripe(self) -> None:
        stripe, self.column_stripe = self.column_stripe, None
        if stripe is None:
            return
        # python-escpos sends a picture as one ESC * stripe per line; show it whole.
        previous = self.elements[-1] if self.elements else None
        if isinstance(previous, RasterImage) and previous.source == "column" and previous.size[0] == stripe.size[0]:
            self.elements[-1] = RasterImage(_stacked(previous, stripe), "column", previous.align)
        else:
            self.elements.append(stripe)

    def require_empty_line(self, command: str) -> None:
        if not self.line.is_empty:
            raise CommandError(
                f"{command} ignored: text {self.line.text!r} is waiting in the line buffer (send LF first)"
            )

    def decode_text(self, raw: bytes, offset: int) -> str:
        if raw.isascii() and b"\x7f" not in raw:
            return raw.decode("ascii")
        page = self.profile.code_pages[self.code_page]
        table = high_half(page)
        chars = []
        for index, byte in enumerate(raw):
            char = chr(byte) if 0x20 <= byte <= 0x7E else (table[byte - 0x80] if byte >= 0x80 else None)
            if char is None:
                self.error(offset + index, f"byte 0x{byte:02x} has no character in code page {self.code_page} ({page})")
                char = "\ufffd"
            chars.append(char)
        return "".join(chars)


def _stacked(top: RasterImage, bottom: RasterImage) -> Image.Image:
    image = Image.new("1", (top.size[0], top.size[1] + bottom.size[1]), 1)
    image.paste(top.image, (0, 0))
    image.paste(bottom.image, (0, top.size[1]))
    return image


# -- text, feeds, reset and real-time commands; the rest are in *_commands.py ------


def _text(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    text = machine.decode_text(command.raw, offset)
    already_wrapped = machine.line.overflowed
    wrapped, wrap_index = machine.line.add(text, machine.style, machine.align)
    if wrapped and not already_wrapped:
        machine.overflows.append(
            f"offset {offset + wrap_index}: text wider than the paper "
            f"({machine.profile.columns} columns of font A); the printer wraps after {wrapped[0].text!r}"
        )
    machine.elements.extend(wrapped)


def _line_feed(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    machine.print_line()


def _tab(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    wrapped, _ = machine.line.tab(machine.style, machine.align, machine.tab_stops)
    machine.elements.extend(wrapped)


def _print_and_feed_lines(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    machine.flush_line()
    if command.params[0]:
        machine.elements.append(Feed(command.params[0]))


def _print_and_feed_dots(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    machine.flush_line()
    dots = command.params[0]
    if dots:
        machine.elements.append(Feed(math.ceil(dots / max(machine.line_spacing, 1))))


def _initialize(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    lost = machine.line.discard()
    machine.reset_modes()
    if lost:
        raise CommandError(f"ESC @ discarded unprinted text {lost!r} (no LF before it)")


def _select_code_page(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    number = command.params[0]
    if number not in machine.profile.code_pages:
        raise CommandError(f"ESC t {number}: {machine.profile.name} has no code page {number}")
    machine.code_page = number


def _realtime_status(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> bytes:
    request = command.params[0]
    if not 1 <= request <= 4:
        raise CommandError(f"DLE EOT {request}: only 1..4 are status requests")
    return bytes([realtime_status(request, state)]) if state.answers_status else b""


def _realtime_request(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    if command.params[0] not in (1, 2):
        raise CommandError(f"DLE ENQ {command.params[0]}: only 1 and 2 are defined")


def _ignore(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    """CR: the print position is already at the start of the line after LF."""


COMMAND_HANDLERS: dict[str, Handler] = {
    "TEXT": _text,
    "LF": _line_feed,
    "CR": _ignore,
    "HT": _tab,
    "ESC @": _initialize,
    "ESC d": _print_and_feed_lines,
    "ESC J": _print_and_feed_dots,
    "ESC t": _select_code_page,
    "DLE EOT": _realtime_status,
    "DLE ENQ": _realtime_request,
    **format_commands.HANDLERS,
    **output_commands.HANDLERS,
}
