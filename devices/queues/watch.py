"""Noticing changes on the CUPS queues without hammering cupsd.

CUPS event subscriptions with the pull ("ippget") method: the watcher asks for
new events every `notify_interval` and reads the queues again only when some
arrived. The lease is renewed at half its length; a subscription that has
vanished (cupsd restarted) is created again. Where CUPS refuses subscriptions,
the queues are read every `poll_interval` instead.

cupsd sends no event for an idle device: it learns of the machine behind a
queue only while a job runs. So every `device_interval` without a read, the
queues are read again, which asks each IPP device itself (PrintQueue.state);
only what changed is reported. Call `run` on a thread of
its own: every CUPS call can block for up to the client's timeout.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from frontdesk.contract import clock
from frontdesk.devices.queues.cups_client import CupsClient
from frontdesk.devices.queues.driver import PrintQueue
from frontdesk.devices.queues.errors import QueueError, QueueNotFound
from frontdesk.devices.queues.state import QueueState

EVENTS = [
    "printer-state-changed", "printer-config-changed", "printer-stopped", "printer-added", "printer-deleted",
    "printer-modified", "job-created", "job-completed", "job-state-changed", "job-stopped", "server-restarted",
]
LEASE = 3600  # seconds; renewed at half


@dataclass(frozen=True)
class QueueProblem:
    """A queue could not be read at all: `reason` is the error's code."""

    queue_id: str
    reason: str
    message: str
    at: datetime = field(default_factory=clock.now)


Change = QueueState | QueueProblem


class QueueWatcher:
    def __init__(
        self,
        queues: list[PrintQueue],
        client: CupsClient,
        on_change: Callable[[Change], None],
        *,
        notify_interval: float = 0.5,
        poll_interval: float = 5.0,
        device_interval: float = 30.0,
        subscribe: bool = True,
    ) -> None:
        self.queues = queues
        self.client = client
        self.on_change = on_change
        self.notify_interval = notify_interval
        self.poll_interval = poll_interval
        self.device_interval = device_interval
        self._device_due = 0.0  # when the machines behind the queues are to be asked again
        self.subscribe = subscribe  # False: poll only (a CUPS whose subscriptions misbehave)
        self.subscribed = False
        self._last: dict[str, object] = {}
        self._subscription: int | None = None
        self._sequence = 0
        self._renew_at = 0.0

    def run(self, stop: threading.Event) -> None:
        retry = 1.0
        while not stop.is_set():
            try:
                self._cycle()
                retry = 1.0
                stop.wait(self.notify_interval if self._subscription else self.poll_interval)
            except QueueError as error:
                self._subscription = None
                self._report_all(error)
                stop.wait(retry)
                retry = min(retry * 2, 10.0)
        self._unsubscribe()

    def _cycle(self) -> None:
        if self._subscription is None:
            if self.subscribe:
                self._subscribe()
            self._read_all()
            return
        if time.monotonic() >= self._renew_at:
            self._renew()
        if self._new_events() or time.monotonic() >= self._device_due:
            self._read_all()

    def _subscribe(self) -> None:
        uri = f"ipp://{self.client.host or 'localhost'}:{self.client.port}/"
        try:
            self._subscription = self.client.call(
                lambda c: c.createSubscription(uri, events=EVENTS, lease_duration=LEASE), "subscribe to events"
            )
        except QueueError:
            self._subscription = None  # refused: poll instead
        self.subscribed = self._subscription is not None
        self._sequence = 0
        self._renew_at = time.monotonic() + LEASE / 2

    def _renew(self) -> None:
        subscription = self._subscription
        try:
            self.client.call(lambda c: c.renewSubscription(subscription, lease_duration=LEASE), "renew the subscription")
        except QueueNotFound:
            self._subscription = None
        self._renew_at = time.monotonic() + LEASE / 2

    def _new_events(self) -> bool:
        subscription, sequence = self._subscription, self._sequence + 1
        try:
            answer = self.client.call(
                lambda c: c.getNotifications([subscription], [sequence]), "fetch events"
            )
        except QueueNotFound:
            self._subscription = None  # cupsd restarted and forgot it
            return True
        events = [e for e in answer.get("events", []) if e.get("notify-subscription-id") == subscription]
        if events:
            self._sequence = max(e.get("notify-sequence-number", self._sequence) for e in events)
        return bool(events)

    def _unsubscribe(self) -> None:
        if self._subscription is not None:
            subscription, self._subscription = self._subscription, None
            try:
                self.client.call(lambda c: c.cancelSubscription(subscription), "cancel the subscription")
            except QueueError:
                pass

    def _read_all(self) -> None:
        self._device_due = time.monotonic() + self.device_interval
        for queue in self.queues:
            try:
                self._emit(queue.id, queue.state())
            except QueueNotFound as error:
                self._emit(queue.id, QueueProblem(queue.id, error.reason, str(error)))

    def _report_all(self, error: QueueError) -> None:
        for queue in self.queues:
            self._emit(queue.id, QueueProblem(queue.id, error.reason, str(error)))

    def _emit(self, queue_id: str, change: Change) -> None:
        key = _comparable(change)
        if self._last.get(queue_id) != key:
            self._last[queue_id] = key
            self.on_change(change)


def _comparable(change: Change) -> object:
    if isinstance(change, QueueProblem):
        return ("problem", change.reason)
    # Everything but the time it was read: a device that came back, a job that started, ...
    return tuple(getattr(change, f.name) for f in dataclasses.fields(change) if f.name != "checked_at")
