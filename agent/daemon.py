"""`frontdesk-agent`: the one process that owns the devices.

It supervises every configured printer, scale and queue, publishes their
health over MQTT, announces them to Home Assistant and answers commands (see
docs/mqtt.md). Under systemd it reports readiness and feeds the watchdog
only while it is healthy (agent/systemd.py, docs/deploy.md).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from frontdesk.agent import systemd
from frontdesk.agent.config_check import cross_reference_problems
from frontdesk.contract.config import ConfigError, FrontdeskConfig
from frontdesk.contract.config_files import load_checked_config
from frontdesk.contract.installed import needs_extra


@needs_extra("frontdesk-agent", "pi")
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="frontdesk-agent", description="Frontdesk device agent.")
    parser.add_argument("--config", metavar="FILE", help="config file (default: $FRONTDESK_CONFIG or /etc/frontdesk/frontdesk.toml)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # python-escpos logs every connection at INFO on the root logger: twice a minute per printer.
    logging.getLogger().handlers[0].addFilter(lambda record: "/escpos/" not in record.pathname)
    try:
        # The files it names too: a missing CA file or an unwritable data_dir is a config
        # mistake (exit 2, not restarted), not a crash on the way up.
        config = load_checked_config(args.config, "agent")
        # What it refers to too: a carrier without a rate table, two devices on one port.
        problems = cross_reference_problems(config)
        if problems:
            raise ConfigError(*problems)
    except ConfigError as error:
        return error.tell("frontdesk-agent")
    from frontdesk.agent.device_lock import DeviceHeld
    from frontdesk.agent.runtime import Agent

    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())  # nothing else in a signal handler
    threading.Thread(target=_say_stopping, args=(stop,), name="stopping", daemon=True).start()
    try:
        agent = Agent(config)
    except DeviceHeld as error:  # a second agent on this Pi, or `frontdesk ... --direct`: not restarted
        print(f"frontdesk-agent: {error}; it must be stopped first", file=sys.stderr)
        return 2
    _release_start_up_memory()
    systemd.Watchdog(agent.healthy, stop).start()
    # run() starts the link and the device threads without waiting for either, then blocks.
    systemd.notify(READY=1, STATUS=_status(config))
    agent.run(stop)
    return 0


def _release_start_up_memory() -> None:
    """Give back to the OS what importing and validating left free (~2 MB on a small Pi)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to trim this way


def _say_stopping(stop: threading.Event) -> None:
    stop.wait()
    systemd.notify(STOPPING=1, STATUS="stopping")


def _status(config: FrontdeskConfig) -> str:
    count = len(config.printer) + len(config.scale) + len(config.queue)
    host = f"[{config.mqtt.host}]" if ":" in config.mqtt.host else config.mqtt.host
    return f"{count} device{'' if count == 1 else 's'}, broker {host}:{config.mqtt.port}"


if __name__ == "__main__":
    sys.exit(main())
