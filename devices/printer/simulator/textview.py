"""A plain-text picture of the paper, for people and for tests to compare."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from .codepages import PrinterProfile
from .elements import Barcode, Cut, DrawerKick, Element, Feed, Qr, RasterImage, TextLine

if TYPE_CHECKING:
    from .machine import EscPosMachine


def torn_pieces(jobs: Iterable[EscPosMachine]) -> list[list[str]]:
    """The paper of these jobs cut into the pieces a person tears off, each as its lines of
    text: what one counts to see whether a receipt came out once, whole."""
    result: list[list[str]] = []
    current: list[str] = []
    for job in jobs:
        for element in job.elements:
            if isinstance(element, Cut):
                result.append(current)
                current = []
            elif isinstance(element, TextLine):
                current.append(element.text)
    return result


def text_rendering(machine: EscPosMachine) -> str:
    lines = [element_text(element, machine.profile) for element in machine.elements]
    if machine.pending_text:
        lines.append(f"[NOT PRINTED, no LF after it] {machine.pending_text}")
    lines += [f"!! OVERFLOW {overflow}" for overflow in machine.overflows]
    lines += [f"!! ERROR {error}" for error in machine.errors]
    if machine.suppressed_errors:
        lines.append(f"!! ERROR ... and {machine.suppressed_errors} more errors")
    if machine.dropped_bytes:
        lines.append(f"!! DROPPED {machine.dropped_bytes} bytes received while the printer could not print")
    return "".join(line + "\n" for line in lines)


def element_text(element: Element, profile: PrinterProfile) -> str:
    if isinstance(element, TextLine):
        return _aligned(element, profile)
    if isinstance(element, Qr):
        return f"[QR ec={element.error_correction} size={element.module_size}] {element.payload}"
    if isinstance(element, Barcode):
        return f"[BARCODE {element.symbology}] {element.data}"
    if isinstance(element, RasterImage):
        width, height = element.size
        return f"[IMAGE {width}x{height}]"
    if isinstance(element, Feed):
        return f"[FEED {element.lines}]"
    if isinstance(element, Cut):
        return "- - - - partial cut - - - -" if element.partial else "-------- cut --------"
    if isinstance(element, DrawerKick):
        return f"[DRAWER pin {element.pin} on {element.on_ms}ms off {element.off_ms}ms]"
    raise TypeError(f"not a printed element: {element!r}")


def _aligned(line: TextLine, profile: PrinterProfile) -> str:
    # Wide characters are shown once, but take their real room when centring.
    dots = sum(len(run.text) * run.width * profile.cell_width(run.font) for run in line.runs)
    spare_columns = max(profile.width_dots - dots, 0) // profile.cell_width(0)
    indent = {"left": 0, "center": spare_columns // 2, "right": spare_columns}[line.align]
    return " " * indent + line.text
