"""The ESC/POS receipt printer: documents, driver, status, and its simulator."""

from devices.printer.driver import PrintResult, ReceiptPrinter
from devices.printer.errors import (
    CoverOpen,
    PaperOut,
    PrinterBusy,
    PrinterError,
    PrinterFault,
    PrinterOffline,
    PrinterUnreachable,
    PrintNotConfirmed,
)
from devices.printer.status import PrinterStatus

__all__ = [
    "CoverOpen",
    "PaperOut",
    "PrintNotConfirmed",
    "PrintResult",
    "PrinterBusy",
    "PrinterError",
    "PrinterFault",
    "PrinterOffline",
    "PrinterStatus",
    "PrinterUnreachable",
    "ReceiptPrinter",
]
