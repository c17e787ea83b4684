"""ESC/POS byte streams for the simulator tests, made by python-escpos itself."""

from __future__ import annotations

from escpos.printer import Dummy
from PIL import Image, ImageDraw

from frontdesk.devices.printer.simulator import EscPosMachine, PrinterState

NAMES = ["Łucja Żółkiewska", "Jürgen Weiß", "Françoise Lefèvre", "Ştefan Ţăranu"]
DLE_EOT = b"\x10\x04"


def escpos_bytes(*steps) -> bytes:
    """What python-escpos sends for the given calls on a TM-T20II."""
    printer = Dummy(profile="TM-T20II")
    for step in steps:
        step(printer)
    return printer.output


def parsed(data: bytes, state: PrinterState | None = None) -> EscPosMachine:
    machine = EscPosMachine(state=state)
    machine.feed(data)
    return machine


def pattern_image(width: int = 100, height: int = 30) -> Image.Image:
    image = Image.new("1", (width, height), 1)
    draw = ImageDraw.Draw(image)
    draw.line((0, 0, width - 1, height - 1), fill=0, width=3)
    draw.rectangle((5, 5, 20, 12), fill=0)
    return image


def receipt_document() -> bytes:
    return escpos_bytes(
        lambda p: p.hw("INIT"),
        lambda p: p.set(align="center", bold=True, double_width=True, double_height=True),
        *[lambda p, name=name: p.textln(name) for name in NAMES],
        lambda p: p.set_with_default(),
        *[lambda p, name=name: p.textln(name) for name in NAMES],
        lambda p: p.qr("https://example.org/visit/42", native=True, size=6, ec=1),
        lambda p: p.ln(),
        lambda p: p.cut(),
    )
