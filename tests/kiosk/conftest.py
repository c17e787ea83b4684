"""The kiosk's test rig: a real broker, a real printer simulator and the real agent process.

`kiosk_rig` is shared by tests/kiosk/ and tests/kiosk/screens/ (the UI tests); keep its
interface stable (see KioskRig's docstring). Also here: `mqtt_recorder` (a testbed.Recorder
subscribed to frontdesk/# before the test body runs), `new_recorder` (a factory for more of them) and
`first_release_visitor_log` (writes a visitor log file as the first kiosk release made it).
Test modules cannot `from conftest import ...` these: other conftest.py files share that module name.
"""

from __future__ import annotations

import functools
import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from testbed import Recorder, wait_until

from frontdesk.contract import mqtt as topics
from frontdesk.contract.config import FrontdeskConfig, load_config

REPO = Path(__file__).resolve().parents[2]
STAFF_PIN = "2468"
HOSTS = ("Ștefan Țăranu", "Jürgen Weiß", "Łucja Wąsowska", "Amélie Dubois", "Ion Popescu")
SITE, AGENT_ID, KIOSK_ID, PRINTER_ID = "test", "main", "lobby", "badge-printer"


@functools.cache
def staff_pin_hash() -> str:
    """The hash of STAFF_PIN, computed once per session (scrypt is slow on purpose)."""
    from frontdesk.kiosk.staff_pin import hash_pin

    return hash_pin(STAFF_PIN)


def kiosk_toml(broker_host: str, broker_port: int, printer_port: int, root: Path, **kiosk_settings: str) -> str:
    """The whole config file of the rig; `kiosk_settings` add or replace `[kiosk]` keys (TOML literals)."""
    kiosk = {"id": f'"{KIOSK_ID}"', "agent": f'"{AGENT_ID}"', "printer": f'"{PRINTER_ID}"',
             "data_dir": f'"{root / "kiosk-data"}"', "idle_seconds": "30", "staff_pin_hash": f'"{staff_pin_hash()}"',
             "pin_attempts": "3", "lockout_minutes": "1", **kiosk_settings}
    hosts = "\n".join(f'[[kiosk.hosts]]\nname = "{name}"\nemail = "host{n}@example.com"\ndepartment = "Sales"'
                      for n, name in enumerate(HOSTS))
    settings = "".join(f"{key} = {value}\n" for key, value in kiosk.items())
    return f"""site = "{SITE}"
[office]
name = "Exemplu SRL"
address = ["Strada Ștefan cel Mare 12", "700000 Iași"]
language = "ro"
timezone = "Europe/Bucharest"

[mqtt]
host = "{broker_host}"
port = {broker_port}

[agent]
id = "{AGENT_ID}"
data_dir = "{root / 'agent-data'}"
printer_interval = 0.5

[[printer]]
id = "{PRINTER_ID}"
connection = "network"
host = "127.0.0.1"
port = {printer_port}
status_timeout = 0.3
timeout = 2.0

[kiosk]
{settings}
{hosts}

[[kiosk.fields]]
id = "car_plate"
label = {{ en = "Car number plate", ro = "Număr de înmatriculare", de = "Kfz-Kennzeichen", fr = "Plaque d’immatriculation", pl = "Numer rejestracyjny" }}
max_length = 12
"""


# Printer code pages (CP1250, CP852) have Ş/Ţ with a cedilla, not Romanian Ș/Ț with a comma
# below; the printer driver prints the look-alike, so that is what the simulator decodes.
_COMMA_TO_CEDILLA = str.maketrans("ȘșȚț", "ŞşŢţ")


def as_printed(text: str) -> str:
    """`text` as a receipt printer prints it (see _COMMA_TO_CEDILLA)."""
    return text.translate(_COMMA_TO_CEDILLA)


def availability_recorder(broker) -> Recorder:
    """A Recorder of the agent's availability (retained), which also sends it commands."""
    return Recorder(broker, topics.agent_availability(SITE, AGENT_ID), prefix=f"frontdesk/{SITE}/agent/{AGENT_ID}")


@dataclass
class KioskRig:
    """Everything a kiosk test needs, all real; build it with the `kiosk_rig` fixture.

    Attributes (stable interface, also used by tests/kiosk/screens/):
      config       FrontdeskConfig parsed from config_path: site "test", office in Romanian
                   (Europe/Bucharest), [mqtt] -> the test broker, one network [[printer]]
                   "badge-printer" -> the printer simulator, [agent] id "main" with data_dir in tmp,
                   [kiosk] id "lobby", data_dir in tmp, hosts HOSTS (with diacritics), one extra field
                   "car_plate" (labels in all five languages), staff_pin_hash of STAFF_PIN ("2468"),
                   pin_attempts 3, lockout_minutes 1, idle_seconds 30.
      config_path  that TOML file on disk (pass it to `frontdesk-kiosk --config`).
      root         the test's tmp_path; visits_path: config.kiosk.data_dir / "visitors.db".
      printer_sim  the TcpPrinterSimulator (every connection is one job: status checks too).
      broker       the LocalBroker (.host, .port, .stop(), .start()).
    Methods:
      start_agent(timeout=30)  runs `python -m frontdesk.agent.daemon --config config_path` as a process and
                               waits until its availability is `online` and it answers `status`.
      stop_agent(timeout=30)   SIGTERM, waits for the exit and for `offline`.
      kill_agent()             SIGKILL (no goodbye; the broker publishes the last will).
      agent_log()              what the agent process wrote so far.
      badge_jobs(name)         text renderings of printed jobs that contain `name` (badges); Ș/Ț
                               are matched as the printer prints them (Ş/Ţ, see as_printed).
      with_kiosk(**settings)   rewrite config_path with [kiosk] keys added or replaced (TOML literals,
                               e.g. with_kiosk(idle_seconds="10", logo='"/x.png"')) and reparse.
    """

    config: FrontdeskConfig
    config_path: Path
    root: Path
    printer_sim: object
    broker: object
    _agent: subprocess.Popen | None = None
    _watch: Recorder | None = None
    _log_file: Path = field(init=False)

    def __post_init__(self) -> None:
        self._log_file = self.root / "agent.log"

    @property
    def visits_path(self) -> Path:
        return self.config.kiosk.data_dir / "visitors.db"

    def with_kiosk(self, **settings: str) -> FrontdeskConfig:
        text = kiosk_toml(self.broker.host, self.broker.port, self.printer_sim.port, self.root, **settings)
        self.config_path.write_text(text, encoding="utf-8")
        self.config = load_config(self.config_path)
        return self.config

    def start_agent(self, timeout: float = 30) -> None:
        if self._agent is not None and self._agent.poll() is None:
            raise RuntimeError("the agent is already running")
        if self._watch is None:
            self._watch = availability_recorder(self.broker)
        with self._log_file.open("a", encoding="utf-8") as log:
            self._agent = subprocess.Popen(
                [sys.executable, "-m", "frontdesk.agent.daemon", "--config", str(self.config_path)],
                stdout=log, stderr=subprocess.STDOUT, cwd=REPO, env={**os.environ, "FRONTDESK_CONFIG": ""},
            )
        availability = topics.agent_availability(SITE, AGENT_ID)

        def online_and_answering() -> bool:
            if self._agent.poll() is not None:
                raise RuntimeError(f"the agent exited with {self._agent.returncode}:\n{self.agent_log()}")
            said = self._watch.on(availability)
            # It may say online a moment before it listens: a `status` answered is the proof (and a
            # dead agent's retained "online" never answers).
            return bool(said) and said[-1].payload == topics.ONLINE.encode() and bool(
                (self._watch.request("status", {}, timeout=2) or {}).get("ok"))

        wait_until(online_and_answering, timeout, "the agent online and answering `status`", interval=0.2,
                   last=self.agent_log)

    def stop_agent(self, timeout: float = 30) -> None:
        if self._agent is None:
            return
        if self._agent.poll() is None:
            since = self._watch.mark() if self._watch is not None else 0
            self._agent.send_signal(signal.SIGTERM)
            self._agent.wait(timeout)
            if self._watch is not None:
                availability = topics.agent_availability(SITE, AGENT_ID)
                self._watch.wait_for(lambda t, p, r: t == availability and p == topics.OFFLINE.encode(), timeout,
                                     "the agent's goodbye (offline)", since=since)
        self._agent = None

    def kill_agent(self) -> None:
        if self._agent is None:
            return
        self._agent.send_signal(signal.SIGKILL)
        self._agent.wait(10)
        self._agent = None

    def agent_log(self) -> str:
        return self._log_file.read_text(encoding="utf-8") if self._log_file.exists() else ""

    def badge_jobs(self, name: str) -> list[str]:
        renderings = [job.text_rendering() for job in list(self.printer_sim.jobs)]
        return [text for text in renderings if as_printed(name) in text]

    def close(self) -> None:
        self.kill_agent()
        if self._watch is not None:
            self._watch.close()


@pytest.fixture
def kiosk_rig(broker, printer_sim, tmp_path):
    """A KioskRig with the agent NOT started: call `.start_agent()` when the test wants it."""
    config_path = tmp_path / "frontdesk.toml"
    config_path.write_text(kiosk_toml(broker.host, broker.port, printer_sim.port, tmp_path), encoding="utf-8")
    rig = KioskRig(load_config(config_path), config_path, tmp_path, printer_sim, broker)
    try:
        yield rig
    finally:
        rig.close()


@pytest.fixture
def mqtt_recorder(broker):
    """A testbed.Recorder of frontdesk/# on the test broker; connect it before the messages you want
    to see."""
    recorder = Recorder(broker, "frontdesk/#")
    try:
        yield recorder
    finally:
        recorder.close()


@pytest.fixture
def new_recorder(broker):
    """A factory: `new_recorder()` connects another Recorder now (e.g. after a broker restart, or to
    see what a newcomer gets retained); all are closed after the test. Test modules cannot
    `from conftest import` here: another conftest.py may own that module name."""
    made: list[Recorder] = []

    def make() -> Recorder:
        made.append(Recorder(broker, "frontdesk/#"))
        return made[-1]

    try:
        yield make
    finally:
        for recorder in made:
            recorder.close()


# The visitor log's tables as the first release of the kiosk created them (before started_at and
# badge_printed_at): a kiosk updated in the field opens such a file.
FIRST_RELEASE_SCHEMA = """
CREATE TABLE visits (
    id TEXT PRIMARY KEY, day TEXT NOT NULL, badge_number TEXT NOT NULL, signout_code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL, name_key TEXT NOT NULL, company TEXT, host TEXT, purpose TEXT,
    fields TEXT NOT NULL, language TEXT NOT NULL, signed_in_at TEXT NOT NULL, signed_out_at TEXT,
    badge_printed INTEGER NOT NULL DEFAULT 0, invitation_code TEXT);
CREATE INDEX visits_signed_in ON visits (signed_in_at);
CREATE INDEX visits_on_site ON visits (signed_out_at);
CREATE TABLE signatures (visit_id TEXT PRIMARY KEY, png BLOB NOT NULL);
CREATE TABLE badge_days (day TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE invitations (
    code TEXT PRIMARY KEY, name TEXT NOT NULL, name_key TEXT NOT NULL, company TEXT, host TEXT,
    valid_on TEXT NOT NULL, used_visit TEXT, created_at TEXT NOT NULL);
"""


@pytest.fixture
def first_release_visitor_log():
    """write(path, signed_in_at, office_zone) -> the id of the one visit in a first-release visitor
    log at path: "Ion Popescu", badge 001 of that office day, printed, still on site."""
    from datetime import timezone
    from zoneinfo import ZoneInfo

    def write(path: Path, signed_in_at, office_zone: str = "Europe/Bucharest") -> str:
        day = signed_in_at.astimezone(ZoneInfo(office_zone)).date().isoformat()
        stamp = signed_in_at.astimezone(timezone.utc).isoformat(timespec="microseconds")
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path)
        with db:
            db.executescript(FIRST_RELEASE_SCHEMA)
            db.execute("INSERT INTO visits VALUES ('old1', ?, '001', 'OLDCODE001', 'Ion Popescu', 'ion popescu',"
                       " NULL, NULL, NULL, '{}', 'ro', ?, NULL, 1, NULL)", (day, stamp))
            db.execute("INSERT INTO badge_days VALUES (?, 1)", (day,))
        db.close()
        return "old1"

    return write
