"""Starting, waiting for and stopping the lab's processes, and the system services it needs."""


from __future__ import annotations

import os
import socket
import stat
import subprocess
from pathlib import Path

from testbed import wait_until

from cups_lab.files import (
    READY_ATTEMPTS,
    READY_INTERVAL,
    HOST,
    STOP_TIMEOUT,
)

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def check_reachable_by_lp(root: Path) -> None:
    if os.geteuid() != 0:
        return  # cupsd then runs its filters as this user
    for directory in root.resolve().parents:
        if not directory.stat().st_mode & stat.S_IXOTH:
            raise ValueError(
                f"CupsLab root {root}: user lp, which runs CUPS filters, cannot enter {directory}; "
                "use a directory from tempfile.TemporaryDirectory()"
            )


def run(command: list[str]) -> str:
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def start_process(running: subprocess.Popen | None, command: list[str], log: Path, env=None) -> subprocess.Popen:
    if running is not None and running.poll() is None:
        raise RuntimeError(f"{command[0]} is already running")
    with open(log, "ab") as output:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT, env=env)


def stop_process(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT)


def wait_until_listening(process: subprocess.Popen, port: int, *logs: Path) -> None:
    name = process.args[0]

    def listening() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with status {process.returncode}:\n" + "\n".join(map(tail, logs)))
        try:
            socket.create_connection((HOST, port), timeout=READY_INTERVAL).close()
            return True
        except OSError:
            return False

    wait_until(listening, READY_ATTEMPTS * READY_INTERVAL, f"{name} listening on {HOST}:{port}",
               interval=READY_INTERVAL, last=lambda: "\n".join(map(tail, logs)))


def tail(log: Path, lines: int = 20) -> str:
    if not log.exists() or not log.stat().st_size:
        return f"({log}: empty)"
    return f"end of {log}:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def ensure_dbus_and_avahi() -> None:
    """ippeveprinter needs avahi-daemon, which needs the system D-Bus: start what is missing.

    Both are system-wide services, so they stay running for everything else.
    """
    if not dbus_running():
        require_root("mkdir -p /run/dbus && dbus-daemon --system --fork")
        Path("/run/dbus").mkdir(parents=True, exist_ok=True)
        Path("/run/dbus/pid").unlink(missing_ok=True)  # left by an unclean stop, it stops dbus-daemon starting
        run(["dbus-daemon", "--system", "--fork"])
    if not avahi_running():
        require_root("avahi-daemon --daemonize --no-chroot")
        run(["avahi-daemon", "--daemonize", "--no-chroot"])
    wait_until(lambda: dbus_running() and avahi_running(), READY_ATTEMPTS * READY_INTERVAL,
               "dbus-daemon and avahi-daemon both up (ippeveprinter needs them)", interval=READY_INTERVAL)


def dbus_running() -> bool:
    with socket.socket(socket.AF_UNIX) as bus:
        return bus.connect_ex("/run/dbus/system_bus_socket") == 0


def avahi_running() -> bool:
    return subprocess.run(["avahi-daemon", "--check"], check=False, capture_output=True).returncode == 0


def require_root(start_command: str) -> None:
    if os.geteuid() != 0:
        raise RuntimeError(f"ippeveprinter needs the system D-Bus and avahi-daemon running; as root: {start_command}")
