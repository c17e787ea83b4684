"""The files and folders a config names: `config check` of each program says what is wrong with
them, one line naming the key and exit 2, and each daemon refuses to start the same way."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from testbed import issue_certificate, make_test_ca, run_frontdesk

from frontdesk.contract.config import parse_config
from frontdesk.contract.config_files import file_problems

NOBODY = 65534


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("certs")
    make_test_ca(folder)
    issue_certificate("client", "/CN=frontdesk-agent", folder)
    issue_certificate("other", "/CN=someone-else", folder)
    (folder / "not-pem.txt").write_text("this is no certificate\n")
    return folder


def python(module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "FRONTDESK_CONFIG": ""})


# (TOML, the one line naming the key), with {tmp} and {certs} filled in.
AGENT_FAULTS = [
    ('[mqtt.tls]\nca_file = "{tmp}/ca.pem"\n', "mqtt.tls.ca_file: {tmp}/ca.pem does not exist"),
    ('[mqtt.tls]\nca_file = "{tmp}"\n', "mqtt.tls.ca_file: {tmp} is a folder, not a file"),
    ('[mqtt.tls]\nca_file = "{certs}/not-pem.txt"\n',
     "mqtt.tls.ca_file: {certs}/not-pem.txt is not a PEM certificate file (no certificate or crl found)"),
    ('[mqtt.tls]\ncert_file = "{certs}/client.crt"\nkey_file = "{certs}/other.key"\n',
     "mqtt.tls.key_file: {certs}/other.key is not the private key of the certificate {certs}/client.crt"),
    ('[mqtt.tls]\nkey_file = "{certs}/client.key"\n',
     "mqtt.tls.key_file: set without cert_file, the certificate it is the key of"),
    ('[agent]\ndata_dir = "{tmp}/a-file"\n', "agent.data_dir: {tmp}/a-file is not a folder"),
    ('[agent]\ndata_dir = "{tmp}/a-file/data"\n',
     "agent.data_dir: {tmp}/a-file/data cannot be created: {tmp}/a-file is not a folder"),
]


def fill(text: str, tmp: Path, certs: Path) -> str:
    return text.format(tmp=tmp, certs=certs)


def write_config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "a-file").write_text("not a folder\n")
    path = tmp_path / "frontdesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("toml, line", AGENT_FAULTS)
def test_config_check_and_the_agent_name_a_file_that_cannot_be_used(tmp_path, certs, toml, line):
    toml = fill(toml, tmp_path, certs)
    if "[agent]" not in toml:
        toml += f'[agent]\ndata_dir = "{tmp_path}/data"\n'
    config = write_config(tmp_path, toml)
    line = fill(line, tmp_path, certs)
    checked = run_frontdesk("config", "check", config=config)
    assert (checked.returncode, checked.stderr, checked.stdout) == (2, f"frontdesk: {line}\n", "")
    # The daemon stops before it starts anything: no broker is needed to see it refuse.
    started = python("frontdesk.agent.daemon", "--config", str(config))
    assert (started.returncode, started.stderr) == (2, f"frontdesk-agent: {line}\n")


def test_config_check_passes_usable_files_and_a_data_dir_still_to_be_made(tmp_path, certs):
    config = write_config(tmp_path, f'[agent]\ndata_dir = "{tmp_path}/new/data"\n[mqtt.tls]\n'
                                    f'ca_file = "{certs}/ca.crt"\ncert_file = "{certs}/client.crt"\n'
                                    f'key_file = "{certs}/client.key"\n')
    checked = run_frontdesk("config", "check", config=config)
    assert checked.returncode == 0 and checked.stdout.startswith(f"{config}: OK"), checked.stderr
    assert not (tmp_path / "new").exists()  # checked, not made


def test_every_fault_is_its_own_line(tmp_path, certs):
    config = parse_config(f'[agent]\ndata_dir = "{tmp_path}/a-file"\n[mqtt.tls]\nca_file = "{tmp_path}/ca.pem"\n')
    (tmp_path / "a-file").write_text("")
    assert file_problems(config, "agent") == [f"mqtt.tls.ca_file: {tmp_path}/ca.pem does not exist",
                                              f"agent.data_dir: {tmp_path}/a-file is not a folder"]


# -- permissions: they are the checking user's, so these run as a user other than root ---------

@pytest.fixture
def shared_folder():
    """A folder outside pytest's (which is closed to other users), that another user can reach."""
    folder = Path(tempfile.mkdtemp(prefix="frontdesk-files-"))
    folder.chmod(0o755)
    yield folder
    for parent, folders, _ in os.walk(folder):  # top-down: each folder is opened before it is entered
        for name in folders:
            os.chmod(os.path.join(parent, name), 0o755)
    shutil.rmtree(folder)


def problems_of_another_user(config, program: str) -> list[str]:
    """file_problems() as a user the files are closed to: `nobody` when the tests run as root
    (root may read and write everything), else the test's own user."""
    if os.geteuid() != 0:
        return file_problems(config, program)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        status = 1
        try:
            os.close(read)
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.write(write, json.dumps(file_problems(config, program)).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        said = pipe.read()
    assert os.waitpid(child, 0)[1] == 0, "the check failed in the unprivileged child"
    return json.loads(said)


def test_a_data_dir_the_user_may_not_write_or_create(shared_folder):
    closed = shared_folder / "closed"
    closed.mkdir(mode=0o555)
    closed.chmod(0o555)
    config = parse_config(f'[agent]\ndata_dir = "{closed}"\n[kiosk]\ndata_dir = "{closed}/kiosk"\n')
    (agent_line,) = problems_of_another_user(config, "agent")
    assert agent_line.startswith(f"agent.data_dir: {closed} cannot be written by user "), agent_line
    (kiosk_line,) = problems_of_another_user(config, "kiosk")
    assert kiosk_line.startswith(f"kiosk.data_dir: {closed}/kiosk does not exist, and user "), kiosk_line
    assert kiosk_line.endswith(f"may not create it in {closed}")


def test_a_ca_file_the_user_may_not_read(shared_folder, certs):
    secret = shared_folder / "ca.crt"
    shutil.copy(certs / "ca.crt", secret)
    secret.chmod(0o000)
    config = parse_config(f'[agent]\ndata_dir = "{shared_folder}"\n[mqtt.tls]\nca_file = "{secret}"\n')
    (line,) = [p for p in problems_of_another_user(config, "agent") if p.startswith("mqtt")]
    assert line.startswith(f"mqtt.tls.ca_file: {secret} cannot be read by user "), line


def test_a_file_behind_a_closed_folder_is_said_to_be_out_of_reach(shared_folder):
    inner = shared_folder / "closed"
    inner.mkdir()
    (inner / "logo.png").write_bytes(b"")
    inner.chmod(0o000)
    config = parse_config(f'[kiosk]\ndata_dir = "{shared_folder}"\nlogo = "{inner}/logo.png"\n')
    (line,) = [p for p in problems_of_another_user(config, "kiosk") if p.startswith("kiosk.logo")]
    assert line.startswith(f"kiosk.logo: {inner}/logo.png cannot be reached by user "), line
    assert line.endswith(f"{inner} is closed to them")


# -- the kiosk and the manager -------------------------------------------------------------------

@pytest.mark.parametrize("toml, line", [
    ('[kiosk]\ndata_dir = "{tmp}/a-file"\n', "kiosk.data_dir: {tmp}/a-file is not a folder"),
    ('[kiosk]\ndata_dir = "{tmp}"\nlogo = "{tmp}/logo.png"\n', "kiosk.logo: {tmp}/logo.png does not exist"),
    ('[kiosk]\ndata_dir = "{tmp}"\npolicy_dir = "{tmp}/a-file"\n', "kiosk.policy_dir: {tmp}/a-file is not a folder"),
    ('[kiosk]\ndata_dir = "{tmp}"\n[mqtt.tls]\nca_file = "{tmp}/ca.pem"\n',
     "mqtt.tls.ca_file: {tmp}/ca.pem does not exist"),
])
def test_the_kiosk_checks_its_files_and_refuses_to_start_without_them(tmp_path, certs, toml, line):
    config = write_config(tmp_path, fill(toml, tmp_path, certs))
    line = fill(line, tmp_path, certs)
    checked = python("frontdesk.kiosk.cli", "config", "check", str(config))
    assert (checked.returncode, checked.stderr) == (2, f"frontdesk-kiosk: {line}\n")
    started = python("frontdesk.kiosk.cli", "--config", str(config), "run")  # before Kivy: no window opens
    assert (started.returncode, started.stderr) == (2, f"frontdesk-kiosk: {line}\n")


def test_the_kiosk_config_check_says_what_it_found(tmp_path):
    config = write_config(tmp_path, f'[kiosk]\nid = "lobby"\ndata_dir = "{tmp_path}/kiosk"\n')
    checked = python("frontdesk.kiosk.cli", "--config", str(config), "config", "check")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"{config}: OK\n") and f"visitor log in {tmp_path}/kiosk" in checked.stdout


MANAGER = '[manager]\ndata_dir = "{tmp}/manager"\ndatabase = "sqlite:///{tmp}/manager/history.db"\n'


@pytest.mark.parametrize("toml, line", [
    ('[manager.dashboard]\ntls_certificate = "{tmp}/dashboard.crt"\ntls_key = "{certs}/client.key"\n',
     "manager.dashboard.tls_certificate: {tmp}/dashboard.crt does not exist"),
    ('[manager.dashboard]\ntls_certificate = "{certs}/client.crt"\ntls_key = "{certs}/other.key"\n',
     "manager.dashboard.tls_key: {certs}/other.key is not the private key of the certificate {certs}/client.crt"),
    ('[manager.dashboard]\nsecret_file = "{tmp}/a-file/session.key"\n',
     "manager.dashboard.secret_file: {tmp}/a-file/session.key cannot be created: {tmp}/a-file is not a folder"),
    ('[mqtt.tls]\nca_file = "{tmp}/ca.pem"\n', "mqtt.tls.ca_file: {tmp}/ca.pem does not exist"),
])
def test_the_manager_checks_its_files_and_refuses_to_start_without_them(tmp_path, certs, toml, line):
    config = write_config(tmp_path, fill(MANAGER + toml, tmp_path, certs))
    line = fill(line, tmp_path, certs)
    checked = python("frontdesk.manager.cli", "--config", str(config), "config", "check")
    assert (checked.returncode, checked.stderr) == (2, f"frontdesk-manager: {line}\n")
    started = python("frontdesk.manager.cli", "--config", str(config), "run")
    assert (started.returncode, started.stderr) == (2, f"frontdesk-manager: {line}\n")
    assert not (tmp_path / "manager" / "history.db").exists()  # refused before the history was opened


def test_the_manager_config_check_says_what_it_found(tmp_path):
    config = write_config(tmp_path, fill(MANAGER, tmp_path, tmp_path))
    checked = python("frontdesk.manager.cli", "config", "check", str(config))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith(f"{config}: OK\n") and "dashboard on http://127.0.0.1:8080/" in checked.stdout
