"""ESC/POS receipt-printer simulator: the real protocol over a real TCP port or pty.

The driver runs unchanged against it and against hardware; the simulator records
what would be printed, and every command, parameter or byte a real printer would
reject or misprint.
"""

from .elements import Barcode, Cut, DrawerKick, Element, Feed, Qr, RasterImage, TextLine, TextRun
from .machine import EscPosMachine
from .server import PtyPrinterSimulator, TcpPrinterSimulator, decode_file
from .state import PrinterState

__all__ = [
    "Barcode",
    "Cut",
    "DrawerKick",
    "Element",
    "EscPosMachine",
    "Feed",
    "PrinterState",
    "PtyPrinterSimulator",
    "Qr",
    "RasterImage",
    "TcpPrinterSimulator",
    "TextLine",
    "TextRun",
    "decode_file",
]
