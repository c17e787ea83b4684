"""`frontdesk-kiosk` as staff run it: a real process, a real config file, the real visitor log."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from frontdesk.contract.config import parse_config
from frontdesk.kiosk.staff_pin import pin_matches
from frontdesk.kiosk.visits import VisitorLog

REPO = __import__("pathlib").Path(__file__).resolve().parents[2]


def kiosk_cli(*args: str, stdin: str = "", timeout: float = 60) -> subprocess.CompletedProcess:
    """`frontdesk-kiosk ARGS` (via `python -m frontdesk.kiosk.cli`, the same main() the entry point runs)."""
    return subprocess.run([sys.executable, "-m", "frontdesk.kiosk.cli", *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, cwd=REPO, env={**os.environ, "FRONTDESK_CONFIG": "", "PYTHONUTF8": "1"})


@pytest.fixture
def config(tmp_path):
    """(config path, visitor log path) of a small office whose kiosk keeps its data in tmp."""
    path = tmp_path / "frontdesk.toml"
    path.write_text(f'site = "test"\n[office]\nlanguage = "ro"\ntimezone = "Europe/Bucharest"\n'
                    f'[kiosk]\ndata_dir = "{tmp_path / "kiosk"}"\nretention_days = 30\n', encoding="utf-8")
    return path, tmp_path / "kiosk" / "visitors.db"


def visitor_log(db) -> VisitorLog:
    return VisitorLog(db, timezone="Europe/Bucharest")


def test_set_pin_reads_stdin_and_prints_a_line_that_the_config_accepts():
    result = kiosk_cli("set-pin", stdin="2468\n2468\n")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert line.startswith('staff_pin_hash = "scrypt$') and "[kiosk]" in result.stderr
    hashed = parse_config(f"[kiosk]\n{line}\n").kiosk.staff_pin_hash
    assert pin_matches("2468", hashed) and not pin_matches("2469", hashed)
    assert kiosk_cli("set-pin", stdin="13579\n").returncode == 0  # one line is enough for a script


@pytest.mark.parametrize("stdin, message", [("2468\n2469\n", "the two PINs differ"), ("24a8\n", "digits only"),
                                            ("12\n", "4 to 12 digits"), ("", "4 to 12 digits")])
def test_set_pin_refuses_a_bad_pin_in_one_line(stdin, message):
    result = kiosk_cli("set-pin", stdin=stdin)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("frontdesk-kiosk: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_invite_prints_a_code_that_signs_in_once_on_that_day(config):
    path, db = config
    result = kiosk_cli("invite", "--name", "Amélie Dubois", "--company", "Société X", "--host", "Ion Popescu",
                       "--date", "2026-12-03", "--config", str(path))
    assert result.returncode == 0, result.stderr
    code = result.stdout.strip()
    assert "Amélie Dubois" in result.stderr and "2026-12-03" in result.stderr
    log = visitor_log(db)
    invitation = log.invitation(code, date(2026, 12, 3))
    assert (invitation.name, invitation.company, invitation.host) == ("Amélie Dubois", "Société X", "Ion Popescu")
    assert log.invitation(code, date(2026, 12, 4)) is None
    log.close()


def test_an_invitation_defaults_to_today_in_the_office_time_zone(config):
    path, db = config
    code = kiosk_cli("invite", "--name", "Ion Popescu", "--config", str(path)).stdout.strip()
    today = datetime.now(ZoneInfo("Europe/Bucharest")).date()
    log = visitor_log(db)
    # Around midnight the command and this line may straddle two days.
    assert log.invitation(code, today) or log.invitation(code, today - timedelta(days=1))
    log.close()


def seed(db) -> None:
    log = visitor_log(db)
    now = datetime.now(timezone.utc)
    log.sign_in(name="Ștefan Țăranu", company="=1+2", language="ro", fields={"car_plate": "IS 01 ABC"},
                now=now - timedelta(days=40))
    log.sign_in(name="Ștefan Țăranu", company="Exemplu SRL", language="ro", now=now - timedelta(days=1))
    log.sign_in(name="Łucja Wąsowska", company="Firma", language="pl", now=now)
    log.close()


def test_export_prints_one_visitors_records_as_json_and_erase_removes_them(config):
    path, db = config
    seed(db)
    result = kiosk_cli("export", "--visitor", "stefan taranu", "--config", str(path))
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["name"] for r in records] == ["Ștefan Țăranu", "Ștefan Țăranu"] and "Ștefan" in result.stdout
    erased = kiosk_cli("erase", "--visitor", "Ștefan Țăranu", "--config", str(path))
    assert erased.stdout.startswith("Erased 2 records")
    # No agent here to withdraw a badge still waiting: said, and not a success (tests/kiosk/test_erasure.py).
    assert erased.returncode == 1 and "the agent did not confirm" in erased.stderr, erased.stderr
    assert json.loads(kiosk_cli("export", "--visitor", "Ștefan Țăranu", "--config", str(path)).stdout) == []
    assert "No records" in kiosk_cli("export", "--visitor", "Nobody", "--config", str(path)).stderr
    assert len(json.loads(kiosk_cli("export", "--visitor", "Łucja Wąsowska", "--config", str(path)).stdout)) == 1


def test_export_csv_to_a_file_keeps_diacritics_for_spreadsheets(config, tmp_path):
    path, db = config
    seed(db)
    out = tmp_path / "visitors.csv"
    result = kiosk_cli("export-csv", "--config", str(path), str(out))
    assert result.returncode == 0 and "Exported 3 visits" in result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM: spreadsheets then read the file as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["name"] for r in rows] == ["Ștefan Țăranu", "Ștefan Țăranu", "Łucja Wąsowska"]
    assert rows[0]["company"] == "'=1+2" and rows[0]["car_plate"] == "IS 01 ABC"


def test_export_csv_of_some_days_to_standard_output(config):
    path, db = config
    seed(db)
    today = datetime.now(ZoneInfo("Europe/Bucharest")).date()
    start = (today - timedelta(days=2)).isoformat()
    result = kiosk_cli("export-csv", "--from", start, "--to", today.isoformat(), "--config", str(path))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["company"] for r in rows] == ["Exemplu SRL", "Firma"], result.stderr
    old = (today - timedelta(days=40)).isoformat()
    only_old = kiosk_cli("export-csv", "--from", old, "--to", old, "--config", str(path))
    assert [r["company"] for r in csv.DictReader(io.StringIO(only_old.stdout))] in (["'=1+2"], [])


def test_purge_erases_what_is_older_than_the_retention(config):
    path, db = config
    seed(db)
    result = kiosk_cli("purge", "--config", str(path))
    assert result.returncode == 0 and result.stdout == "Erased 1 visit older than 30 days.\n"
    log = visitor_log(db)
    assert [v.company for v in log.visits_between(datetime(2000, 1, 1, tzinfo=timezone.utc),
                                                  datetime.now(timezone.utc) + timedelta(days=1))] == ["Exemplu SRL", "Firma"]
    log.close()


@pytest.mark.parametrize("args, code, message", [
    (["export-csv", "--from", "2026-13-01"], 2, "argument --from: '2026-13-01' is not a date; use YYYY-MM-DD"),
    (["export-csv", "--from", "2026-11-10", "--to", "2026-11-01"], 2, "frontdesk-kiosk: --to is before --from"),
    (["invite", "--name", "  "], 2, "frontdesk-kiosk: the visitor's name must have 1 to 120 characters"),
    (["invite"], 2, "the following arguments are required: --name"),
    (["export"], 2, "the following arguments are required: --visitor"),
    (["run", "--size", "huge"], 2, "argument --size: 'huge' is not a window size"),
    (["export-csv", "/nonexistent-dir/visits.csv"], 1, "frontdesk-kiosk: cannot write /nonexistent-dir/visits.csv"),
])
def test_mistakes_get_one_clear_line_and_an_exit_code(config, args, code, message):
    path, _ = config
    result = kiosk_cli(*args, "--config", str(path))
    assert result.returncode == code and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["purge"], ["run"], ["export", "--visitor", "x"], []])
def test_a_config_mistake_is_named_by_its_key_with_exit_code_2(tmp_path, command):
    path = tmp_path / "frontdesk.toml"
    path.write_text("[kiosk]\nidle_secs = 30\n", encoding="utf-8")
    result = kiosk_cli("--config", str(path), *command)
    assert result.returncode == 2
    assert result.stderr == "frontdesk-kiosk: kiosk.idle_secs: unknown key; did you mean 'idle_seconds'?\n"
    missing = kiosk_cli(*command, "--config", str(tmp_path / "absent.toml"))
    assert missing.returncode == 2 and missing.stderr.startswith(f"frontdesk-kiosk: config file {tmp_path}/absent.toml")


def test_a_visitor_log_that_cannot_be_opened_is_reported(tmp_path):
    (tmp_path / "taken").write_text("a file where the data folder should be")
    path = tmp_path / "frontdesk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "taken"}"\n', encoding="utf-8")
    result = kiosk_cli("purge", "--config", str(path))
    assert result.returncode == 1 and result.stderr.startswith("frontdesk-kiosk: cannot open the visitor log")
    assert "Traceback" not in result.stderr


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """A private X server (CI has no display); returns it and its DISPLAY."""
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        raise RuntimeError("Xvfb did not start")
    return server, f":{number}"


def test_run_is_the_default_and_starts_the_app_against_the_broker(kiosk_rig, mqtt_recorder):
    pytest.importorskip("kiosk.app")
    server, display = start_xvfb()
    environ = {**os.environ, "DISPLAY": display, "FRONTDESK_CONFIG": "", "SDL_AUDIODRIVER": "dummy",
               "KIVY_HOME": str(kiosk_rig.root / "kivy-home")}
    log = kiosk_rig.root / "kiosk.log"
    try:
        with log.open("w") as out:
            app = subprocess.Popen([sys.executable, "-m", "frontdesk.kiosk.cli", "--config", str(kiosk_rig.config_path),
                                    "--windowed", "--size", "800x480"], stdout=out, stderr=subprocess.STDOUT,
                                   env=environ, cwd=REPO)
        try:
            topic = "frontdesk/test/kiosk/lobby/availability"
            mqtt_recorder.wait_for(lambda t, p, r: t == topic and p == b"online", timeout=60)
            assert app.poll() is None, log.read_text()
            app.kill()  # a power cut: the broker announces the kiosk's last will
            mqtt_recorder.wait_for(lambda t, p, r: t == topic and p == b"offline", timeout=60)
        finally:
            app.kill()
            app.wait(10)
        assert (kiosk_rig.config.kiosk.data_dir / "visitors.db").exists()
    finally:
        server.terminate()
        server.wait(10)


def test_set_pin_at_a_terminal_asks_twice_without_echo():
    import fcntl
    import select
    import termios

    controller, terminal = os.openpty()

    def own_terminal() -> None:  # in the child: make the pty its controlling terminal, as a login would
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen([sys.executable, "-m", "frontdesk.kiosk.cli", "set-pin"], stdin=terminal, stdout=terminal,
                             stderr=terminal, start_new_session=True, preexec_fn=own_terminal, cwd=REPO)
    os.close(terminal)
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        while marker not in seen:
            ready, _, _ = select.select([controller], [], [], 30)
            assert ready, f"no {marker!r} from set-pin; so far {seen!r}"
            seen += os.read(controller, 1024)

    try:
        read_until(b"New staff PIN: ")
        os.write(controller, b"97531\n")
        read_until(b"Once more: ")
        os.write(controller, b"97531\n")
        read_until(b"restart the kiosk")
        assert child.wait(30) == 0
    finally:
        child.kill()
        os.close(controller)
    assert b"97531" not in seen  # getpass turned echo off
    line = next(part for part in seen.decode().splitlines() if part.startswith("staff_pin_hash"))
    assert pin_matches("97531", parse_config(f"[kiosk]\n{line}\n").kiosk.staff_pin_hash)
