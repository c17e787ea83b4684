"""ESC/POS printer simulator on a TCP port; type commands (help) to change its state while it runs."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
from pathlib import Path
from types import FrameType

from .console import QuitRequested, read_commands, summary
from .machine import EscPosMachine
from .server import TcpPrinterSimulator


class _Terminated(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    options = _parse_arguments(argv)
    output_dir = options.out or Path(tempfile.mkdtemp(prefix="printer-simulator-"))
    simulator = TcpPrinterSimulator(options.host, options.port, options.profile, output_dir, on_job_done=_report_job)
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        simulator.start()
        print(f"ESC/POS printer simulator ({options.profile}) listening on {simulator.address}", flush=True)
        print(f"renderings of each job go to {output_dir}; type help for commands", flush=True)
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
    parser = argparse.ArgumentParser(prog="python -m devices.printer.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--profile", default="TM-T20II", help="python-escpos printer profile")
    parser.add_argument("--out", type=Path, help="directory for job-NNNN.txt/.png (default: a new temporary one)")
    return parser.parse_args(argv)


def _report_job(number: int, job: EscPosMachine) -> None:
    print(f"job {number} ended: {summary(job)}", flush=True)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


if __name__ == "__main__":
    sys.exit(main())
