"""ESC/POS printer simulator on a TCP port; type commands (help) to change its state while it runs."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from devices.simulator_console import run_simulators

from .console import run_console_command, summary
from .machine import EscPosMachine
from .server import TcpPrinterSimulator


def main(argv: list[str] | None = None) -> int:
    options = _parse_arguments(argv)
    output_dir = options.out or Path(tempfile.mkdtemp(prefix="printer-simulator-"))
    simulator = TcpPrinterSimulator(options.host, options.port, options.profile, output_dir, on_job_done=_report_job)

    def started() -> None:
        print(f"ESC/POS printer simulator ({options.profile}) listening on {simulator.address}", flush=True)
        print(f"renderings of each job go to {output_dir}; type help for commands", flush=True)

    return run_simulators([simulator], started, lambda line: run_console_command(simulator, line))


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devices.printer.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--profile", default="TM-T20II", help="python-escpos printer profile")
    parser.add_argument("--out", type=Path, help="directory for job-NNNN.txt/.png (default: a new temporary one)")
    return parser.parse_args(argv)


def _report_job(number: int, job: EscPosMachine) -> None:
    print(f"job {number} ended: {summary(job)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
