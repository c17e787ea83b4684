"""The ESC/POS receipt printer: documents, driver, status, and its simulator."""

from frontdesk.devices.printer.escpos_cache import import_escpos_capabilities

import_escpos_capabilities()  # first, so that no import below leaves a stray temporary folder

# The imports below must follow that call.
from frontdesk.devices.printer.driver import PrintResult, ReceiptPrinter  # noqa: E402
from frontdesk.devices.printer.errors import (  # noqa: E402
    CoverOpen,
    NoConfirmation,
    PaperOut,
    PrinterBusy,
    PrinterError,
    PrinterFault,
    PrinterOffline,
    PrinterUnreachable,
    PrintNotConfirmed,
)
from frontdesk.devices.printer.status import PrinterStatus  # noqa: E402

__all__ = [
    "CoverOpen",
    "NoConfirmation",
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
