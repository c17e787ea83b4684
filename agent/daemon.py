"""`frontdesk-agent`: the one process that owns the devices.

It supervises every configured printer, scale and queue, publishes their
health over MQTT and answers commands (see docs/mqtt.md). Durable print jobs,
Home Assistant discovery and the systemd watchdog are still to come.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from contract.config import ConfigError, load_config

log = logging.getLogger("frontdesk.agent")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="frontdesk-agent", description="Frontdesk device agent.")
    parser.add_argument("--config", metavar="FILE", help="config file (default: $FRONTDESK_CONFIG or /etc/frontdesk/frontdesk.toml)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # python-escpos logs every connection at INFO on the root logger: twice a minute per printer.
    logging.getLogger().handlers[0].addFilter(lambda record: "/escpos/" not in record.pathname)
    try:
        config = load_config(args.config)
    except ConfigError as error:
        for problem in error.problems:
            print(f"frontdesk-agent: {problem}", file=sys.stderr)
        return 2
    from agent.runtime import Agent

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    Agent(config).run(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
