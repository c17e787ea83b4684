"""Helpers the tests share, importable by name from any test module (`from testbed import ...`).

conftest.py files all share one module name, so a test module must not import
from them; the fixtures stay in conftest.py and use these.

Waiting: `wait_until(predicate, timeout, what)` is the one waiting loop (blocking on a
Condition where something notifies, polling otherwise); `Recorder` is the one MQTT
subscriber, and its `sync()` and `command()` are the sentinels for "nothing more came":
a test does not sleep and then look for what did not arrive.
"""

from __future__ import annotations

import threading
from pathlib import Path


from mqtt_recorder import Message, Recorder  # noqa: F401 - re-exported: tests import them from testbed
from waiting import wait_until  # noqa: F401 - re-exported

from frontdesk.contract.config import FrontdeskConfig, parse_config

OFFICE_TOML = """
site = "test"
[office]
name = "Exemplu SRL"
address = ["Strada Ștefan cel Mare 12", "700000 Iași"]
language = "ro"
currency = "RON"
timezone = "Europe/Bucharest"
tax_rate = 0.19
receipt_footer = "Mulțumim pentru vizită!"
"""


AGENT_PREFIX = "frontdesk/test/agent/main"
# How often the agent of the agent tests' rig asks the copier itself ([cups] device_poll_interval).
RIG_DEVICE_POLL = 1.0


def watcher_on(broker) -> Recorder:
    """What the manager's side sees of the test agent: everything under frontdesk/ and homeassistant/."""
    return Recorder(broker, "frontdesk/#", "homeassistant/#", prefix=AGENT_PREFIX)


def printer_config(connection: str, profile: str = "TM-T20II", **settings) -> FrontdeskConfig:
    """A config with one printer, written as TOML and parsed like the real file."""
    lines = ['id = "desk"', f'connection = "{connection}"', f'profile = "{profile}"']
    lines += [f"{key} = {_toml(value)}" for key, value in settings.items()]
    return parse_config(OFFICE_TOML + "[[printer]]\n" + "\n".join(lines) + "\n")


def agent_toml(broker, printer_port: int, data_dir: Path, printer_id: str = "desk-printer",
               interval: float = 0.3, **settings) -> str:
    """The TOML of an agent on `broker` with one network printer (a simulator on `printer_port`),
    checked often and answering quickly, as the agent tests run it; `settings` go to [[printer]]."""
    lines = [f'id = "{printer_id}"', 'connection = "network"', 'host = "127.0.0.1"', f"port = {printer_port}",
             "status_timeout = 0.3", *(f"{key} = {_toml(value)}" for key, value in settings.items())]
    return (OFFICE_TOML + f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
            f'[agent]\ndata_dir = "{data_dir}"\nprinter_interval = {interval}\n'
            "[[printer]]\n" + "\n".join(lines) + "\n")


def _toml(value) -> str:
    if isinstance(value, (str, Path)):
        return f'"{value}"'
    return str(value).lower() if isinstance(value, bool) else str(value)


def scale_config(protocol: str, device, **settings):
    """The config of one scale, parsed like the real file."""
    lines = ['id = "mail-scale"', f'protocol = "{protocol}"', f'device = "{device}"', "timeout = 0.5"]
    lines += [f"{key} = {_toml(value)}" for key, value in settings.items()]
    return parse_config(OFFICE_TOML + "[[scale]]\n" + "\n".join(lines) + "\n").scale[0]


def queue_configs(lab) -> dict:
    config = parse_config(
        OFFICE_TOML
        + f'[cups]\nserver = "{lab.server}"\n'
        + '[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n'
        + '[[queue]]\nid = "fax"\ncups_name = "Fax"\nkind = "fax"\n'
    )
    return {queue.id: queue for queue in config.queue}


def run_frontdesk(*args: str, config: Path, timeout: float = 60):
    """`frontdesk ARGS --config CONFIG` as a staff member runs it: a real process."""
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "frontdesk.agent.cli", *args, "--config", str(config)],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, "FRONTDESK_CONFIG": ""},
    )


class RunningDemo:
    """`frontdesk demo` as a newcomer runs it: a process whose output is followed line by line."""

    def __init__(self, workdir: Path, env: dict | None = None) -> None:
        import subprocess
        import sys
        import threading

        self.process = subprocess.Popen(
            [sys.executable, "-m", "frontdesk.agent.cli", "demo", "--workdir", str(workdir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )
        self.lines: list[str] = []
        self._arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def output(self) -> str:
        with self._arrived:
            return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 40) -> str:
        """The first line containing `text`, once it has been printed."""
        return wait_until(lambda: next((line for line in self.lines if text in line), None), timeout,
                          f"{text!r} in the demo's output", condition=self._arrived, last=lambda: "".join(self.lines))

    def type_in(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def quit(self, timeout: float = 40) -> int:
        self.type_in("quit")
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        self.process.kill()

    def _read(self) -> None:
        for line in self.process.stdout:
            with self._arrived:
                self.lines.append(line)
                self._arrived.notify_all()


def unit_complaints(unit: Path) -> list[str]:
    """What `systemd-analyze verify` says of a unit file; on this machine it always at least says
    that the Pi's /opt/frontdesk executables are missing (and exits 1 for it)."""
    import subprocess

    result = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60,
                            check=False)
    return [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]


def _openssl(*args: str, cwd: Path) -> None:
    import subprocess

    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_test_ca(folder: Path) -> None:
    """ca.key and ca.crt in `folder`: a throw-away CA for the TLS tests (openssl, as an admin would)."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
             "-subj", "/CN=Frontdesk test CA", cwd=folder)


def issue_certificate(name: str, subject: str, folder: Path, extensions: str = "") -> None:
    """<name>.key and <name>.crt in `folder`, signed by make_test_ca's CA."""
    _openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
             "-subj", subject, cwd=folder)
    args = ["x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.crt", "-days", "2"]
    if extensions:
        (folder / f"{name}.ext").write_text(extensions)
        args += ["-extfile", f"{name}.ext"]
    _openssl(*args, cwd=folder)


class RunningAgent:
    """`with RunningAgent(config) as agent:` the agent in this process, on its own thread,
    stopped on leaving (and checked to have stopped)."""

    def __init__(self, config: FrontdeskConfig) -> None:
        from frontdesk.agent.runtime import Agent

        self.agent, self.stop = Agent(config), threading.Event()
        self.thread = threading.Thread(target=self.agent.run, args=(self.stop,), name="agent-under-test")

    def __enter__(self):
        self.thread.start()
        return self.agent

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "the agent did not stop"
        # A stopped agent process ends, and the kernel drops its device locks; this one lives on
        # in the test's process, so they are dropped here for the next agent (or --direct).
        for lock in getattr(self.agent, "device_locks", ()):
            lock.release()
