"""What every simulated scale protocol provides."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from .state import ScaleState


@dataclass(frozen=True)
class Answer:
    reply: bytes  # b"": say nothing
    streams: bool = False  # keep sending stream_frame() until the next command line arrives


class ScaleProtocol(Protocol):
    name: str
    terminator: bytes  # what ends a command line

    @property
    def decimals(self) -> Mapping[str, int]:
        """Display unit -> decimals shown; read-only here, so a class may keep them in a dict."""
        ...

    def answer(self, line: bytes, scale: ScaleState, give_up: threading.Event) -> Answer:
        """The reply to one command line (terminator removed); may wait until `give_up` is set."""
        ...

    def stream_frame(self, scale: ScaleState) -> bytes:
        """The next frame of a repeating answer (MT-SICS SIR)."""
        ...
