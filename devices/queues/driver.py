"""`PrintQueue`: one copier or fax queue on CUPS: state, supplies, jobs, control, submitting."""

from __future__ import annotations

import time
from pathlib import Path

from frontdesk.contract.config import QueueConfig
from frontdesk.devices.queues.cups_client import CupsClient
from frontdesk.devices.queues.device_ipp import DeviceReport, DeviceUnreachable, ask_device, asks_device
from frontdesk.devices.queues.errors import InvalidJobOptions, JobNotFound, QueueError
from frontdesk.devices.queues import supplies
from frontdesk.devices.queues.jobs import JOB_ATTRIBUTES, JobCounts, QueueJob, initials
from frontdesk.devices.queues.state import ActiveJob, PrinterState, QueueState, StateReason

_PRINTER_STATES: dict[int, PrinterState] = {3: "idle", 4: "processing", 5: "stopped"}
PRINTER_ATTRIBUTES = [
    "printer-state", "printer-state-reasons", "printer-state-message", "printer-is-accepting-jobs",
    "marker-names", "marker-levels", "marker-low-levels", "marker-high-levels", "marker-types", "marker-colors",
    "device-uri",
]
_SUPPORT_ATTRIBUTES = ["copies-supported", "sides-supported", "media-supported", "media-ready"]


class PrintQueue:
    def __init__(self, config: QueueConfig, client: CupsClient) -> None:
        self.config = config
        self.client = client
        self.name = config.cups_name

    @property
    def id(self) -> str:
        return self.config.id

    def state(self) -> QueueState:
        attributes = self._call(lambda c: c.getPrinterAttributes(self.name, requested_attributes=PRINTER_ATTRIBUTES),
                                "read the state")
        device = None
        if asks_device(attributes.get("device-uri")):
            device = self._call(lambda c: _ask_quietly(attributes["device-uri"], self.client.timeout / 2),
                                "ask the printer itself")
        return self._snapshot(attributes, device, JobCounts.of(self.jobs(limit=10_000)))

    def jobs(self, which: str = "not-completed", limit: int = 50) -> list[QueueJob]:
        """Jobs of this queue: 'not-completed' (pending, held, processing, stopped) or 'completed'."""
        found = self._call(
            lambda c: c.getJobs(which_jobs=which, requested_attributes=JOB_ATTRIBUTES, limit=-1), "list the jobs"
        )
        mine = [QueueJob.from_cups(job_id, attrs) for job_id, attrs in found.items()]
        mine = [job for job in mine if job.queue == self.name]
        return sorted(mine, key=lambda job: job.id, reverse=which != "not-completed")[:limit]

    def job(self, job_id: int) -> QueueJob:
        attributes = self._call(lambda c: c.getJobAttributes(job_id, requested_attributes=JOB_ATTRIBUTES),
                                "read the job", job=job_id)
        return QueueJob.from_cups(job_id, attributes)

    def cancel(self, job_id: int) -> None:
        self._own(job_id)
        self._call(lambda c: c.cancelJob(job_id), "cancel the job", job=job_id)

    def hold(self, job_id: int) -> None:
        self._own(job_id)
        self._call(lambda c: c.setJobHoldUntil(job_id, "indefinite"), "hold the job", job=job_id)

    def release(self, job_id: int) -> None:
        self._own(job_id)
        self._call(lambda c: c.setJobHoldUntil(job_id, "no-hold"), "release the job", job=job_id)

    def restart(self, job_id: int) -> None:
        self._own(job_id)
        self._call(lambda c: c.restartJob(job_id), "restart the job", job=job_id)

    def _own(self, job_id: int) -> None:
        """CUPS numbers jobs across all its queues: a job id alone would act on another queue's job."""
        job = self.job(job_id)
        if job.queue != self.name:
            raise JobNotFound(f"job {job_id} is not on queue {self.id!r} (CUPS {self.name}); it is on {job.queue!r}",
                              device_id=self.id)

    def pause(self, reason: str = "Paused at the front desk") -> None:
        self._call(lambda c: c.disablePrinter(self.name, reason=reason), "pause the queue")

    def resume(self) -> None:
        self._call(lambda c: c.enablePrinter(self.name), "resume the queue")

    def accept(self) -> None:
        self._call(lambda c: c.acceptJobs(self.name), "accept jobs")

    def reject(self, reason: str = "Not taking jobs") -> None:
        self._call(lambda c: c.rejectJobs(self.name, reason=reason), "reject jobs")

    def print_file(
        self, path: Path, *, title: str | None = None, copies: int = 1, duplex: bool = False, media: str | None = None
    ) -> int:
        """Submit a document with options checked against what the printer supports; returns the job id."""
        options = self._checked_options(copies, duplex, media)
        return self._submit([path], title or Path(path).name, options)

    def wait_for(self, job_id: int, timeout: float, interval: float = 0.5) -> QueueJob:
        """The job once it has finished or stopped, or as it is when the time is up."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job.finished or job.state == "stopped" or time.monotonic() >= deadline:
                return job
            time.sleep(interval)  # bounded by the deadline; the watcher is the event-driven path

    def _submit(self, paths: list[Path], title: str, options: dict[str, str]) -> int:
        for path in paths:
            if not Path(path).is_file():
                raise InvalidJobOptions(f"{path} is not a file that can be printed", device_id=self.id)
        if len(paths) == 1:
            return self._call(lambda c: c.printFile(self.name, str(paths[0]), title, options), "submit the job")
        # pycups' printFiles drops the job options (a fax would lose its number),
        # so a job of several documents is built document by document.
        return self._call(lambda c: _submit_documents(c, self.name, paths, title, options), "submit the job")

    def _checked_options(self, copies: int, duplex: bool, media: str | None) -> dict[str, str]:
        supported = self._call(lambda c: c.getPrinterAttributes(self.name, requested_attributes=_SUPPORT_ATTRIBUTES),
                               "read what the printer supports")
        options: dict[str, str] = {}
        low, high = supported.get("copies-supported", (1, 1))
        if not low <= copies <= high:
            raise InvalidJobOptions(f"{self.name} prints {low} to {high} copies, not {copies}", device_id=self.id)
        if copies != 1:
            options["copies"] = str(copies)
        if duplex:
            sides = _as_tuple(supported.get("sides-supported", ("one-sided",)))
            if "two-sided-long-edge" not in sides:
                raise InvalidJobOptions(f"{self.name} cannot print on both sides", device_id=self.id)
            options["sides"] = "two-sided-long-edge"
        if media:
            known = _as_tuple(supported.get("media-supported", ())) + _as_tuple(supported.get("media-ready", ()))
            if media not in known:
                raise InvalidJobOptions(
                    f"{self.name} has no media {media!r}; it supports {', '.join(sorted(set(known)))}", device_id=self.id
                )
            options["media"] = media
        return options

    def _snapshot(self, attributes: dict, device: DeviceReport | DeviceUnreachable | None,
                  jobs: JobCounts) -> QueueState:
        reasons = tuple(
            StateReason.parse(r) for r in _as_tuple(attributes.get("printer-state-reasons", ())) if r != "none"
        )
        cups_supplies = supplies.from_cups(attributes)
        found = cups_supplies
        if isinstance(device, DeviceReport):
            keywords = {r.keyword for r in reasons}
            reasons += tuple(r for r in device.reasons if r.keyword not in keywords)
            found = supplies.merged(device.supplies, cups_supplies)  # the device is live; CUPS as of the last job
        state = _PRINTER_STATES.get(attributes.get("printer-state", 3), "idle")
        return QueueState(
            queue_id=self.id,
            cups_name=self.name,
            kind=self.config.kind,
            state=state,
            accepting=bool(attributes.get("printer-is-accepting-jobs", True)),
            reasons=reasons,
            message=attributes.get("printer-state-message", ""),
            supplies=found,
            jobs_waiting=jobs.waiting,
            jobs_held=jobs.held,
            active_job=_active(jobs.active),
            device_reachable=None if device is None else isinstance(device, DeviceReport),
        )

    def _call(self, action, what: str, job: int | None = None):
        return self.client.call(action, what, queue=self.name, job=job)


def _submit_documents(connection, queue: str, paths: list[Path], title: str, options: dict[str, str]) -> int:
    import cups

    job_id = connection.createJob(queue, title, options)
    for number, path in enumerate(paths, start=1):
        connection.startDocument(queue, job_id, Path(path).name, cups.CUPS_FORMAT_AUTO, int(number == len(paths)))
        with open(path, "rb") as document:
            while chunk := document.read(64 * 1024):
                connection.writeRequestData(chunk, len(chunk))
        connection.finishDocument(queue)
    return job_id


def _ask_quietly(device_uri: str, timeout: float) -> DeviceReport | DeviceUnreachable:
    try:
        return ask_device(device_uri, timeout)
    except DeviceUnreachable as problem:
        return problem


def _active(job: QueueJob | None) -> ActiveJob | None:
    if job is None:
        return None
    return ActiveJob(id=job.id, name=job.title, owner=initials(job.owner), pages=job.pages)


def _as_tuple(value) -> tuple:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


__all__ = ["PrintQueue", "QueueError"]
