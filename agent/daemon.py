"""`frontdesk-agent`: the one process that owns the devices.

It supervises every configured printer, scale and queue, publishes their
health over MQTT, announces them to Home Assistant and answers commands (see
docs/mqtt.md). Under systemd it reports readiness and feeds the watchdog
(agent/systemd.py, docs/deploy.md). Durable print jobs are still to come.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence

from agent import systemd
from contract.config import ConfigError, FrontdeskConfig, load_config

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
        signal.signal(signum, lambda *_: _stopping(stop))
    agent = Agent(config)
    systemd.Watchdog(_health_check(agent), stop).start()
    # run() starts the link and the device threads without waiting for either, then blocks.
    systemd.notify(READY=1, STATUS=_status(config))
    agent.run(stop)
    return 0


def _stopping(stop: threading.Event) -> None:
    systemd.notify(STOPPING=1, STATUS="stopping")
    stop.set()


def _health_check(agent) -> Callable[[], bool]:
    # Until Agent has healthy(), pings only prove that the process still runs Python.
    return getattr(agent, "healthy", None) or (lambda: True)


def _status(config: FrontdeskConfig) -> str:
    count = len(config.printer) + len(config.scale) + len(config.queue)
    host = f"[{config.mqtt.host}]" if ":" in config.mqtt.host else config.mqtt.host
    return f"{count} device{'' if count == 1 else 's'}, broker {host}:{config.mqtt.port}"


if __name__ == "__main__":
    sys.exit(main())
