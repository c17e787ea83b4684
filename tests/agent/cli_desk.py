"""The CLI tests' desk: one private Mosquitto and one agent per test module, and the staff's
`frontdesk` as a real process against them (test_cli*.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from testbed import OFFICE_TOML, Recorder, RunningAgent, run_frontdesk

from frontdesk.agent.local_broker import LocalBroker
from frontdesk.contract.config import parse_config


@contextmanager
def desk(root: Path, devices_toml: str, office: str = "", **sections: str):
    """A broker, and an agent on it with `devices_toml`, running until the block ends; yields the
    config file (whose agent is `main` on site `test`), a Recorder of `frontdesk/#` and the broker."""
    with LocalBroker(root) as broker:
        config = write_config(root / "frontdesk.toml", broker, root / "data", devices_toml, office, **sections)
        watcher = Recorder(broker, "frontdesk/#")
        try:
            with RunningAgent(parse_config(config.read_text(encoding="utf-8"))):
                # A client sends commands once the agent is online (it subscribes on connecting).
                watcher.wait_for(lambda t, p, r: t.endswith("/agent/main/availability") and p == b"online")
                yield config, watcher, broker
        finally:
            watcher.close()


def write_config(path: Path, broker, data_dir: Path, devices_toml: str, office: str = "", **sections: str) -> Path:
    """The office (and `office`, more of its keys), the broker and the agent's data_dir, [<name>]
    `sections`, then the devices."""
    extra = "".join(f"[{name}]\n{body}\n" for name, body in sections.items())
    path.write_text(OFFICE_TOML + office + f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
                    f'[agent]\ndata_dir = "{data_dir}"\nprinter_interval = 0.3\n' + extra + devices_toml,
                    encoding="utf-8")
    return path


def frontdesk(*args: str, config: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """`frontdesk ARGS --config CONFIG`, as staff type it."""
    return run_frontdesk(*args, config=config, timeout=timeout)


def frontdesk_process(*args: str, **popen) -> subprocess.Popen:
    """`frontdesk ARGS` started, for a command that runs until it is stopped or whose output is followed."""
    return subprocess.Popen([sys.executable, "-m", "frontdesk.agent.cli", *args], text=True,
                            env={**os.environ, "FRONTDESK_CONFIG": ""}, **popen)


def one_line(result: subprocess.CompletedProcess) -> str:
    """The one line a refusal says on stderr (and nothing else: no traceback, no retry noise)."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]
