"""What can go wrong with a scale; `reason` codes are stable (MQTT, manager counts)."""

from __future__ import annotations

from frontdesk.devices.errors import DeviceError


class ScaleError(DeviceError):
    reason = "scale_error"


class ScaleOffline(ScaleError):
    """The port is gone or failed: unplugged, powered off, or no such device."""

    reason = "offline"


class ScaleNoAnswer(ScaleError):
    """The port is open but nothing sensible comes back: wrong baud rate, parity or mode."""

    reason = "no_answer"


class ScaleGarbled(ScaleError):
    """Bytes came back but no valid frame: noise, or a wrong line setting."""

    reason = "garbled"


class ScaleNotStable(ScaleError):
    """The weight did not settle in time."""

    reason = "not_stable"

    def __init__(self, message: str, *, device_id: str | None = None, last=None) -> None:
        super().__init__(message, device_id=device_id)
        self.last = last


class ScaleRefused(ScaleError):
    """The scale understood the command but could not do it (tare while moving, ...)."""

    reason = "refused"


class ScaleProtocolError(ScaleError):
    """The scale rejected the command itself (MT-SICS ES/ET/EL, NCI '?')."""

    reason = "protocol_error"
