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

from contract.config import ScaleConfig
from devices.scale.errors import ScaleError, ScaleNotStable
from devices.scale.reading import ScaleProblem, ScaleReading

RETRY_FIRST, RETRY_MOST = 0.5, 5.0  # seconds between attempts to reach a lost scale


class Scale(ABC):
    def __init__(self, config: ScaleConfig) -> None:
        self.config = config
        self.label = f"scale {config.id!r} ({config.address})"

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

    def readings(self, stop: threading.Event) -> Iterator[ScaleReading | ScaleProblem]:
        """Live readings until `stop` is set; outages come as one ScaleProblem each."""
        retry, last_problem = RETRY_FIRST, None
        try:
            while not stop.is_set():
                try:
                    for reading in self.stream():
                        retry, last_problem = RETRY_FIRST, None
                        yield reading
                        if stop.is_set():
                            return
                except ScaleError as error:
                    if error.reason != last_problem:
                        last_problem = error.reason
                        yield ScaleProblem(error.reason, str(error))
                    self.close()
                    stop.wait(retry)
                    retry = min(retry * 2, RETRY_MOST)
        finally:
            self._end_stream_quietly()

    def _end_stream_quietly(self) -> None:
        try:
            self.end_stream()
        except ScaleError:
            self.close()
