"""Postage-scale simulator on a pseudo-terminal; type commands (help) to change what it weighs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from frontdesk.devices.simulator_console import run_simulators

from .console import run_console_command
from .server import PROTOCOL_NAMES, ScaleSimulator


def main(argv: list[str] | None = None) -> int:
    options = _parse_arguments(argv)
    try:
        simulator = ScaleSimulator(options.protocol, options.link, options.baudrate)
    except ValueError as problem:
        print(f"cannot run the simulator: {problem}", file=sys.stderr)
        return 2

    def started() -> None:
        print(f"{options.protocol} scale simulator at {options.baudrate} baud on {simulator.device_path}", flush=True)
        print("type help for commands", flush=True)

    return run_simulators([simulator], started, lambda line: run_console_command(simulator, line))


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m frontdesk.devices.scale.simulator", description=__doc__)
    parser.add_argument("--protocol", choices=PROTOCOL_NAMES, default="mt-sics")
    parser.add_argument("--link", type=Path, help="the stable device path (default: a new temporary directory's scale)")
    parser.add_argument("--baudrate", type=int, default=9600)
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
