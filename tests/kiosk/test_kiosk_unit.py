"""systemd/frontdesk-kiosk.service: verified by systemd, and says what the Pi needs."""

from __future__ import annotations

import configparser
import re
import shutil
from pathlib import Path

import pytest
from testbed import unit_complaints

UNIT = Path(__file__).parents[2] / "systemd" / "frontdesk-kiosk.service"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, empty_lines_in_values=False)
    parser.optionxform = str
    parser.read(UNIT, encoding="utf-8")
    return parser


def environment() -> dict[str, str]:
    lines = [line.split("=", 1)[1] for line in UNIT.read_text().splitlines() if line.startswith("Environment=")]
    return dict(line.split("=", 1) for line in lines)


def test_the_kiosk_draws_full_screen_through_kms_without_a_desktop():
    assert environment()["KIVY_WINDOW"] == "sdl2" and environment()["SDL_VIDEODRIVER"] == "kmsdrm"
    service = unit()["Service"]
    assert set(service["SupplementaryGroups"].split()) == {"video", "input", "render"}
    assert service["User"] == "frontdesk-kiosk" and service["ExecStart"].endswith("frontdesk-kiosk run")


def test_the_kiosk_comes_after_the_agent_and_restarts_only_on_failure():
    section = unit()["Unit"]
    assert "frontdesk-agent.service" in section["After"] and section["Wants"] == "frontdesk-agent.service"
    service = unit()["Service"]
    assert service["Restart"] == "on-failure" and service["RestartPreventExitStatus"] == "2"
    # The kiosk's own check, as the kiosk's user: the agent's would judge the agent's data_dir.
    assert service["ExecStartPre"] == "-/opt/frontdesk/bin/frontdesk-kiosk config check"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_unit_file_verifies_apart_from_the_executables_of_the_pi():
    complaints = unit_complaints(UNIT)
    missing = re.compile(r"Command /opt/frontdesk/bin/frontdesk(-kiosk)? is not executable")
    assert all(missing.search(line) for line in complaints), complaints
