"""Copier and fax queues on CUPS, through pycups."""

from devices.queues.cups_client import CupsClient
from devices.queues.driver import PrintQueue
from devices.queues.errors import (
    CupsUnavailable,
    InvalidJobOptions,
    JobNotFound,
    PermissionDenied,
    QueueError,
    QueueNotFound,
)
from devices.queues.fax import CoverSheet, FaxOutcome, FaxQueue, normalise_fax_number
from devices.queues.jobs import QueueJob
from devices.queues.state import QueueState, StateReason, Supply
from devices.queues.watch import QueueProblem, QueueWatcher

__all__ = [
    "CoverSheet", "CupsClient", "CupsUnavailable", "FaxOutcome", "FaxQueue", "InvalidJobOptions", "JobNotFound",
    "PermissionDenied", "PrintQueue", "QueueError", "QueueJob", "QueueNotFound", "QueueProblem", "QueueState",
    "QueueWatcher", "StateReason", "Supply", "normalise_fax_number", "queue_for",
]


def queue_for(config, client: CupsClient) -> PrintQueue:
    """The driver for one configured queue: fax queues can also send faxes."""
    return (FaxQueue if config.kind == "fax" else PrintQueue)(config, client)
