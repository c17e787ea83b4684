"""One place that talks to cupsd through pycups: bounded calls, errors in words.

libcups can block for a long time (a network printer that does not answer, a
cupsd that is restarting), so every call runs on a worker thread and the caller
waits at most `timeout` seconds. pycups is imported here only, and its absence
says what to install.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from frontdesk.devices.queues.errors import CupsUnavailable, JobNotFound, PermissionDenied, QueueError, QueueNotFound

T = TypeVar("T")

# IPP status codes (RFC 8011 section 13.1) that mean something to the staff.
_NOT_FOUND = {0x0406}
_NOT_ALLOWED = {0x0401, 0x0402, 0x0403}
_UNAVAILABLE = {0x0502, 0x0506}


def _cups():
    try:
        import cups
    except ImportError:
        raise QueueError(
            "pycups is missing: install libcups2-dev and then `pip install pycups` (the README's set-up does both)"
        ) from None
    return cups


class CupsClient:
    def __init__(self, server: str | None = None, timeout: float = 10.0) -> None:
        self.host, self.port = _split(server)
        self.server = server or "the local CUPS server"
        self.timeout = timeout
        self._lock = threading.Lock()
        self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="cups")
        self._connection = None

    def call(self, action: Callable[[Any], T], what: str, *, queue: str | None = None, job: int | None = None) -> T:
        """Run `action(connection)` on the worker, within the timeout; map CUPS errors."""
        with self._lock:
            future = self._worker.submit(self._run, action)
            try:
                return future.result(timeout=self.timeout)
            except concurrent.futures.TimeoutError:
                # The worker may stay blocked in libcups; give later calls a fresh one.
                self._worker.shutdown(wait=False, cancel_futures=True)
                self._worker = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="cups")
                self._connection = None
                raise CupsUnavailable(f"CUPS at {self.server} did not answer {what} within {self.timeout:g} s") from None
            except QueueError:
                raise
            except Exception as error:  # noqa: BLE001 - pycups raises its own unrelated types
                raise self._explain(error, what, queue, job) from None

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _run(self, action: Callable[[Any], T]) -> T:
        if self._connection is None:
            self._connection = self._connect()
        try:
            return action(self._connection)
        except Exception:
            self._connection = None  # reconnect next time: cupsd may have restarted
            raise

    def _connect(self):
        cups = _cups()
        try:
            if self.host is None:
                return cups.Connection()
            # libcups builds job URIs from its process-wide server and port, not the
            # connection's: without these, Print-Job on a non-default port says
            # "printer does not exist". One process talks to one CUPS server.
            cups.setServer(self.host)
            cups.setPort(self.port)
            return cups.Connection(host=self.host, port=self.port)
        except RuntimeError as error:
            raise CupsUnavailable(f"cannot connect to CUPS at {self.server}: {error}") from None

    def _explain(self, error: Exception, what: str, queue: str | None, job: int | None) -> QueueError:
        cups = _cups()
        subject = f"queue {queue!r}" if queue else "CUPS"
        if isinstance(error, cups.IPPError):
            status, message = error.args if len(error.args) == 2 else (None, str(error))
            if status in _NOT_FOUND:
                if job is not None:
                    return JobNotFound(f"job {job} is not on {subject} at {self.server}", device_id=queue)
                return QueueNotFound(f"{subject} does not exist on CUPS at {self.server}", device_id=queue)
            if status in _NOT_ALLOWED:
                return PermissionDenied(
                    f"CUPS at {self.server} refused to {what} on {subject}: {message}; "
                    "the frontdesk user needs to be in the lpadmin group",
                    device_id=queue,
                )
            if status in _UNAVAILABLE:
                return CupsUnavailable(f"CUPS at {self.server} cannot {what} now: {message}", device_id=queue)
            return QueueError(f"CUPS at {self.server} could not {what} on {subject}: {message}", device_id=queue)
        if isinstance(error, (cups.HTTPError, RuntimeError, OSError)):
            return CupsUnavailable(f"CUPS at {self.server} is not reachable ({error})", device_id=queue)
        return QueueError(f"CUPS at {self.server} could not {what}: {error}", device_id=queue)


def _split(server: str | None) -> tuple[str | None, int]:
    if not server:
        return None, 631
    host, _, port = server.rpartition(":")
    if host and port.isdigit():
        return host, int(port)
    return server, 631
