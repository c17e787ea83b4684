"""The root of every device error: a stable `reason` code and the device it concerns.

Each device kind subclasses it once (PrinterError, ScaleError, QueueError) and
once more per reason staff can act on, so the agent can turn any of them into
an error reply or an event without knowing the kind.
"""

from __future__ import annotations


class DeviceError(Exception):
    reason = "device_error"

    def __init__(self, message: str, *, device_id: str | None = None) -> None:
        super().__init__(message)
        self.device_id = device_id
