"""The `frontdesk` command as staff use it: real processes, real simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from testbed import OFFICE_TOML

EXAMPLE = Path(__file__).parents[2] / "docs" / "frontdesk.example.toml"


def frontdesk(*args: str, config: Path | None = None, timeout: float = 30) -> subprocess.CompletedProcess:
    env = {**os.environ, "FRONTDESK_CONFIG": str(config) if config else "/nonexistent/frontdesk.toml"}
    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.fixture
def config_file(tmp_path, printer_sim) -> Path:
    path = tmp_path / "frontdesk.toml"
    path.write_text(
        OFFICE_TOML
        + f'[[printer]]\nid = "desk"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer_sim.port}\n'
        + 'profile = "TM-T20II"\nstatus_timeout = 0.3\ndrawer_pin = 2\n',
        encoding="utf-8",
    )
    return path


def test_config_check_lists_what_it_found():
    result = frontdesk("config", "check", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert "printer 'kiosk-58mm': file /dev/usb/lp0, profile POS-5890 (32 columns)" in result.stdout
    assert "fax queue 'fax'" in result.stdout


def test_a_config_mistake_is_one_line_and_exit_code_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[printer]]\nid = "p"\nconnection = "network"\nhost = "h"\nprot = 1\n')
    result = frontdesk("printer", "status", "--config", str(bad))
    assert result.returncode == 2
    assert result.stderr == "frontdesk: printer[0].prot: unknown key; did you mean 'port'?\n"


def test_no_config_file_says_where_it_looked():
    result = frontdesk("config", "check")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "config file /nonexistent/frontdesk.toml not found" in result.stderr


def test_printer_status_in_words_and_json(config_file, printer_sim):
    words = frontdesk("printer", "status", config=config_file)
    assert words.returncode == 0 and "is ready (paper ok)" in words.stdout
    printer_sim.state.paper = "out"
    result = frontdesk("printer", "status", "--json", config=config_file)
    assert result.returncode == 1
    status = json.loads(result.stdout)
    assert (status["printer"], status["paper"], status["health"], status["reasons"]) == ("desk", "out", "error", ["paper_out"])


def test_printer_test_prints_a_receipt_or_a_badge(config_file, printer_sim):
    assert frontdesk("printer", "test", config=config_file).returncode == 0
    result = frontdesk("printer", "test", "--badge", "Łucja Żółkiewska", "--language", "pl", config=config_file)
    assert result.returncode == 0 and "badge printed" in result.stdout
    badge = printer_sim.wait_for_jobs(2)[-1]
    assert "Łucja Żółkiewska" in badge.text_rendering() and "GOŚĆ" in badge.text_rendering()


def test_paper_out_is_refused_with_a_reason_and_no_traceback(config_file, printer_sim):
    printer_sim.state.paper = "out"
    result = frontdesk("printer", "test", config=config_file)
    assert result.returncode == 1
    assert result.stderr.strip() == "frontdesk: printer 'desk' is out of paper: load a new roll. Nothing was printed."


def test_unreachable_printer_names_its_address(config_file, printer_sim):
    port = printer_sim.port
    printer_sim.stop()
    result = frontdesk("printer", "drawer", config=config_file)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"printer 'desk' (127.0.0.1:{port}): cannot connect" in result.stderr


def test_drawer_opens(config_file, printer_sim):
    result = frontdesk("printer", "drawer", "--printer", "desk", config=config_file)
    assert result.returncode == 0 and "opened" in result.stdout


def test_unknown_printer_id_lists_the_configured_ones(config_file):
    result = frontdesk("printer", "status", "--printer", "nope", config=config_file)
    assert result.returncode == 2
    assert "no printer with id 'nope'; configured: desk" in result.stderr


def test_commands_leave_no_temporary_folders_behind(tmp_path, config_file):
    scratch, cache = tmp_path / "tmp", tmp_path / "cache"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "XDG_CACHE_HOME": str(cache)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "agent.cli", "printer", "status", "--config", str(config_file)],
            capture_output=True, text=True, env=env, timeout=30,
        )
        assert result.returncode == 0, result.stderr
    assert list(scratch.iterdir()) == []
    assert [p.name for p in (cache / "frontdesk").iterdir()] == [f"{sys.version.split()[0]}.capabilities.pickle"]


def test_the_report_command_is_also_at_hand_as_frontdesk_report(tmp_path):
    from testbed import run_frontdesk

    config = tmp_path / "frontdesk.toml"
    config.write_text(OFFICE_TOML + f'[manager]\ndatabase = "sqlite:///{tmp_path / "history.db"}"\n')
    wrong = run_frontdesk("report", "--from", "2026-11-31", "--to", "2026-12-01", config=config)
    assert wrong.returncode == 2 and "not a date" in wrong.stderr and "Traceback" not in wrong.stderr
    early = run_frontdesk("report", "--from", "2026-11-01", "--to", "2026-11-30", config=config)
    assert early.returncode == 2 and "no history database" in early.stderr
