"""Postage-scale simulator on a pseudo-terminal; type commands (help) to change what it weighs."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from .console import QuitRequested, read_commands
from .server import PROTOCOL_NAMES, ScaleSimulator


class _Terminated(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    options = _parse_arguments(argv)
    try:
        simulator = ScaleSimulator(options.protocol, options.link, options.baudrate)
    except ValueError as problem:
        print(f"cannot run the simulator: {problem}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        simulator.start()
        print(f"{options.protocol} scale simulator at {options.baudrate} baud on {simulator.device_path}", flush=True)
        print("type help for commands", flush=True)
        read_commands(simulator)
    except (KeyboardInterrupt, _Terminated, QuitRequested):
        pass
    except OSError as problem:
        print(f"cannot run the simulator: {problem}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second signal must not interrupt the stop
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        simulator.stop()
    print("simulator stopped", flush=True)
    return 0


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devices.scale.simulator", description=__doc__)
    parser.add_argument("--protocol", choices=PROTOCOL_NAMES, default="mt-sics")
    parser.add_argument("--link", type=Path, help="the stable device path (default: a new temporary directory's scale)")
    parser.add_argument("--baudrate", type=int, default=9600)
    return parser.parse_args(argv)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


if __name__ == "__main__":
    sys.exit(main())
