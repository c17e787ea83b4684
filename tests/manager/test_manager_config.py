"""The [manager] section: defaults, a full example, and one clear line per mistake."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from frontdesk.contract.config import ConfigError, parse_config

EXAMPLE = Path(__file__).parents[2] / "docs" / "frontdesk.example.toml"


def test_defaults_need_nothing_in_the_file():
    manager = parse_config("").manager
    assert manager.id == "manager" and manager.sites == []
    assert manager.database == "sqlite:////var/lib/frontdesk-manager/history.db"
    assert manager.smtp is None and manager.alerts.hold_down_seconds == 120
    assert manager.alerts.warning_after_minutes == 15 and manager.dashboard.port == 8080
    assert manager.report.schedule == "off" and manager.report.send_at == "07:00"


def test_a_full_section_parses():
    manager = parse_config("""
[manager]
database = "postgresql://frontdesk:pw@db.example/frontdesk"
sites = ["hq", "branch-2"]
[manager.smtp]
host = "mail.example.com"
port = 465
security = "tls"
username = "alerts"
password = "pw"
sender = "frontdesk@example.com"
[manager.alerts]
email_to = ["manager@example.com"]
webhook = { url = "https://chat.example.com/hooks/abc", timeout = 3 }
warning_after_minutes = 30
hold_down_seconds = 300
[[manager.dashboard.users]]
name = "maria"
password_hash = "scrypt$16384$8$1$c2FsdA==$aGFzaA=="
[manager.report]
schedule = "weekly"
email_to = ["boss@example.com"]
send_at = "06:30"
""").manager
    assert manager.smtp.security == "tls" and manager.smtp.port == 465
    assert manager.alerts.webhook.url.startswith("https://") and manager.alerts.webhook.timeout == 3
    assert manager.dashboard.users[0].name == "maria" and manager.report.schedule == "weekly"


def test_the_documented_example_section_is_valid():
    """docs/frontdesk.example.toml has the [manager] section commented out; uncommented it parses."""
    text = EXAMPLE.read_text()
    start = text.index("# [manager]")
    block = []
    for line in text[start:].splitlines():
        if not line.startswith("#"):
            break
        block.append(line[2:] if line.startswith("# ") else line[1:])
    section = "\n".join(line for line in block if line.strip().startswith(("[", "#")) or "=" in line)
    tomllib.loads(section)
    manager = parse_config(section).manager
    assert manager.alerts.email_to and manager.smtp is not None


@pytest.mark.parametrize(("toml", "expected"), [
    ('[manager]\ndatabase = "mysql://x/y"', "manager.database: unsupported database 'mysql://x/y'; use sqlite:////path"),
    ('[manager.alerts]\nemail_to = ["a@b.example"]', "manager: alerts.email_to is set but there is no [manager.smtp]"),
    ('[manager.alerts]\nemail_to = ["not-an-address"]', "manager.alerts.email_to[0]: 'not-an-address' is not an email address"),
    ('[manager.alerts]\nwebhook = { url = "ftp://x/y" }', "manager.alerts.webhook.url: expected an http:// or https:// address"),
    ('[manager.alerts]\nhold_down = 5', "manager.alerts.hold_down: unknown key; did you mean 'hold_down_seconds'?"),
    ('[manager.alerts]\nwarning_after_minutes = -1', "manager.alerts.warning_after_minutes: input should be greater than or equal to 0"),
    ('[manager.smtp]\nhost = "m"\nsender = "a@b.example"\nsecurity = "ssl"', "manager.smtp.security: 'ssl' is not allowed"),
    ('[manager.smtp]\nhost = "m"', "manager.smtp.sender: required"),
    ('[manager.report]\nsend_at = "7am"', "manager.report.send_at: expected a time of day as HH:MM"),
    ('[manager.report]\nschedule = "hourly"', "manager.report.schedule: 'hourly' is not allowed"),
    ('[manager]\nsites = ["Main Office"]', "manager.sites[0]: 'Main Office' is not a valid site id"),
    ('[[manager.dashboard.users]]\nname = "x"\npassword_hash = "hunter2"', "manager.dashboard.users[0].password_hash"),
])
def test_mistakes_name_the_key(toml, expected):
    with pytest.raises(ConfigError) as error:
        parse_config(toml)
    assert str(error.value).startswith(expected), str(error.value)
