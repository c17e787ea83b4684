"""How bytes reach a receipt printer: one class per transport, chosen by config.

Each wraps the python-escpos connection of the same name (which knows how to
open the device) and adds what Frontdesk needs on top: bounded timeouts,
reading one real-time status byte, and errors that name the printer and its
address and say what to do.
"""

from __future__ import annotations

import errno
import socket
from abc import ABC, abstractmethod

from frontdesk.contract.config import (
    FilePrinterConfig,
    NetworkPrinterConfig,
    PrinterConfig,
    SerialPrinterConfig,
    UsbPrinterConfig,
)
from frontdesk.devices.printer.errors import PrinterBusy, PrinterError, PrinterUnreachable
from frontdesk.devices.printer.status import StatusQuery, is_status_back_start, is_status_byte

DLE_EOT = b"\x10\x04"
# GS a n: report drawer (bit 0), on/offline (1), errors (2) and the roll paper sensors (3).
STATUS_BACK_ALL = 0x0F

_USB_BUSY_ADVICE = (
    "another driver holds it (CUPS' usb backend, ipp-usb or usblp). Stop ipp-usb "
    "(`sudo systemctl disable --now ipp-usb`), delete any CUPS queue for this printer, "
    "or use connection = \"file\" with device = \"/dev/usb/lp0\""
)


class Connection(ABC):
    """An open line to one printer. Use as a context manager."""

    can_read_status = True
    supports_status_back = False  # Automatic Status Back (GS a) read while the line is kept open

    def __init__(self, config: PrinterConfig) -> None:
        self.config = config
        self.label = f"printer {config.id!r} ({config.address})"

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def write(self, data: bytes) -> None: ...

    @abstractmethod
    def read_status(self, query: StatusQuery, timeout: float) -> int | None:
        """Send DLE EOT n and return the reply byte, or None if none came in time."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Connection:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _unreachable(self, what: str, error: BaseException) -> PrinterUnreachable:
        return PrinterUnreachable(f"{self.label}: {what}: {error}", device_id=self.config.id)

    # Connections that support_status_back have both of these.
    def fileno(self) -> int:
        """The line's descriptor, to wait for a report with select()."""
        raise NotImplementedError(f"{type(self).__name__} cannot be watched")

    def read_status_back(self, timeout: float) -> bytes | None:
        """The next Automatic Status Back report, or None if none came within `timeout`."""
        raise NotImplementedError(f"{type(self).__name__} cannot be watched")

    def status_back(self, enabled: bool) -> None:
        """GS a: ask the printer to report paper, cover, errors and drawer by itself on every change."""
        self.write(b"\x1da" + bytes([STATUS_BACK_ALL if enabled else 0]))

    @staticmethod
    def _status_back_frame(receive) -> bytes | None:
        """The next 4-byte report from `receive(n)`; None once it returns nothing (no report in
        time). Bytes that do not start a report (e.g. a late status reply) are skipped."""
        frame = b""
        while len(frame) < 4:
            chunk = receive(4 - len(frame))
            if not chunk:
                return None
            frame += chunk
            while frame and not is_status_back_start(frame[0]):
                frame = frame[1:]
        return frame


class NetworkConnection(Connection):
    config: NetworkPrinterConfig
    # Kept open between jobs, it tells of a fault the moment it happens (see ReceiptPrinter.watch_status).
    supports_status_back = True

    def open(self) -> None:
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Network

        self._printer = Network(self.config.host, self.config.port, timeout=self.config.timeout)
        try:
            self._printer.open()
        except DeviceNotFoundError as error:
            cause = str(error).splitlines()[-1]
            raise PrinterUnreachable(
                f"{self.label}: cannot connect ({cause}); is it switched on and on the network?",
                device_id=self.config.id,
            ) from None
        self._socket: socket.socket = self._printer.device
        # A job is a write and then a 3-byte status query whose answer we wait for: with Nagle's
        # algorithm on, the query waits for the ACK of the job, which the printer delays (~40 ms).
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def write(self, data: bytes) -> None:
        try:
            self._socket.settimeout(self.config.timeout)
            self._socket.sendall(data)
        except socket.timeout:
            raise PrinterUnreachable(
                f"{self.label}: did not accept data within {self.config.timeout:g} s",
                device_id=self.config.id,
            ) from None
        except OSError as error:
            raise self._unreachable("connection lost while sending", error) from None

    def read_status(self, query: StatusQuery, timeout: float) -> int | None:
        self._drain()
        self.write(DLE_EOT + bytes([query]))
        self._socket.settimeout(timeout)
        try:
            while reply := self._socket.recv(1):
                if is_status_byte(reply[0]):
                    return reply[0]
        except socket.timeout:
            return None
        except OSError as error:
            raise self._unreachable("connection lost while reading status", error) from None
        raise PrinterUnreachable(f"{self.label}: closed the connection", device_id=self.config.id)

    def fileno(self) -> int:
        return self._socket.fileno()

    def read_status_back(self, timeout: float) -> bytes | None:
        """The next report; None when none came within `timeout`."""
        self._socket.settimeout(timeout)
        try:
            return self._status_back_frame(self._receive)
        except socket.timeout:
            return None
        except OSError as error:
            raise self._unreachable("connection lost while waiting for status", error) from None

    def _receive(self, size: int) -> bytes:
        chunk = self._socket.recv(size)
        if not chunk:
            raise PrinterUnreachable(f"{self.label}: closed the connection", device_id=self.config.id)
        return chunk

    def _drain(self) -> None:
        """Drop late replies to an earlier query, so they are not taken for this one."""
        self._socket.setblocking(False)
        try:
            while self._socket.recv(64):
                pass
        except (BlockingIOError, OSError):
            pass
        finally:
            self._socket.setblocking(True)

    def close(self) -> None:
        printer = getattr(self, "_printer", None)
        if printer is not None:
            printer.close()


class SerialConnection(Connection):
    config: SerialPrinterConfig
    # The port stays open between jobs, so GS a reports arrive like on a network line.
    supports_status_back = True

    def open(self) -> None:
        import serial
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Serial

        parity = {"none": serial.PARITY_NONE, "even": serial.PARITY_EVEN, "odd": serial.PARITY_ODD}
        self._printer = Serial(
            self.config.device,
            baudrate=self.config.baudrate,
            timeout=self.config.timeout,
            parity=parity[self.config.parity],
            dsrdtr=False,
        )
        try:
            self._printer.open()
        except DeviceNotFoundError as error:
            cause = str(error).splitlines()[-1]
            raise PrinterUnreachable(
                f"{self.label}: cannot open the serial port ({cause}); is the cable plugged in, "
                "and is the user in the dialout group?",
                device_id=self.config.id,
            ) from None
        self._port = self._printer.device
        self._port.rtscts = self.config.rtscts
        self._port.write_timeout = self.config.timeout

    def write(self, data: bytes) -> None:
        import serial

        try:
            self._port.write(data)
            self._port.flush()
        except serial.SerialTimeoutException:
            raise PrinterUnreachable(
                f"{self.label}: did not accept data within {self.config.timeout:g} s "
                "(flow control held, or the printer is off)",
                device_id=self.config.id,
            ) from None
        except (serial.SerialException, OSError) as error:
            raise self._unreachable("serial port failed while sending", error) from None

    def read_status(self, query: StatusQuery, timeout: float) -> int | None:
        import serial

        try:
            self._port.reset_input_buffer()
            self.write(DLE_EOT + bytes([query]))
            self._port.timeout = timeout
            for byte in iter(lambda: self._port.read(1), b""):
                if is_status_byte(byte[0]):
                    return byte[0]
            return None
        except (serial.SerialException, OSError) as error:
            raise self._unreachable("serial port failed while reading status", error) from None

    def fileno(self) -> int:
        return self._port.fileno()

    def read_status_back(self, timeout: float) -> bytes | None:
        """The next report; None when none came within `timeout`."""
        import serial

        self._port.timeout = timeout
        try:
            return self._status_back_frame(self._port.read)
        except (serial.SerialException, OSError) as error:
            raise self._unreachable("serial port failed while waiting for status", error) from None

    def close(self) -> None:
        printer = getattr(self, "_printer", None)
        if printer is not None and printer.device is not None:
            printer.close()


class UsbConnection(Connection):
    config: UsbPrinterConfig

    def open(self) -> None:
        try:
            import usb.core  # noqa: F401  (pyusb; python-escpos' Usb needs it)
        except ImportError:
            raise PrinterError(
                f"{self.label}: USB printers need pyusb and libusb-1.0-0; "
                "run `pip install pyusb` and `apt install libusb-1.0-0`",
                device_id=self.config.id,
            ) from None
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Usb

        self._printer = Usb(self.config.vendor_id, self.config.product_id, timeout=int(self.config.timeout * 1000))
        try:
            self._printer.open()
        except DeviceNotFoundError as error:
            raise self._usb_error(error) from None

    def write(self, data: bytes) -> None:
        import usb.core

        try:
            self._printer._raw(data)
        except usb.core.USBError as error:
            raise self._usb_error(error) from None

    def read_status(self, query: StatusQuery, timeout: float) -> int | None:
        import usb.core

        self.write(DLE_EOT + bytes([query]))
        try:
            reply = self._printer.device.read(self._printer.in_ep, 16, int(timeout * 1000))
        except usb.core.USBTimeoutError:
            return None
        except usb.core.USBError as error:
            raise self._usb_error(error) from None
        return next((b for b in reply if is_status_byte(b)), None)

    def _usb_error(self, error: Exception) -> PrinterError:
        if getattr(error, "errno", None) == errno.EBUSY or "busy" in str(error).lower():
            return PrinterBusy(f"{self.label}: the USB device is busy: {_USB_BUSY_ADVICE}", device_id=self.config.id)
        if getattr(error, "errno", None) == errno.EACCES or "access denied" in str(error).lower():
            return PrinterError(
                f"{self.label}: permission denied; add a udev rule giving the frontdesk user access",
                device_id=self.config.id,
            )
        return self._unreachable("USB device not available (unplugged or switched off?)", error)

    def close(self) -> None:
        printer = getattr(self, "_printer", None)
        if printer is not None:
            printer.close()


class FileConnection(Connection):
    """A character device such as /dev/usb/lp0: write-only, so no status.

    Opened directly rather than through python-escpos' File, which folds the
    errno into a message and so hides the advice a person needs.
    """

    config: FilePrinterConfig
    can_read_status = False

    def open(self) -> None:
        try:
            self._file = open(self.config.device, "wb", buffering=0)
        except OSError as error:
            advice = {
                errno.ENOENT: "no such device; is the printer plugged in and switched on?",
                errno.EACCES: "permission denied; is the user in the lp group?",
                errno.EBUSY: f"busy: {_USB_BUSY_ADVICE}",
            }.get(error.errno or 0, str(error))
            raise PrinterUnreachable(f"{self.label}: cannot open: {advice}", device_id=self.config.id) from None

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as error:
            raise self._unreachable("write failed", error) from None

    def read_status(self, query: StatusQuery, timeout: float) -> int | None:
        return None

    def close(self) -> None:
        file = getattr(self, "_file", None)
        if file is not None:
            file.close()


CONNECTIONS: dict[str, type[Connection]] = {
    "network": NetworkConnection,
    "serial": SerialConnection,
    "usb": UsbConnection,
    "file": FileConnection,
}


def connection_for(config: PrinterConfig) -> Connection:
    return CONNECTIONS[config.connection](config)
