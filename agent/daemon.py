"""`frontdesk-agent`: the one process that owns the devices.

This first version supervises the receipt printers: it checks each one's status
on a fixed period and logs every change of health with its reasons. MQTT state,
commands and the durable job queue build on it.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from contract.config import ConfigError, FrontdeskConfig, load_config

log = logging.getLogger("frontdesk.agent")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="frontdesk-agent", description="Frontdesk device agent.")
    parser.add_argument("--config", metavar="FILE", help="config file (default: $FRONTDESK_CONFIG or /etc/frontdesk/frontdesk.toml)")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between status checks (default 30)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.config)
    except ConfigError as error:
        for problem in error.problems:
            print(f"frontdesk-agent: {problem}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    supervise_printers(config, args.interval, stop)
    return 0


def supervise_printers(config: FrontdeskConfig, interval: float, stop: threading.Event) -> None:
    """Check every printer once per interval until `stop` is set; log changes only."""
    from devices.printer import ReceiptPrinter

    printers = [ReceiptPrinter(p, config.office) for p in config.printer]
    if not printers:
        log.warning("no printers configured; nothing to supervise")
    last: dict[str, tuple] = {}
    while not stop.is_set():
        for printer in printers:
            status = printer.status()
            current = (status.health, status.reasons)
            if last.get(printer.id) != current:
                log.info("printer %s: %s %s", printer.id, status.health, ",".join(status.reasons) or "-")
                last[printer.id] = current
        stop.wait(interval)
    log.info("stopped")


if __name__ == "__main__":
    sys.exit(main())
