"""Commands that change how later text or barcodes look; they print nothing themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .commands import Command
from .errors import CommandError
from .state import StateSnapshot
from .status import transmitted_status
from .symbols import HRI_POSITIONS

if TYPE_CHECKING:
    from .machine import EscPosMachine, Handler

ALIGNMENTS = {0: "left", 1: "center", 2: "right"}
DEFAULT_LINE_SPACING = 30  # dots, as after ESC 2


def _digit(value: int) -> int:
    """Epson accepts many selectors both as 0, 1, 2 and as the ASCII digits '0', '1', '2'."""
    return value - 48 if value >= 48 else value


def _print_mode(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    bits = command.params[0]
    machine.style = machine.style.with_(
        font=bits & 0x01,
        emphasized=bool(bits & 0x08),
        height=2 if bits & 0x10 else 1,
        width=2 if bits & 0x20 else 1,
        underline=1 if bits & 0x80 else 0,
    )


def _character_size(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    size = command.params[0]
    width, height = (size >> 4) + 1, (size & 0x0F) + 1
    if width > 8 or height > 8:
        raise CommandError(f"GS ! 0x{size:02x}: width {width} and height {height} must both be 1..8")
    machine.style = machine.style.with_(width=width, height=height)


def _emphasized(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    machine.style = machine.style.with_(emphasized=bool(command.params[0] & 1))


def _double_strike(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    machine.style = machine.style.with_(double_strike=bool(command.params[0] & 1))


def _underline(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    thickness = _digit(command.params[0])
    if thickness not in (0, 1, 2):
        raise CommandError(f"ESC - {command.params[0]}: underline must be 0, 1, 2, 48, 49 or 50")
    machine.style = machine.style.with_(underline=thickness)


def _font(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    font = _digit(command.params[0])
    if font not in machine.profile.font_columns:
        raise CommandError(f"ESC M {command.params[0]}: {machine.profile.name} has no font {font}")
    machine.style = machine.style.with_(font=font)


def _justification(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    align = ALIGNMENTS.get(_digit(command.params[0]))
    if align is None:
        raise CommandError(f"ESC a {command.params[0]}: justification must be 0, 1, 2, 48, 49 or 50")
    if not machine.line.is_empty:
        # Epson printers obey ESC a only at the beginning of a line.
        raise CommandError(f"ESC a ignored: not at the beginning of a line (after {machine.line.text!r})")
    machine.align = align


def _upside_down(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    machine.style = machine.style.with_(upside_down=bool(command.params[0] & 1))


def _reverse(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    machine.style = machine.style.with_(invert=bool(command.params[0] & 1))


def _character_spacing(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    machine.style = machine.style.with_(char_spacing=command.params[0])


def _default_line_spacing(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    machine.line_spacing = DEFAULT_LINE_SPACING


def _line_spacing(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    machine.line_spacing = command.params[0]


def _international_set(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    if command.params[0] != 0:
        raise CommandError(f"ESC R {command.params[0]}: only the USA character set (0) is simulated")


def _tab_stops(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    stops = tuple(command.params)
    if any(later <= earlier for earlier, later in zip(stops, stops[1:])):
        raise CommandError(f"ESC D: tab stops must increase, got {list(stops)}")
    machine.tab_stops = stops


def _barcode_height(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    if command.params[0] == 0:
        raise CommandError("GS h 0: barcode height must be 1..255 dots")
    machine.barcode_height = command.params[0]


def _barcode_width(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    if not 2 <= command.params[0] <= 6:
        raise CommandError(f"GS w {command.params[0]}: barcode module width must be 2..6")
    machine.barcode_width = command.params[0]


def _hri_position(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    position = HRI_POSITIONS.get(_digit(command.params[0]))
    if position is None:
        raise CommandError(f"GS H {command.params[0]}: HRI position must be 0..3 or 48..51")
    machine.hri_position = position


def _hri_font(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    font = _digit(command.params[0])
    if font not in (0, 1):
        raise CommandError(f"GS f {command.params[0]}: HRI font must be 0, 1, 48 or 49")
    machine.hri_font = font


def _automatic_status_back(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    # The server sends the 4-byte reports (now, and on every change) while this is on.
    machine.asb_enabled = command.params[0] != 0


def _transmit_status(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> bytes:
    request = command.params[0]
    if request not in (1, 2, 49, 50):
        raise CommandError(f"GS r {request}: only 1, 2, 49 and 50 are defined")
    return bytes([transmitted_status(request, state)]) if state.answers_status else b""


def _ignore(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    """Smoothing: changes nothing the simulator shows."""


HANDLERS: dict[str, Handler] = {
    "ESC !": _print_mode,
    "GS !": _character_size,
    "ESC E": _emphasized,
    "ESC G": _double_strike,
    "ESC -": _underline,
    "ESC M": _font,
    "ESC a": _justification,
    "ESC {": _upside_down,
    "GS B": _reverse,
    "GS b": _ignore,
    "ESC SP": _character_spacing,
    "ESC 2": _default_line_spacing,
    "ESC 3": _line_spacing,
    "ESC R": _international_set,
    "ESC D": _tab_stops,
    "GS h": _barcode_height,
    "GS w": _barcode_width,
    "GS H": _hri_position,
    "GS f": _hri_font,
    "GS a": _automatic_status_back,
    "GS r": _transmit_status,
}
