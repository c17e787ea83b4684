"""Helpers the tests share, importable by name from any test module (`from testbed import ...`).

conftest.py files all share one module name, so a test module must not import
from them; the fixtures stay in conftest.py and use these.
"""

from __future__ import annotations

from pathlib import Path

from contract.config import FrontdeskConfig, parse_config

OFFICE_TOML = """
site = "test"
[office]
name = "Exemplu SRL"
address = ["Strada Ștefan cel Mare 12", "700000 Iași"]
language = "ro"
currency = "RON"
timezone = "Europe/Bucharest"
tax_rate = 0.19
receipt_footer = "Mulțumim pentru vizită!"
"""


def printer_config(connection: str, profile: str = "TM-T20II", **settings) -> FrontdeskConfig:
    """A config with one printer, written as TOML and parsed like the real file."""
    lines = ['id = "desk"', f'connection = "{connection}"', f'profile = "{profile}"']
    lines += [f"{key} = {_toml(value)}" for key, value in settings.items()]
    return parse_config(OFFICE_TOML + "[[printer]]\n" + "\n".join(lines) + "\n")


def _toml(value) -> str:
    if isinstance(value, (str, Path)):
        return f'"{value}"'
    return str(value).lower() if isinstance(value, bool) else str(value)


def scale_config(protocol: str, device, **settings):
    """The config of one scale, parsed like the real file."""
    lines = ['id = "mail-scale"', f'protocol = "{protocol}"', f'device = "{device}"', "timeout = 0.5"]
    lines += [f"{key} = {_toml(value)}" for key, value in settings.items()]
    return parse_config(OFFICE_TOML + "[[scale]]\n" + "\n".join(lines) + "\n").scale[0]


def queue_configs(lab) -> dict:
    config = parse_config(
        OFFICE_TOML
        + f'[cups]\nserver = "{lab.server}"\n'
        + '[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n'
        + '[[queue]]\nid = "fax"\ncups_name = "Fax"\nkind = "fax"\n'
    )
    return {queue.id: queue for queue in config.queue}


def run_frontdesk(*args: str, config: Path, timeout: float = 60):
    """`frontdesk ARGS --config CONFIG` as a staff member runs it: a real process."""
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "agent.cli", *args, "--config", str(config)],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, "FRONTDESK_CONFIG": ""},
    )
