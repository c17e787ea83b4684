"""systemd/install-pi into a throw-away root: the venv, owners and modes, who may read what,
the config checks as the service users, and a second run that changes nothing."""
from __future__ import annotations

import grp
import json
import pwd
import subprocess

import pytest
from install_fixtures import installs, manager_install, pi_install  # noqa: F401
from test_packaging import PI_ONLY

pytestmark = pytest.mark.timeout(900)

MANAGER_ONLY = {"sqlalchemy", "psycopg", "psycopg-binary", "starlette", "uvicorn", "sse-starlette", "matplotlib",
                "weasyprint", "jinja2", "itsdangerous", "python-multipart"}
TEST_ONLY = {"pytest", "hypothesis", "playwright", "ruff", "mypy", "aiosmtpd"}


def owner_and_mode(path):
    st = path.stat()
    return pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name, oct(st.st_mode & 0o7777)


def as_user(user, *command):
    # A clean environment, as systemd gives the services (nothing of root's, such as a cache under /root).
    clean = ["env", "-i", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/nonexistent"]
    return subprocess.run(["runuser", "-u", user, "--", *clean, *command], capture_output=True, text=True, timeout=60)


def test_the_venv_holds_the_pi_and_nothing_of_the_manager(pi_install):  # noqa: F811
    listing = subprocess.run([str(pi_install.venv / "bin" / "python"), "-m", "pip", "list", "--format", "json"],
                             capture_output=True, text=True, check=True).stdout
    names = {entry["name"].lower().replace("_", "-") for entry in json.loads(listing)}
    assert {"frontdesk", "kivy", "python-escpos", "pycups", "pyserial", "paho-mqtt"} <= names
    assert not names & MANAGER_ONLY
    assert not names & TEST_ONLY
    for program in ("frontdesk", "frontdesk-agent", "frontdesk-kiosk"):
        assert (pi_install.venv / "bin" / program).exists()


def test_frontdesk_imports_from_the_venv_not_the_checkout(pi_install):  # noqa: F811
    where = subprocess.run([str(pi_install.venv / "bin" / "python"), "-c",
                            "import frontdesk.agent, frontdesk.kiosk; print(frontdesk.agent.__file__)"],
                           capture_output=True, text=True, check=True, cwd="/").stdout.strip()
    assert where.startswith(str(pi_install.venv / "lib")), where
    assert "/work/main" not in where


@pytest.mark.parametrize(("path", "owner", "group", "mode"), [
    ("etc/frontdesk", "root", "root", "0o755"),
    ("etc/frontdesk/frontdesk.toml", "root", "frontdesk", "0o640"),
    ("etc/frontdesk/agent.password", "frontdesk", "frontdesk", "0o400"),
    ("etc/frontdesk/kiosk.password", "frontdesk-kiosk", "frontdesk-kiosk", "0o400"),
    ("etc/frontdesk/cli.password", "root", "frontdesk-staff", "0o440"),
    ("etc/frontdesk/manager.password", "root", "root", "0o400"),
    ("etc/mosquitto/frontdesk.acl", "root", "mosquitto", "0o640"),
    ("etc/mosquitto/frontdesk.passwd", "root", "mosquitto", "0o640"),
    ("etc/mosquitto/conf.d/frontdesk.conf", "root", "root", "0o644"),
    ("var/lib/frontdesk", "frontdesk", "frontdesk", "0o700"),
    ("var/lib/frontdesk-kiosk", "frontdesk-kiosk", "frontdesk-kiosk", "0o700"),
    ("var/cache/frontdesk", "frontdesk", "frontdesk", "0o700"),
    ("etc/systemd/system/frontdesk-agent.service", "root", "root", "0o644"),
    ("etc/systemd/system/frontdesk-kiosk.service", "root", "root", "0o644"),
    ("etc/udev/rules.d/99-frontdesk.rules", "root", "root", "0o644"),
    ("etc/modules-load.d/frontdesk.conf", "root", "root", "0o644"),
])
def test_owners_and_modes(pi_install, path, owner, group, mode):  # noqa: F811
    if group == "mosquitto":
        try:
            grp.getgrnam("mosquitto")
        except KeyError:
            group = "root"
    assert owner_and_mode(pi_install.root / path) == (owner, group, mode)


def test_the_users_and_their_groups(pi_install):  # noqa: F811
    def groups(user):
        return set(subprocess.run(["id", "-nG", user], capture_output=True, text=True, check=True).stdout.split())
    existing = {g.gr_name for g in grp.getgrall()}
    assert {"lp", "dialout", "plugdev", "lpadmin"} & existing <= groups("frontdesk")
    assert ({"video", "input", "render"} & existing) | {"frontdesk"} <= groups("frontdesk-kiosk")
    assert "frontdesk-staff" in existing


@pytest.mark.parametrize(("user", "readable", "unreadable"), [
    ("frontdesk", ["frontdesk.toml", "agent.password"], ["kiosk.password", "cli.password", "manager.password"]),
    ("frontdesk-kiosk", ["frontdesk.toml", "kiosk.password"], ["agent.password", "cli.password", "manager.password"]),
    ("nobody", [], ["frontdesk.toml", "agent.password", "kiosk.password", "cli.password", "manager.password"]),
])
def test_each_user_reads_what_it_needs_and_nothing_else(pi_install, user, readable, unreadable):  # noqa: F811
    for name in readable:
        assert as_user(user, "test", "-r", str(pi_install.etc / name)).returncode == 0, (user, name)
    for name in unreadable:
        assert as_user(user, "test", "-r", str(pi_install.etc / name)).returncode != 0, (user, name)
    if user == "frontdesk":
        assert as_user(user, "test", "-w", str(pi_install.root / "var/lib/frontdesk")).returncode == 0
    if user == "frontdesk-kiosk":
        assert as_user(user, "test", "-w", str(pi_install.root / "var/lib/frontdesk-kiosk")).returncode == 0
        # It is in group frontdesk (for the config), yet the agent's folder is the agent's alone.
        assert as_user(user, "test", "-r", str(pi_install.root / "var/lib/frontdesk")).returncode != 0
        assert as_user(user, "test", "-w", str(pi_install.root / "var/lib/frontdesk")).returncode != 0


def test_the_config_is_adapted_and_checks_as_each_user(pi_install):  # noqa: F811
    import tomllib
    config = tomllib.loads(pi_install.config.read_text())
    root = str(pi_install.root)
    assert config["site"] == "hq" and config["agent"]["id"] == "main" and config["kiosk"]["id"] == "lobby"
    assert config["agent"]["data_dir"] == f"{root}/var/lib/frontdesk"
    assert config["kiosk"]["data_dir"] == f"{root}/var/lib/frontdesk-kiosk"
    assert config["mqtt"].items() >= {"host": "localhost", "port": pi_install.port, "username": "frontdesk-agent",
                                   "password_file": f"{root}/etc/frontdesk/agent.password"}.items()
    assert config["kiosk"]["mqtt"]["username"] == "frontdesk-kiosk-lobby"
    assert config["cli"]["mqtt"]["username"] == "frontdesk-staff"
    env = [f"FRONTDESK_CONFIG={pi_install.config}"]
    agent = as_user("frontdesk", "env", *env, str(pi_install.venv / "bin" / "frontdesk"), "config", "check")
    assert agent.returncode == 0 and "as frontdesk-agent" in agent.stdout, agent.stdout + agent.stderr
    kiosk = as_user("frontdesk-kiosk", "env", *env, str(pi_install.venv / "bin" / "frontdesk-kiosk"), "config", "check")
    assert kiosk.returncode == 0 and "as frontdesk-kiosk-lobby" in kiosk.stdout, kiosk.stdout + kiosk.stderr


def test_the_broker_files_and_units_point_into_the_root(pi_install):  # noqa: F811
    root = str(pi_install.root)
    conf = (pi_install.root / "etc/mosquitto/conf.d/frontdesk.conf").read_text().splitlines()
    assert f"listener {pi_install.port}" in conf
    assert f"password_file {root}/etc/mosquitto/frontdesk.passwd" in conf
    logins = [line.split(":")[0] for line in (pi_install.root / "etc/mosquitto/frontdesk.passwd").read_text().splitlines()]
    assert sorted(logins) == ["frontdesk-agent", "frontdesk-kiosk-lobby", "frontdesk-manager", "frontdesk-staff"]
    unit = (pi_install.root / "etc/systemd/system/frontdesk-agent.service").read_text().splitlines()
    assert f"ExecStart={root}/opt/frontdesk/bin/frontdesk-agent" in unit
    assert f"Environment=FRONTDESK_CONFIG={root}/etc/frontdesk/frontdesk.toml" in unit
    assert "/.venv/" not in "\n".join(unit)


def test_a_second_run_changes_nothing_and_says_so(pi_install):  # noqa: F811
    files = sorted(p for p in pi_install.etc.iterdir()) + [pi_install.root / "etc/mosquitto/frontdesk.passwd"]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
    again = pi_install.run()
    assert again.returncode == 0, again.stdout + again.stderr
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in files} == before
    assert "Made or changed (0):" in again.stdout and "Nothing changed" in again.stdout
    assert "frontdesk[pi] in" in again.stdout and "the same source" in again.stdout
    assert "password unchanged" in again.stdout


def test_the_manager_s_venv_holds_the_manager_and_nothing_of_the_pi(manager_install):  # noqa: F811
    python = manager_install / "opt" / "frontdesk" / "bin" / "python"
    listing = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"],
                             capture_output=True, text=True, check=True).stdout
    names = {entry["name"].lower().replace("_", "-") for entry in json.loads(listing)}
    assert {"frontdesk", "sqlalchemy", "matplotlib", "weasyprint", "starlette"} <= names
    assert not names & PI_ONLY
    assert not names & TEST_ONLY
