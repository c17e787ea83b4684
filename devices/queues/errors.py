"""What can go wrong with a CUPS queue; each message names the queue and the server."""

from __future__ import annotations

from frontdesk.devices.errors import DeviceError


class QueueError(DeviceError):
    reason = "queue_error"


class CupsUnavailable(QueueError):
    """The CUPS server does not answer (stopped, restarting, unreachable)."""

    reason = "cups_unavailable"


class QueueNotFound(QueueError):
    reason = "queue_not_found"


class PermissionDenied(QueueError):
    reason = "permission_denied"


class JobNotFound(QueueError):
    reason = "job_not_found"


class InvalidJobOptions(QueueError):
    """Copies, sides or media the printer does not support, or a bad fax number."""

    reason = "invalid_options"
