"""A ReceiptPrinter wired to the simulated printer in memory, for the protocol-level tests, and
what the printer tests ask of every printout."""

from __future__ import annotations

from testbed import printer_config

from frontdesk.devices.printer import ReceiptPrinter
from frontdesk.devices.printer.memory_connection import MemoryConnection
from frontdesk.devices.printer.simulator import MemoryPrinterSimulator, TextLine


def printer_in_memory(simulator: MemoryPrinterSimulator, profile: str = "TM-T20II", **settings) -> ReceiptPrinter:
    """The driver as configured for a network printer, its every job going to `simulator` instead.

    The config's connection kind only names the printer in messages: MemoryConnection does
    the talking, so no socket is opened and no address is needed.
    """
    config = printer_config("network", profile=profile, host="in-memory", **settings)
    return ReceiptPrinter(config.printer[0], config.office, connect=MemoryConnection.to(simulator))


def printer_for(config) -> ReceiptPrinter:
    return ReceiptPrinter(config.printer[0], config.office)


def printed_lines(job) -> list[str]:
    return [element.text for element in job.elements if isinstance(element, TextLine)]


def assert_clean(job):
    assert job.errors == [], job.errors
    assert job.overflows == [], job.overflows
