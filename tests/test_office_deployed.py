"""The office as the installers deploy it, end to end: each process as its own Unix user.

systemd/install-pi and systemd/install-manager (tests/install_fixtures.py) make the users, the
config files with their owners and modes, the Mosquitto config with its ACL and logins, and
the two venvs under Debian's Python. Here the shipped Mosquitto config runs, with the agent as
`frontdesk`, the kiosk (under Xvfb) as `frontdesk-kiosk` and the manager as
`frontdesk-manager`, each from its own install and with its own MQTT login. A visitor signs
in through the kiosk's screens; the badge reaches the printer simulator and the visit the
manager's history. Then, logged in as the kiosk, `open_drawer`, another site's topics and a
foreign response topic are refused: by the broker, and by the agent as its second line.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest
from install_fixtures import free_port, installs, manager_install, pi_install  # noqa: F401
from mqtt_recorder import Recorder
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from testbed import wait_until

from frontdesk.agent.local_broker import LocalBroker
from frontdesk.devices.printer.simulator import TcpPrinterSimulator

pytestmark = [pytest.mark.timeout(900),
              pytest.mark.skipif(shutil.which("Xvfb") is None, reason="Xvfb is not installed (.ci/bootstrap does)")]

SCREENS = Path(__file__).parent / "kiosk" / "screens"
sys.path.insert(0, str(SCREENS))
from kiosk_ui import attach  # noqa: E402
from tour import sign_in  # noqa: E402

VISITOR, HOST = "Ana-Maria Ștefănescu", "Ștefan Țăranu"
NOT_AUTHORIZED = 135  # MQTT v5 reason code of a refused publish
AGENT = "frontdesk/hq/agent/main"


def office_toml(installed: dict, printer_port: int) -> str:
    """The installed config with the office and its devices described, as a deployer edits it:
    the logins, ids and folders the installer wrote stay as they are."""
    def login(section: dict) -> str:
        return f'username = "{section["username"]}"\npassword_file = "{section["password_file"]}"\n'

    mqtt = installed["mqtt"]
    return f"""site = "{installed['site']}"
[office]
name = "Exemplu SRL"
address = ["Strada Ștefan cel Mare 12", "700000 Iași"]
language = "ro"
timezone = "Europe/Bucharest"

[mqtt]
host = "127.0.0.1"
port = {mqtt['port']}
{login(mqtt)}
[kiosk.mqtt]
{login(installed['kiosk']['mqtt'])}
[cli.mqtt]
{login(installed['cli']['mqtt'])}
[agent]
id = "{installed['agent']['id']}"
data_dir = "{installed['agent']['data_dir']}"

[[printer]]
id = "desk-printer"
connection = "network"
host = "127.0.0.1"
port = {printer_port}
status_timeout = 0.3
timeout = 2.0

[kiosk]
id = "{installed['kiosk']['id']}"
agent = "{installed['agent']['id']}"
printer = "desk-printer"
data_dir = "{installed['kiosk']['data_dir']}"

[[kiosk.hosts]]
name = "{HOST}"
email = "stefan@example.com"

[[kiosk.fields]]
id = "car_plate"
label = {{ en = "Car number plate", ro = "Număr de înmatriculare" }}
max_length = 12
"""


def rewrite(path: Path, text: str) -> None:
    """New content for a file the installer made, keeping its owner and mode."""
    with path.open("w", encoding="utf-8") as out:
        out.write(text)


def as_user(user: str, command: list[str], log: Path, **environment: str) -> subprocess.Popen:
    """`command` as `user` with its groups and a clean environment, as systemd starts a service.
    setpriv execs in place: the Popen is the program itself, and terminate() reaches it."""
    clean = ["env", "-i", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/nonexistent",
             *(f"{key}={value}" for key, value in environment.items())]
    with log.open("w") as out:
        return subprocess.Popen(["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *clean, *command],
                                stdout=out, stderr=subprocess.STDOUT)


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def secret(path: Path) -> str:
    return path.read_text().splitlines()[0]


@pytest.fixture(scope="module")
def office(pi_install, manager_install, tmp_path_factory):  # noqa: F811
    logs = tmp_path_factory.mktemp("office")
    root = pi_install.root
    installed = tomllib.loads(pi_install.config.read_text())
    printer = TcpPrinterSimulator(output_dir=logs / "printouts").__enter__()
    rewrite(pi_install.config, office_toml(installed, printer.port))

    # Debian's mosquitto.conf, which includes conf.d/ (and there the installer's frontdesk.conf).
    mosquitto = root / "etc" / "mosquitto"
    state = root / "var" / "lib" / "mosquitto"
    state.mkdir(parents=True, exist_ok=True)
    shutil.chown(state, "mosquitto", "mosquitto")
    broker = LocalBroker(mosquitto, config=lambda _: f"persistence_location {state}/\n"
                                                     f"log_dest file {state}/mosquitto.log\n"
                                                     f"include_dir {mosquitto / 'conf.d'}\n")
    broker.port = pi_install.port  # the installer's listener
    broker.start()

    manager_config = manager_install / "etc" / "frontdesk" / "frontdesk.toml"
    rewrite(manager_config, manager_config.read_text().replace("port = 8080", f"port = {free_port()}"))
    manager_password = secret(pi_install.etc / "manager.password")
    watcher = Recorder(broker, "frontdesk/#", prefix=AGENT, username="frontdesk-manager", password=manager_password)

    agent = as_user("frontdesk", [str(pi_install.venv / "bin" / "frontdesk-agent"), "--config", str(pi_install.config)],
                    logs / "agent.log")
    manager = as_user("frontdesk-manager", [str(manager_install / "opt" / "frontdesk" / "bin" / "frontdesk-manager"),
                                            "--config", str(manager_config), "run"], logs / "manager.log")
    xvfb = subprocess.Popen(["Xvfb", ":97", "-screen", "0", "800x480x24", "-nolisten", "tcp", "-ac"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    run = root / "run" / "frontdesk-kiosk"
    run.mkdir(parents=True, exist_ok=True)
    shutil.chown(run, "frontdesk-kiosk", "frontdesk-kiosk")
    driver = run / "driver.sock"
    kiosk = None
    try:
        watcher.wait_for(lambda topic, payload, retain: topic == f"{AGENT}/availability" and payload == b"online",
                         60, "the agent online")
        wait_until(lambda: Path("/tmp/.X11-unix/X97").exists(), 20, "Xvfb's socket")
        kiosk = as_user("frontdesk-kiosk", [str(pi_install.venv / "bin" / "python"), str(SCREENS / "kiosk_driver.py"),
                                            "--config", str(pi_install.config), "--size", "800x480",
                                            "--socket", str(driver)],
                        logs / "kiosk.log", DISPLAY=":97", KIVY_HOME=f"{installed['kiosk']['data_dir']}/kivy",
                        SDL_AUDIODRIVER="dummy", FRONTDESK_KIOSK_LOG="info")

        ui = attach(kiosk, driver, logs / "kiosk.log", timeout=60)
        yield dict(processes=dict(agent=agent, manager=manager, kiosk=kiosk), ui=ui, watcher=watcher, broker=broker, printer=printer, logs=logs, pi=pi_install,
                   manager_root=manager_install, installed=installed)
    finally:
        stop(*(p for p in (kiosk, agent, manager, xvfb) if p is not None))
        watcher.close()
        broker.stop()
        printer.__exit__(None, None, None)


def log_of(office, program: str) -> str:
    return (office["logs"] / f"{program}.log").read_text(errors="replace")


def test_a_visitor_signs_in_and_the_badge_and_the_visit_reach_the_printer_and_the_manager(office):
    ui = office["ui"]
    ui.tap("welcome.language.ro")
    sign_in(ui, VISITOR, "Exemplu SRL", "ște", HOST, "B 123 ABC")
    ui.wait_for(lambda s: "done.message.printed" in s["refs"], 40, "the badge printed")
    printer = office["printer"]
    printed = [job.text_rendering() for job in list(printer.jobs)]
    # Printer code pages have Ş with a cedilla for Romanian Ș: what the printer prints (tests/kiosk/conftest.py).
    assert any(VISITOR.translate(str.maketrans("ȘșȚț", "ŞşŢţ")) in text for text in printed), printed

    history = office["manager_root"] / "var" / "lib" / "frontdesk-manager" / "history.db"

    def visits() -> list | None:
        if not history.exists():
            return None
        with sqlite3.connect(f"file:{history}?mode=ro", uri=True) as db:
            try:
                rows = db.execute("SELECT site, kiosk, language, purpose FROM visits").fetchall()
            except sqlite3.OperationalError:  # the manager has not made its tables yet
                return None
        return rows or None

    assert wait_until(visits, 30, "the visit in the manager's history", interval=0.2) == [("hq", "lobby", "ro", "meeting")]
    assert "Traceback" not in log_of(office, "agent") + log_of(office, "manager")


@pytest.fixture
def as_the_kiosk(office):
    """A client with the kiosk's MQTT login and reply topics."""
    kiosk_mqtt = office["installed"]["kiosk"]["mqtt"]
    client = Recorder(office["broker"], prefix=AGENT, username=kiosk_mqtt["username"],
                      password=secret(Path(kiosk_mqtt["password_file"])))
    client.inbox = f"frontdesk/hq/kiosk/lobby/replies/{uuid.uuid4().hex[:8]}"
    client.subscribe(client.inbox)
    yield client
    client.close()


def test_as_the_kiosk_open_drawer_and_another_site_are_refused_by_the_broker(office, as_the_kiosk):
    assert as_the_kiosk.command("status", {})["ok"] is True  # the kiosk's own login works
    refused = as_the_kiosk.publish(f"{AGENT}/cmd/open_drawer", json.dumps({"printer": "desk-printer"}))
    assert refused.value == NOT_AUTHORIZED
    assert as_the_kiosk.publish("frontdesk/branch/agent/main/cmd/status", b"{}").value == NOT_AUTHORIZED
    assert as_the_kiosk.publish("frontdesk/branch/kiosk/lobby/availability", b"online").value == NOT_AUTHORIZED
    # Nothing of it reached the agent: a command sent after them is answered, open_drawer never was.
    assert as_the_kiosk.command("status", {})["ok"] is True
    assert "open_drawer" not in log_of(office, "agent")


def test_the_agent_refuses_open_drawer_for_a_kiosk_even_from_a_login_the_broker_lets_through(office, as_the_kiosk):
    staff_mqtt = office["installed"]["cli"]["mqtt"]
    staff = Recorder(office["broker"], prefix=AGENT, username=staff_mqtt["username"],
                     password=secret(Path(staff_mqtt["password_file"])))
    try:
        properties = Properties(PacketTypes.PUBLISH)
        properties.ResponseTopic, properties.CorrelationData = as_the_kiosk.inbox, b"drawer-for-a-kiosk"
        assert staff.publish(f"{AGENT}/cmd/open_drawer", b"{}", properties=properties).value == 0
        reply = as_the_kiosk.wait_until(lambda: as_the_kiosk.replies.get(b"drawer-for-a-kiosk"), 20, "the refusal")
        assert reply["ok"] is False and reply["error"]["code"] == "permission_denied", reply
    finally:
        staff.close()


def test_a_foreign_response_topic_is_refused_by_the_agent_and_nothing_lands_there(office, as_the_kiosk):
    state_topic = f"{AGENT}/devices/desk-printer/state"
    since = office["watcher"].mark()
    properties = Properties(PacketTypes.PUBLISH)
    properties.ResponseTopic, properties.CorrelationData = state_topic, b"foreign"
    assert as_the_kiosk.publish(f"{AGENT}/cmd/status", b"{}", properties=properties).value == 0
    wait_until(lambda: "its response topic" in log_of(office, "agent") or None, 20, "the agent's refusal in its log",
               interval=0.2)
    assert as_the_kiosk.command("status", {})["ok"] is True  # answered after the foreign one: that one was dropped
    assert all("ok" not in json.loads(payload) for topic, payload, _ in office["watcher"].snapshot(since)
               if topic == state_topic and payload)


def test_each_program_ran_as_its_own_user(office):
    def user_and_program(process: subprocess.Popen) -> tuple[str, str]:
        command = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        return pwd.getpwuid(os.stat(f"/proc/{process.pid}").st_uid).pw_name, Path(command[1].decode()).name

    assert {name: user_and_program(process) for name, process in office["processes"].items()} == {
        "agent": ("frontdesk", "frontdesk-agent"), "manager": ("frontdesk-manager", "frontdesk-manager"),
        "kiosk": ("frontdesk-kiosk", "kiosk_driver.py")}
