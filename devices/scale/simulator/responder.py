"""What a simulated serial scale makes of the bytes a host sends, whatever carries them.

The pty server and the in-memory port both hand the host's bytes to a `ScaleResponder`
and put what it gives back on their line, so the replies are byte for byte the same;
only when the bytes arrive (the pty's line speed) is the transport's business.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Mapping
from decimal import Decimal

from .mtsics import MtSics
from .nci import Nci
from .protocol import ScaleProtocol
from .readout import check_decimals
from .state import ScaleState

MAX_LINE = 64  # a longer line without a terminator is answered as one bad command
SERIAL_NUMBER = "0123456789"
STABLE_WAIT = 3.0  # seconds MT-SICS S waits for a moving load to rest

PROTOCOL_NAMES = ("mt-sics", "nci")


def make_protocol(
    name: str,
    resolution: Mapping[str, int] | None = None,
    *,
    serial_number: str,
    stable_wait: float,
) -> ScaleProtocol:
    """The protocol called `name`; `resolution` overrides its decimals per display unit."""
    if name == "mt-sics":
        return MtSics(_decimals(MtSics.default_decimals, resolution), serial_number, stable_wait)
    if name == "nci":
        return Nci(_decimals(Nci.default_decimals, resolution))
    raise ValueError(f"unknown scale protocol {name!r}; known: {', '.join(PROTOCOL_NAMES)}")


def _decimals(default: Mapping[str, int], resolution: Mapping[str, int] | None) -> dict[str, int]:
    return check_decimals({**default, **(resolution or {})})


class ScaleResponder:
    """One plugged-in line's view of the scale: the command line being received, whether an
    answer repeats (MT-SICS SIR), and the faults `state` asks for on the way back."""

    def __init__(self, protocol: ScaleProtocol, state: ScaleState, noise_source: random.Random) -> None:
        self.protocol = protocol
        self.state = state
        self.streaming = False
        self._pending = bytearray()
        self._random = noise_source

    @property
    def answering(self) -> bool:
        return self.state.powered and not self.state.silent

    def replies(self, data: bytes, give_up: threading.Event) -> Iterator[bytes]:
        """The answer to each command line `data` completes, in order; each is worked out only
        once the one before has been taken (and sent), as a scale answers one at a time."""
        if not self.answering:
            self._pending.clear()  # switched off or set to another protocol: the bytes mean nothing
            self.streaming = False
            return
        self._pending += data
        for line in self._complete_lines():
            answer = self.protocol.answer(line, self.state, give_up)
            self.streaming = answer.streams  # any command ends a stream (MT-SICS SIR)
            if answer.reply:
                yield answer.reply

    def stream_frame(self) -> bytes:
        """The next frame of a repeating answer; b"" (and the stream ends) once the scale stops answering."""
        if not self.answering:
            self.streaming = False
            return b""
        return self.protocol.stream_frame(self.state)

    def on_the_wire(self, reply: bytes, speed_matches: bool) -> bytes:
        """`reply` as the host's UART receives it, with any noise or cut the state asks for."""
        if not reply:
            return b""
        noise = self.noise(self.state.claim_garbage())
        if self.state.claim_half_frame():
            reply = reply[: len(reply) // 2]
        if not speed_matches:
            # The host samples at the wrong rate: every byte arrives as something else.
            reply = self.noise(len(reply))
        return noise + reply

    def noise(self, count: int) -> bytes:
        return bytes(byte | 0x80 for byte in self._random.randbytes(count))

    def _complete_lines(self) -> list[bytes]:
        lines = []
        pending, terminator = self._pending, self.protocol.terminator
        while (end := pending.find(terminator)) >= 0:
            lines.append(bytes(pending[:end]))
            del pending[: end + len(terminator)]
        if len(pending) > MAX_LINE:
            lines.append(bytes(pending))
            pending.clear()
        return lines


class ScaleFrontPanel:
    """What a person does to a simulated scale, whatever line it answers on: switch it on and
    off, put a load on it, read its resolution."""

    state: ScaleState
    _protocol: ScaleProtocol

    @property
    def powered(self) -> bool:
        return self.state.powered

    @powered.setter
    def powered(self, on: bool) -> None:
        self.state.powered = on

    @property
    def decimals(self) -> Mapping[str, int]:
        """Decimals the scale shows in each display unit (its resolution)."""
        return dict(self._protocol.decimals)

    def settle(self, grams: Decimal, after: float) -> None:
        """The load changes to `grams` now and moves for `after` seconds; see state.settled_at."""
        self.state.settle(grams, after)
