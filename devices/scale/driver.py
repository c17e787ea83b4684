"""`Scale`: the interface every scale protocol implements, and the live stream.

A protocol class implements one reading, tare, zero and a raw stream of
readings; this base turns the raw stream into the supervised one the agent and
the kiosk use: it survives unplugging, reports each outage once, and resumes
by itself when the scale comes back.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator

from frontdesk.contract.config import ScaleConfig
from frontdesk.devices.scale.errors import ScaleError, ScaleNotStable
from frontdesk.devices.scale.reading import ScaleProblem, ScaleReading

RETRY_FIRST, RETRY_MOST = 0.5, 5.0  # seconds between attempts to reach a lost scale
IDLE_POLL = 0.5  # seconds between requests to a quiet scale: an unplugged one is noticed within it


class Scale(ABC):
    def __init__(self, config: ScaleConfig) -> None:
        self.config = config
        self.label = f"scale {config.id!r} ({config.address})"
        self._quiet_key: tuple | None = None

    @property
    def id(self) -> str:
        return self.config.id

    @abstractmethod
    def read(self) -> ScaleReading:
        """The weight now, stable or not."""

    @abstractmethod
    def tare(self) -> None: ...

    @abstractmethod
    def zero(self) -> None: ...

    def identify(self) -> str | None:
        """The scale's serial number or model, where the protocol can tell."""
        return None

    @abstractmethod
    def stream(self) -> Iterator[ScaleReading]:
        """Readings as fast as the scale and the line give them; raises ScaleError."""

    def end_stream(self) -> None:
        """Leave streaming mode, if the protocol has one."""

    @abstractmethod
    def close(self) -> None: ...

    def read_stable(self, timeout: float = 5.0) -> ScaleReading:
        """The first reading the scale itself calls stable (or over/underload)."""
        deadline = time.monotonic() + timeout
        last: ScaleReading | None = None
        try:
            for reading in self.stream():
                if reading.stable or reading.condition != "ok":
                    return reading
                last = reading
                if time.monotonic() >= deadline:
                    break
        finally:
            self.end_stream()
        shown = f"; last {last.describe()}" if last else ""
        raise ScaleNotStable(
            f"{self.label}: the weight did not settle within {timeout:g} s{shown}", device_id=self.id, last=last
        )

    def readings(
        self, stop: threading.Event, quiet_after: float | None = None, wake: threading.Event | None = None,
    ) -> Iterator[ScaleReading | ScaleProblem]:
        """Live readings until `stop` is set; outages come as one ScaleProblem each.

        With `quiet_after`, a weight that has stayed stable and unchanged that long
        ends the stream, and the scale is asked once every IDLE_POLL seconds until
        the weight changes, when streaming starts again: an idle scale then costs
        two short requests a second instead of a continuous stream. `wake` (set by
        someone who needs the line) cuts an idle wait short with a fresh reading.
        """
        retry, last_problem = RETRY_FIRST, None
        try:
            while not stop.is_set():
                try:
                    for reading in self._stream_until_quiet(stop, quiet_after):
                        retry, last_problem = RETRY_FIRST, None
                        yield reading
                    if quiet_after is not None and not stop.is_set():
                        yield from self._poll_until_change(stop, wake)
                except ScaleError as error:
                    if error.reason != last_problem:
                        last_problem = error.reason
                        yield ScaleProblem(error.reason, str(error))
                    self.close()
                    stop.wait(retry)
                    retry = min(retry * 2, RETRY_MOST)
        finally:
            self._end_stream_quietly()

    def _stream_until_quiet(self, stop: threading.Event, quiet_after: float | None) -> Iterator[ScaleReading]:
        shown, steady_since = None, time.monotonic()
        for reading in self.stream():
            yield reading
            if stop.is_set():
                return
            if reading.key != shown or not reading.stable:
                shown, steady_since = reading.key, time.monotonic()
            elif quiet_after is not None and time.monotonic() - steady_since >= quiet_after:
                self.end_stream()
                self._quiet_key = shown
                return

    def _poll_until_change(self, stop: threading.Event, wake: threading.Event | None) -> Iterator[ScaleReading]:
        while not stop.is_set():
            (wake or stop).wait(IDLE_POLL)
            if wake is not None:
                wake.clear()
            if stop.is_set():
                return
            reading = self.read()
            yield reading
            if reading.key != self._quiet_key:
                return

    def _end_stream_quietly(self) -> None:
        try:
            self.end_stream()
        except ScaleError:
            self.close()
