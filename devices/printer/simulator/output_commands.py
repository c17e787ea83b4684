"""Commands that put something other than text on paper, cut it or kick the drawer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image

from . import graphics, symbols
from .commands import Command
from .elements import Cut, DrawerKick, RasterImage
from .errors import CommandError
from .state import StateSnapshot

if TYPE_CHECKING:
    from .machine import EscPosMachine, Handler

_FULL_CUTS, _PARTIAL_CUTS = {0, 48, 65}, {1, 49, 66}


def _require_feature(machine: EscPosMachine, feature: str, command: str) -> None:
    if not machine.profile.supports(feature):
        raise CommandError(f"{command}: {machine.profile.name} does not support {feature}")


def _print_image(machine: EscPosMachine, image: Image.Image, source: str, command: str) -> None:
    fitted, problem = graphics.fit_to_paper(image, machine.profile.width_dots, command)
    machine.elements.append(RasterImage(fitted, source, machine.align))
    if problem:
        raise CommandError(problem)


def _raster_image(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    _require_feature(machine, "bitImageRaster", "GS v 0")
    machine.require_empty_line("GS v 0")
    _print_image(machine, graphics.raster_image(command.params), "raster", "GS v 0")


def _column_image(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    _require_feature(machine, "bitImageColumn", "ESC *")
    machine.emit_column_stripe()
    image = graphics.column_image(command.params)
    fitted, problem = graphics.fit_to_paper(image, machine.profile.width_dots, "ESC *")
    # Part of the line buffer, like text: the LF after it prints it.
    machine.column_stripe = RasterImage(fitted, "column", machine.align)
    if problem:
        raise CommandError(problem)


def _graphics(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    name = command.name
    _require_feature(machine, "graphics", name)
    params = command.params
    if len(params) < 2 or params[0] != 48:
        raise CommandError(f"{name}: expected m = 48 and a function number")
    function = params[1]
    if function == 112:
        machine.stored_graphics = graphics.stored_graphics(params, name)
    elif function in (2, 50):
        if len(params) != 2:
            raise CommandError(f"{name} function {function} takes no data (pL pH must be 2 0)")
        if machine.stored_graphics is None:
            raise CommandError(f"{name} function {function}: no graphics stored to print")
        machine.require_empty_line(name)
        image, machine.stored_graphics = machine.stored_graphics, None
        _print_image(machine, image, "graphics", name)
    else:
        raise CommandError(f"{name} function {function} is not simulated")


def _two_d_code(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    _require_feature(machine, "qrCode", "GS ( k")
    printing = len(command.params) >= 2 and command.params[1] == 81
    if printing:
        machine.require_empty_line("GS ( k print")
    code = machine.qr.handle(command.params, machine.align, machine.profile.width_dots)
    if code is not None:
        machine.elements.append(code)


def _barcode(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    kind = command.params[0]
    _require_feature(machine, "barcodeA" if kind < 65 else "barcodeB", "GS k")
    machine.require_empty_line("GS k")
    machine.elements.append(
        symbols.barcode(command.params, machine.barcode_height, machine.barcode_width,
                        machine.hri_position, machine.align)
    )


def _cut(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    mode = command.params[0]
    if mode not in _FULL_CUTS | _PARTIAL_CUTS:
        raise CommandError(f"GS V {mode}: only cut modes 0, 1, 48, 49, 65 and 66 are simulated")
    partial = mode in _PARTIAL_CUTS
    _require_feature(machine, "paperPartCut" if partial else "paperFullCut", "GS V")
    machine.flush_line()
    feed_dots = command.params[1] if len(command.params) > 1 else 0
    machine.elements.append(Cut(partial=partial, feed_dots=feed_dots))


def _drawer_kick(machine: EscPosMachine, command: Command, offset: int, state: StateSnapshot) -> None:
    connector, on_time, off_time = command.params
    pins = {0: 2, 48: 2, 1: 5, 49: 5}
    if connector not in pins:
        raise CommandError(f"ESC p {connector}: connector must be 0, 1, 48 or 49")
    machine.elements.append(DrawerKick(pin=pins[connector], on_ms=on_time * 2, off_ms=off_time * 2))


HANDLERS: dict[str, Handler] = {
    "GS v 0": _raster_image,
    "ESC *": _column_image,
    "GS ( L": _graphics,
    "GS 8 L": _graphics,
    "GS ( k": _two_d_code,
    "GS k": _barcode,
    "GS V": _cut,
    "ESC p": _drawer_kick,
}
