"""The Pi's production install (systemd/install-pi) into a throw-away root, once per session.

`pi_install` runs `systemd/install-pi --root DIR --no-apt --no-systemd` with Debian's Python
(about 30 s; pip's cache keeps it offline) and gives the tree to every test that asks for it.
`manager_install` is systemd/install-manager into a second root, for the manager's machine,
started beside the Pi's so that the two pip installs overlap; it is given the Pi's manager
password file (`--manager-password-file`), as whoever installs the manager copies it over.
Import them into a test module with `from install_fixtures import installs, pi_install  # noqa: F401`.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
INSTALL_PI = CHECKOUT / "systemd" / "install-pi"
INSTALL_MANAGER = CHECKOUT / "systemd" / "install-manager"
SYSTEM_PYTHON = Path("/usr/bin/python3")


@dataclass
class PiInstall:
    root: Path           # the --root: etc/, opt/, var/ below it
    port: int            # the broker port written into the config and Mosquitto's conf
    output: str          # what the first run printed (stdout and stderr)
    command: list[str]   # to run it again

    @property
    def venv(self) -> Path:
        return self.root / "opt" / "frontdesk"

    @property
    def etc(self) -> Path:
        return self.root / "etc" / "frontdesk"

    @property
    def config(self) -> Path:
        return self.etc / "frontdesk.toml"

    def run(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command, capture_output=True, text=True, env=install_env(), timeout=600)


def install_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = env.get("PATH", "") + ":/usr/sbin:/sbin"
    # Nothing of the developer's venv may leak into the installed one.
    for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
        env.pop(name, None)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def throwaway_root(prefix: str) -> Path:
    # Not under pytest's tmp_path (/tmp/pytest-of-root is 0700): the service users must reach it.
    root = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    root.chmod(0o755)
    return root


@pytest.fixture(scope="session")
def installs():
    """Both installers, started together; each fixture below waits for its own."""
    if os.geteuid() != 0:
        pytest.skip("systemd/install-pi makes system users and chowns files: it needs root")
    if not SYSTEM_PYTHON.exists():
        pytest.skip(f"{SYSTEM_PYTHON} (Debian's Python, readable by the service users) is missing")
    pi_root, manager_root = throwaway_root("frontdesk-root-"), throwaway_root("frontdesk-manager-root-")
    port = free_port()
    pi_command = [str(INSTALL_PI), "--root", str(pi_root), "--no-apt", "--no-systemd",
                  "--mqtt-port", str(port), "--site", "hq"]
    # The manager's MQTT password, made before either installer runs: install-pi keeps a password
    # file it finds, so both can start at once and their pip installs overlap.
    manager_password = pi_root / "etc" / "frontdesk" / "manager.password"
    manager_password.parent.mkdir(parents=True)
    manager_password.parent.chmod(0o755)
    manager_password.write_text(secrets.token_hex(16) + "\n")
    manager_password.chmod(0o400)
    manager_log = manager_root.with_suffix(".log")
    manager = subprocess.Popen(
        [str(INSTALL_MANAGER), "--root", str(manager_root), "--no-apt", "--no-systemd", "--broker", "127.0.0.1",
         "--mqtt-port", str(port), "--site", "hq", "--manager-password-file", str(manager_password)],
        stdout=manager_log.open("w"), stderr=subprocess.STDOUT, env=install_env())
    done = subprocess.run(pi_command, capture_output=True, text=True, env=install_env(), timeout=900)
    pi = PiInstall(root=pi_root, port=port, output=done.stdout + done.stderr, command=pi_command)
    assert done.returncode == 0, pi.output
    state = {"pi": pi, "manager_process": manager, "manager_root": manager_root, "manager_log": manager_log}
    yield state
    if manager.poll() is None:
        manager.kill()
    for folder in (pi_root, manager_root):
        shutil.rmtree(folder, ignore_errors=True)
    manager_log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def pi_install(installs) -> PiInstall:
    return installs["pi"]


@pytest.fixture(scope="session")
def manager_install(installs) -> Path:
    """The manager's root (etc/frontdesk, opt/frontdesk, var/lib/frontdesk-manager under it)."""
    installs["manager_process"].wait(900)
    assert installs["manager_process"].returncode == 0, installs["manager_log"].read_text()
    return installs["manager_root"]
