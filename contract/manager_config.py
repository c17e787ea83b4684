"""The `[manager]` section: the office manager's history, dashboard, alerts and report."""

from __future__ import annotations

from contract.config_base import Strict


class ManagerConfig(Strict):
    pass
