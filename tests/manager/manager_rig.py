"""Helpers shared by the manager's tests (import them from here, not from conftest: every
area has a conftest.py, and `import conftest` would find whichever came first)."""

from __future__ import annotations

import json
from pathlib import Path

from frontdesk.contract.config import FrontdeskConfig, parse_config

# Waiting is testbed.wait_until (it raises, naming what it waited for): `from testbed import wait_until`.


def manager_config(broker, database_url: str, data_dir: Path, extra: str = "", sites: list[str] | None = None,
                   manager_id: str = "manager") -> FrontdeskConfig:
    """A config as the office writes it, for a manager on the test broker."""
    sites_line = f"sites = {json.dumps(sites)}\n" if sites else ""
    return parse_config(
        f'site = "hq"\n[office]\ntimezone = "Europe/Bucharest"\n'
        f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
        f'[manager]\nid = "{manager_id}"\ndatabase = "{database_url}"\ndata_dir = "{data_dir}"\n{sites_line}{extra}'
    )


def alert_rules(**settings) -> str:
    """A [manager.alerts] section: two recipients, a short hold-down, and any `settings`."""
    values = {"email_to": '["manager@example.com", "it@example.com"]', "hold_down_seconds": 0.5,
              "warning_after_minutes": 15, **settings}
    return "[manager.alerts]\n" + "".join(f"{key} = {value}\n" for key, value in values.items())
