"""Copier and fax queues on CUPS, through pycups."""

from frontdesk.devices.queues.cups_client import CupsClient
from frontdesk.devices.queues.driver import PrintQueue
from frontdesk.devices.queues.errors import (
    CupsUnavailable,
    InvalidJobOptions,
    JobNotFound,
    PermissionDenied,
    QueueError,
    QueueNotFound,
)
from frontdesk.devices.queues.fax import CoverSheet, FaxOutcome, FaxQueue, normalise_fax_number
from frontdesk.devices.queues.jobs import QueueJob
from frontdesk.devices.queues.state import QueueState, StateReason, Supply
from frontdesk.devices.queues.watch import QueueProblem, QueueWatcher

__all__ = [
    "CoverSheet", "CupsClient", "CupsUnavailable", "FaxOutcome", "FaxQueue", "InvalidJobOptions", "JobNotFound",
    "PermissionDenied", "PrintQueue", "QueueError", "QueueJob", "QueueNotFound", "QueueProblem", "QueueState",
    "QueueWatcher", "StateReason", "Supply", "normalise_fax_number", "queue_for",
]


def queue_for(config, client: CupsClient) -> PrintQueue:
    """The driver for one configured queue: fax queues can also send faxes."""
    return (FaxQueue if config.kind == "fax" else PrintQueue)(config, client)
