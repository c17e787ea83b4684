"""ESC/POS printer simulator on a TCP port; type commands (help) to change its state while it runs."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from frontdesk.devices.simulator_console import run_simulators

from .console import run_console_command, summary
from .machine import EscPosMachine
from .server import TcpPrinterSimulator


def main(argv: list[str] | None = None) -> int:
    options = _parse_arguments(argv)
    output_dir = options.out or Path(tempfile.mkdtemp(prefix="printer-simulator-"))
    simulator = TcpPrinterSimulator(options.host, options.port, options.profile, output_dir, on_job_done=_report_job,
                                    status_back=options.status_back, throttle=options.throttle)

    def started() -> None:
        kind = options.profile if options.status_back else f"{options.profile}, no Automatic Status Back"
        print(f"ESC/POS printer simulator ({kind}) listening on {simulator.address}", flush=True)
        print(f"renderings of each job go to {output_dir}; type help for commands", flush=True)

    return run_simulators([simulator], started, lambda line: run_console_command(simulator, line))


def _parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m frontdesk.devices.printer.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--profile", default="TM-T20II", help="python-escpos printer profile")
    parser.add_argument("--out", type=Path, help="directory for job-NNNN.txt/.png (default: a new temporary one)")
    parser.add_argument("--no-status-back", dest="status_back", action="store_false",
                        help="ignore GS a (send no Automatic Status Back), answering only DLE EOT, "
                             "as many 58 mm printers do")
    parser.add_argument("--throttle", type=int, metavar="BYTES_PER_SECOND",
                        help="print (and so take bytes from the line) no faster than this, as a slow printer")
    return parser.parse_args(argv)


def _report_job(number: int, job: EscPosMachine) -> None:
    print(f"job {number} ended: {summary(job)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
