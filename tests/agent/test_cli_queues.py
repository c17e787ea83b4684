"""`frontdesk queues ...` and `frontdesk fax send` through the agent, which follows the private
cupsd's copier and fax queues."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cli_desk import desk, frontdesk, frontdesk_process, one_line

QUEUES = ('[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n'
          '[[queue]]\nid = "fax"\ncups_name = "Fax"\nkind = "fax"\n')


@pytest.fixture(scope="module")
def office(tmp_path_factory, cups_lab):
    root = tmp_path_factory.mktemp("desk")
    # Fax numbers typed without +country are read as local to the office's country.
    with desk(root, QUEUES, 'country = "RO"\n', cups=f'server = "{cups_lab.server}"') as (config, watcher, _):
        watcher.state("copier", timeout=30)
        yield config, watcher


@pytest.fixture
def config_file(office):
    return office[0]


def test_queues_show_state_reasons_supplies_and_jobs(config_file):
    result = frontdesk("queues", config=config_file)
    assert result.returncode == 0, result.stderr
    assert "copier 'copier' (CUPS Copier): ok, idle" in result.stdout
    assert "fax 'fax' (CUPS Fax): ok, idle" in result.stdout
    assert "Black" in result.stdout
    report = json.loads(frontdesk("queues", "--json", config=config_file).stdout)
    assert [q["queue"] for q in report] == ["copier", "fax"] and report[0]["supplies"]


def test_config_before_the_command_and_a_reader_that_goes_away(config_file):
    before = subprocess.run([sys.executable, "-m", "frontdesk.agent.cli", "--config", str(config_file), "queues"],
                            capture_output=True, text=True, timeout=30, env={**os.environ, "FRONTDESK_CONFIG": ""})
    assert before.returncode == 0 and "copier 'copier'" in before.stdout, before.stderr
    # `frontdesk queues | head -3`, with head gone before the first line: the pipe is closed at once.
    piped = frontdesk_process("queues", "--config", str(config_file), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    piped.stdout.close()
    errors = piped.stderr.read()
    assert piped.wait(timeout=30) == 1 and errors == ""


def test_pause_hold_release_and_resume_in_words(config_file, cups_lab, tmp_path):
    assert frontdesk("queues", "pause", "copier", config=config_file).stdout == "queue 'copier' paused\n"
    try:
        document = tmp_path / "doc.txt"
        document.write_text("hello\n")
        job_id = cups_lab.connection().printFile("Copier", str(document), "Agenda", {})
        assert frontdesk("queues", "hold", str(job_id), config=config_file).stdout == f"job {job_id} held\n"
        shown = frontdesk("queues", config=config_file).stdout
        assert f"job {job_id} held: 'Agenda'" in shown
        assert "  The queue is paused: jobs wait until someone resumes it." in shown
        assert frontdesk("queues", "release", str(job_id), config=config_file).returncode == 0
    finally:
        assert frontdesk("queues", "resume", "copier", config=config_file).stdout == "queue 'copier' resumed\n"


def test_unknown_job_and_queue_are_clear_errors(config_file):
    result = frontdesk("queues", "cancel", "999999", config=config_file)
    assert result.returncode == 1 and "job 999999 is not on" in one_line(result)
    result = frontdesk("queues", "pause", "scanner", config=config_file)
    assert result.returncode == 2 and "'scanner'" in one_line(result)


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
    result = frontdesk("fax", "send", str(document), "--to", "123", config=config_file)
    assert result.returncode == 2 and "'123' is not a valid phone number" in one_line(result)
