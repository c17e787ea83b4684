"""The `frontdesk` command as staff use it: a real process, asking a real agent over a real
Mosquitto, the agent driving the printer simulator; and what it says when there is no agent."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from cli_desk import desk, frontdesk, one_line, write_config
from testbed import OFFICE_TOML, run_frontdesk

from frontdesk.devices.printer.simulator import TcpPrinterSimulator

EXAMPLE = Path(__file__).parents[2] / "docs" / "frontdesk.example.toml"


def printer_toml(port: int) -> str:
    return (f'[[printer]]\nid = "desk"\nconnection = "network"\nhost = "127.0.0.1"\nport = {port}\n'
            'profile = "TM-T20II"\nstatus_timeout = 0.3\ndrawer_pin = 2\n')


@pytest.fixture(scope="module")
def printer_sim(tmp_path_factory):
    with TcpPrinterSimulator(output_dir=tmp_path_factory.mktemp("printouts")) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def office(tmp_path_factory, printer_sim):
    """(config file, broker) of the agent that has the printer for the whole module."""
    with desk(tmp_path_factory.mktemp("desk"), printer_toml(printer_sim.port)) as (config, watcher, broker):
        yield config, broker


@pytest.fixture
def config_file(office) -> Path:
    return office[0]


@pytest.fixture
def paper_out(printer_sim):
    printer_sim.state.paper = "out"
    yield
    printer_sim.state.paper = "ok"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- the config ---------------------------------------------------------------------------------


def test_config_check_lists_what_it_found():
    result = run_frontdesk("config", "check", str(EXAMPLE), config=EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert "printer 'kiosk-58mm': file /dev/usb/lp0, profile POS-5890 (32 columns)" in result.stdout
    assert "fax queue 'fax'" in result.stdout


def test_a_config_mistake_is_one_line_and_exit_code_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[printer]]\nid = "p"\nconnection = "network"\nhost = "h"\nprot = 1\n')
    result = frontdesk("printer", "status", config=bad)
    assert result.returncode == 2
    assert result.stderr == "frontdesk: printer[0].prot: unknown key; did you mean 'port'?\n"


def test_a_staff_password_file_that_cannot_be_read_is_one_line_and_exit_code_2(tmp_path):
    from frontdesk.contract.mqtt_config import user_name

    secret = tmp_path / "staff.password"  # not there: as for a user the file is closed to
    config = tmp_path / "staff.toml"
    config.write_text(f'[cli.mqtt]\nusername = "frontdesk-staff"\npassword_file = "{secret}"\n')
    result = frontdesk("scale", "read", config=config)
    assert result.returncode == 2
    assert one_line(result) == (f"frontdesk: cli.mqtt.password_file: {secret} cannot be read by user {user_name()}: "
                                "no such file or directory")
    check = run_frontdesk("config", "check", str(config), config=config)  # told, not fatal: see config_commands
    assert f"note: cli.mqtt.password_file: {secret}" in check.stdout, check.stdout + check.stderr


def test_no_config_file_says_where_it_looked():
    env = {**os.environ, "FRONTDESK_CONFIG": "/nonexistent/frontdesk.toml"}
    result = subprocess.run([sys.executable, "-m", "frontdesk.agent.cli", "config", "check"], capture_output=True, text=True,
                            env=env, timeout=30)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "config file /nonexistent/frontdesk.toml not found" in result.stderr


def test_a_carrier_without_rate_tables_is_named_by_config_check_and_the_agent(tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text(OFFICE_TOML + f'[agent]\ndata_dir = "{tmp_path}"\n[postage]\ncarrier = "uspss"\n')
    line = "postage.carrier: no rate table for carrier 'uspss'; there are tables for deutschepost, usps"
    checked = run_frontdesk("config", "check", config=config)
    assert (checked.returncode, checked.stderr) == (2, f"frontdesk: {line}\n")
    started = subprocess.run([sys.executable, "-m", "frontdesk.agent.daemon", "--config", str(config)], capture_output=True,
                             text=True, timeout=30)
    assert (started.returncode, started.stderr) == (2, f"frontdesk-agent: {line}\n")


# -- the printer, through the agent ---------------------------------------------------------------


def test_config_may_come_before_or_after_the_command(config_file, printer_sim):
    before = subprocess.run([sys.executable, "-m", "frontdesk.agent.cli", "--config", str(config_file), "printer", "status"],
                            capture_output=True, text=True, timeout=30, env={**os.environ, "FRONTDESK_CONFIG": ""})
    after = frontdesk("printer", "status", config=config_file)
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert before.stdout == after.stdout
    assert after.stdout.startswith(f"Printer 'desk' (127.0.0.1:{printer_sim.port}) is ready (paper ok)")


def test_printer_status_in_json_and_a_printer_that_needs_a_person(config_file, paper_out):
    result = frontdesk("printer", "status", "--json", config=config_file)
    assert result.returncode == 1
    status = json.loads(result.stdout)
    assert (status["printer"], status["paper"], status["health"], status["reasons"]) == ("desk", "out", "error",
                                                                                         ["paper_out"])


def test_printer_test_prints_a_receipt_or_a_badge(config_file, printer_sim):
    receipt = frontdesk("printer", "test", config=config_file)
    assert receipt.returncode == 0 and receipt.stdout.startswith("test receipt printed on 'desk': "), receipt.stderr
    result = frontdesk("printer", "test", "--badge", "Łucja Żółkiewska", "--language", "pl", config=config_file)
    assert result.returncode == 0 and result.stdout.startswith("badge printed on 'desk'"), result.stderr
    # Printed means confirmed by the printer: the badge is on the paper by now.
    badge = next(job.text_rendering() for job in printer_sim.jobs if "Łucja Żółkiewska" in job.text_rendering())
    assert "GOŚĆ" in badge


def test_paper_out_is_refused_with_a_reason_and_no_traceback(config_file, paper_out):
    result = frontdesk("printer", "test", config=config_file)
    assert result.returncode == 1
    assert one_line(result) == "frontdesk: printer 'desk' is out of paper: load a new roll. Nothing was printed."


def test_drawer_opens(config_file):
    result = frontdesk("printer", "drawer", "--printer", "desk", config=config_file)
    assert (result.returncode, result.stdout) == (0, "cash drawer on 'desk' opened\n"), result.stderr


def test_an_unknown_printer_is_exit_code_2_naming_the_ones_there_are(config_file):
    result = frontdesk("printer", "status", "--printer", "nope", config=config_file)
    assert result.returncode == 2
    assert "'nope'" in one_line(result) and "desk" in one_line(result)


def test_devices_history_is_the_agents_record_in_words(config_file, paper_out, printer_sim):
    frontdesk("printer", "status", config=config_file)  # the agent notices the paper out: a change
    changes = json.loads(frontdesk("devices", "history", "--device", "desk", "--json", config=config_file).stdout)
    assert changes[0]["device"] == "desk" and changes[0]["reasons"] == ["paper_out"], changes
    newest = frontdesk("devices", "history", "--limit", "1", config=config_file).stdout.splitlines()
    assert len(newest) == 1 and newest[0].endswith("desk             error    Out of paper: load paper."), newest


# -- no agent -------------------------------------------------------------------------------------


def test_no_agent_answering_is_one_line_naming_the_broker_and_the_agent(tmp_path, office):
    _, broker = office
    config = write_config(tmp_path / "frontdesk.toml", broker, tmp_path / "data", printer_toml(closed_port()))
    config.write_text(config.read_text().replace("[agent]\n", '[agent]\nid = "back-office"\n'))
    result = frontdesk("printer", "status", "--timeout", "1", config=config)
    assert result.returncode == 1 and result.stdout == ""
    assert one_line(result) == (
        f"frontdesk: the agent 'back-office' on the broker {broker.host}:{broker.port} did not answer within 1 s; "
        "start the agent with `sudo systemctl start frontdesk-agent`, or use --direct while it is stopped")


def test_an_unreachable_broker_is_the_same_one_line(tmp_path):
    class Nowhere:
        host, port = "127.0.0.1", closed_port()

    config = write_config(tmp_path / "frontdesk.toml", Nowhere, tmp_path / "data", "")
    result = frontdesk("postage", "record", "20g", "--class", "letter", "--by", "Ana", config=config)
    assert result.returncode == 1
    assert one_line(result) == (
        f"frontdesk: cannot reach the agent 'main': the broker 127.0.0.1:{Nowhere.port}: connection refused (is the "
        "broker running, and is [mqtt] port right?); start the agent with `sudo systemctl start frontdesk-agent`")


# -- --direct -------------------------------------------------------------------------------------


def test_direct_is_refused_while_the_agent_holds_the_printer_and_so_is_a_second_agent(config_file):
    refused = frontdesk("printer", "status", "--direct", config=config_file)
    assert refused.returncode == 1 and refused.stdout == ""
    assert one_line(refused).startswith(f"frontdesk: --direct refused: device 'desk' is in use by process {os.getpid()}"
                                        " (frontdesk-agent 'main'); leave out --direct")
    second = subprocess.run([sys.executable, "-m", "frontdesk.agent.daemon", "--config", str(config_file)], capture_output=True,
                            text=True, timeout=30)
    assert second.returncode == 2
    assert second.stderr.splitlines()[-1] == (f"frontdesk-agent: device 'desk' is in use by process {os.getpid()} "
                                              "(frontdesk-agent 'main'); it must be stopped first")


def test_direct_opens_the_printer_itself_while_no_agent_runs_and_leaves_no_temporary_folders(tmp_path, office,
                                                                                              printer_sim):
    config = write_config(tmp_path / "frontdesk.toml", office[1], tmp_path / "data", printer_toml(printer_sim.port))
    config.write_text(config.read_text().replace("[agent]\n", '[agent]\nid = "stopped"\n'))
    scratch, cache = tmp_path / "tmp", tmp_path / "cache"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "XDG_CACHE_HOME": str(cache), "FRONTDESK_CONFIG": str(config)}
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    for _ in range(2):
        result = subprocess.run([sys.executable, "-m", "frontdesk.agent.cli", "printer", "status", "--direct"],
                                capture_output=True, text=True, env=env, timeout=30)
        assert result.returncode == 0 and "is ready (paper ok)" in result.stdout, result.stderr
    assert list(scratch.iterdir()) == []
    assert [p.name for p in (cache / "frontdesk").iterdir()] == [f"{sys.version.split()[0]}.capabilities.pickle"]


def test_frontdesk_report_says_where_the_report_went(tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text(OFFICE_TOML)
    moved = run_frontdesk("report", "--from", "2026-11-01", "--to", "2026-11-30", config=config)
    assert moved.returncode == 2 and "Traceback" not in moved.stderr
    assert "run `frontdesk-manager report --from 2026-11-01 --to 2026-11-30 --config " in moved.stderr
    assert moved.stderr.rstrip().endswith("` on the manager's machine")
