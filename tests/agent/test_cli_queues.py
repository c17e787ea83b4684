"""`frontdesk queues ...` and `frontdesk fax send` against the private cupsd."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testbed import OFFICE_TOML
from testbed import run_frontdesk as frontdesk


@pytest.fixture
def config_file(tmp_path, cups_lab) -> Path:
    path = tmp_path / "frontdesk.toml"
    path.write_text(
        OFFICE_TOML.replace('currency = "RON"', 'currency = "RON"\ncountry = "RO"')
        + f'[cups]\nserver = "{cups_lab.server}"\n'
        + '[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n'
        + '[[queue]]\nid = "fax"\ncups_name = "Fax"\nkind = "fax"\n',
        encoding="utf-8",
    )
    return path


def test_queues_show_state_supplies_and_jobs(config_file):
    result = frontdesk("queues", config=config_file)
    assert result.returncode == 0, result.stderr
    assert "copier 'copier' (CUPS Copier): ok, idle" in result.stdout
    assert "fax 'fax' (CUPS Fax): ok, idle" in result.stdout
    assert "Black Ink" in result.stdout or "Black" in result.stdout
    report = json.loads(frontdesk("queues", "--json", config=config_file).stdout)
    assert [q["queue"] for q in report] == ["copier", "fax"] and report[0]["supplies"]


def test_pause_hold_release_and_resume(config_file, cups_lab, tmp_path):
    import cups

    assert frontdesk("queues", "pause", "copier", config=config_file).stdout == "queue 'copier' paused\n"
    document = tmp_path / "doc.txt"
    document.write_text("hello\n")
    job_id = cups_lab.connection().printFile("Copier", str(document), "Agenda", {})
    assert frontdesk("queues", "hold", str(job_id), config=config_file).stdout == f"job {job_id} held\n"
    shown = frontdesk("queues", config=config_file).stdout
    assert f"job {job_id} held: 'Agenda'" in shown and "paused" in shown
    assert frontdesk("queues", "release", str(job_id), config=config_file).returncode == 0
    assert frontdesk("queues", "resume", "copier", config=config_file).returncode == 0
    assert cups.Connection  # pycups is what the lab uses too


def test_unknown_job_and_queue_are_clear_errors(config_file):
    result = frontdesk("queues", "cancel", "999999", config=config_file)
    assert result.returncode == 1 and "job 999999 is not on" in result.stderr and "Traceback" not in result.stderr
    result = frontdesk("queues", "pause", "scanner", config=config_file)
    assert result.returncode == 2 and "no queue with id 'scanner'" in result.stderr


def test_fax_send_follows_the_fax_to_its_outcome(config_file, cups_lab, tmp_path):
    document = tmp_path / "contract.txt"
    document.write_text("Contract, page 1\n")
    result = frontdesk("fax", "send", str(document), "--to", "021 318 2400", "--cover-to", "Ana Pop", config=config_file)
    assert result.returncode == 0, result.stderr
    assert "fax to +40213182400 sent" in result.stdout
    assert cups_lab.sent_faxes()[-1]["number"] == "+40213182400"
    cups_lab.fail_next_fax("Line busy")
    result = frontdesk("fax", "send", str(document), "--to", "+40 21 318 2400", config=config_file)
    assert result.returncode == 1 and "FAILED: Line busy" in result.stdout


def test_a_bad_fax_number_is_refused(config_file, tmp_path):
    document = tmp_path / "x.txt"
    document.write_text("x\n")
    result = frontdesk("fax", "send", str(document), "--to", "12", config=config_file)
    assert result.returncode == 2 and "'12' is not a valid phone number" in result.stderr


def test_cups_down_says_which_server(config_file, cups_lab):
    cups_lab.stop_cupsd()
    try:
        result = frontdesk("queues", config=config_file)
    finally:
        cups_lab.start_cupsd()
    assert result.returncode == 1 and f"CUPS at {cups_lab.server}" in result.stderr
    assert "Traceback" not in result.stderr
