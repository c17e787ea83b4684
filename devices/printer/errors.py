"""What can go wrong with a receipt printer, one class per reason staff can act on.

`reason` is a stable machine-readable code (MQTT error codes, manager counts);
the message is for a person and always names the printer and its address.
"""

from __future__ import annotations

from frontdesk.devices.errors import DeviceError


class PrinterError(DeviceError):
    reason = "printer_error"


class PrinterUnreachable(PrinterError):
    """No connection, or the connection broke: the printer is off, unplugged or away."""

    reason = "unreachable"


class PrinterBusy(PrinterError):
    """Another driver holds the device (CUPS' usb backend, ipp-usb, usblp)."""

    reason = "device_busy"


class PaperOut(PrinterError):
    reason = "paper_out"


class CoverOpen(PrinterError):
    reason = "cover_open"


class PrinterOffline(PrinterError):
    reason = "offline"


class PrinterFault(PrinterError):
    """Cutter jam, mechanical or unrecoverable error: it needs a person."""

    reason = "fault"


class PrintNotConfirmed(PrinterError):
    """The bytes went out but the printer reported a problem right after.

    The document may be incomplete; whoever queued it should keep it for a retry.
    """

    reason = "not_confirmed"


class NoConfirmation(PrinterError):
    """The bytes went out, and the printer, which answered just before the job, did not answer
    after it in time: switched off or cut off mid-job, or slower than its `bytes_per_second`.

    What is on the paper is unknown: whoever queued the job voids it and prints it again.
    """

    reason = "no_confirmation"
