"""The typed-command loop the device simulators share, for a person at a terminal."""

from __future__ import annotations

import os
import select
import signal
import sys
from collections.abc import Callable


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
