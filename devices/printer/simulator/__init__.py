"""ESC/POS receipt-printer simulator: the real protocol over a real TCP port or pty, or in memory.

The driver runs unchanged against it and against hardware; the simulator records
what would be printed, and every command, parameter or byte a real printer would
reject or misprint. The in-memory printer answers byte for byte as the TCP one,
without a socket, for protocol tests.
"""

from .elements import Barcode, Cut, DrawerKick, Element, Feed, Qr, RasterImage, TextLine, TextRun
from .machine import EscPosMachine
from .memory import MemoryPrinterSimulator
from .server import PtyPrinterSimulator, TcpPrinterSimulator, decode_file
from .state import PrinterState
from .textview import torn_pieces

__all__ = [
    "Barcode",
    "Cut",
    "DrawerKick",
    "Element",
    "EscPosMachine",
    "Feed",
    "MemoryPrinterSimulator",
    "PrinterState",
    "PtyPrinterSimulator",
    "Qr",
    "RasterImage",
    "TcpPrinterSimulator",
    "TextLine",
    "TextRun",
    "decode_file",
    "torn_pieces",
]
