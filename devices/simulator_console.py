"""Running device simulators for a person at a terminal: typed commands, clean stop."""

from __future__ import annotations

import os
import select
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Protocol


class Simulator(Protocol):
    def start(self) -> object: ...

    def stop(self) -> None: ...


class QuitRequested(Exception):
    """A person typed `quit`."""


class _Terminated(Exception):
    pass


def run_simulators(
    simulators: Sequence[Simulator],
    on_started: Callable[[], None],
    run_command: Callable[[str], str] | None,
    stopped: str = "simulator stopped",
) -> int:
    """Start the simulators, then take typed commands (if `run_command`) until quit.

    Ctrl-C, SIGTERM, `quit` and end of input on a terminal all stop every
    simulator cleanly, without a traceback. `on_started` runs once all are up.
    """
    signal.signal(signal.SIGTERM, _raise_terminated)
    started: list[Simulator] = []
    try:
        for simulator in simulators:
            simulator.start()
            started.append(simulator)
        on_started()
        if run_command is not None:
            read_commands(run_command)
    except (KeyboardInterrupt, _Terminated, QuitRequested):
        pass
    except OSError as problem:
        print(f"cannot run the simulator: {problem}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not interrupt the stop
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for simulator in reversed(started):
            simulator.stop()
    print(stopped, flush=True)
    return 0


def read_commands(run_command: Callable[[str], str]) -> None:
    """Apply each line typed on stdin until end of input, printing the answers.

    Started in the background by a script (stdin not a terminal), the simulator
    keeps serving after end of input until a signal stops it.
    """
    for line in sys.stdin:
        answer = run_command(line)
        if answer:
            print(answer, flush=True)
    if not sys.stdin.isatty():
        wait_for_a_signal()


def wait_for_a_signal() -> None:
    """Block until a signal's Python handler raises (SIGTERM, Ctrl-C)."""
    # Not signal.pause(): a signal arriving just before pause() starts is missed and the
    # process hangs. The wakeup fd keeps a byte for it, and any thread's signal wakes us.
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    previous = signal.set_wakeup_fd(wake_write)
    try:
        while True:
            select.select([wake_read], [], [])
            os.read(wake_read, 64)  # a signal whose handler did not raise (e.g. SIGCHLD): wait on
    finally:
        signal.set_wakeup_fd(previous)
        os.close(wake_read)
        os.close(wake_write)


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated
