"""Each device's health over time: when it changed, and which events that makes.

A supervisor reports snapshots (health, reasons, extra fields); `HealthTracker`
turns them into the retained state message and, when the health or reasons
change, into events: one per new reason (`paper_out`, `jam`, `offline`, ...)
and `recovered` with the downtime when the device is fine again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from frontdesk.contract import clock
from frontdesk.contract import mqtt as contract

Publish = Callable[[str, str, dict[str, Any]], None]  # (device id, leaf, payload)


Changed = Callable[[str, str, str, tuple[str, ...], datetime], None]  # (device, kind, health, reasons, at)


class HealthTracker:
    def __init__(self, device_id: str, kind: str, publish: Publish, on_change: Changed | None = None) -> None:
        self.device_id, self.kind = device_id, kind
        self._publish = publish
        self._on_change = on_change  # the agent's on-disk device history
        self._lock = threading.Lock()
        self._health: str | None = None
        self._reasons: tuple[str, ...] = ()
        self._since = clock.now()
        self._last_fields: dict[str, Any] = {}
        # Since when, and why, the device has not been ok: one outage may pass
        # through several healths (error, then warning) before it recovers.
        self._trouble_since: datetime | None = None
        self._trouble_reasons: list[str] = []
        # Reasons the agent itself adds (its supervisor for the device keeps crashing),
        # on top of what the device reports, until they are withdrawn.
        self._own: dict[str, str] = {}
        self._reported: tuple[str, tuple[str, ...], dict[str, Any]] | None = None
        self._state: dict[str, Any] | None = None  # the state last published

    @property
    def health(self) -> str | None:
        return self._health

    def report(self, health: str, reasons: tuple[str, ...] | list[str], **fields: Any) -> None:
        with self._lock:
            self._reported = (health, tuple(reasons), fields)
            if self._own:
                health = "error"
                reasons = tuple(reasons) + tuple(r for r in self._own if r not in reasons)
                fields = {**fields, "message": "; ".join(self._own.values())}
            reasons = tuple(reasons)
            changed = (health, reasons) != (self._health, self._reasons)
            if not changed and fields == self._last_fields:
                return
            now = clock.now()
            if changed:
                self._announce(health, reasons, now)
                if self._on_change is not None:
                    self._on_change(self.device_id, self.kind, health, reasons, now)
                if health != self._health:
                    self._since = now
                self._health, self._reasons = health, reasons
            self._last_fields = fields
            state = contract.device_state(
                self.device_id, self.kind, health, list(reasons), self._since.isoformat(timespec="seconds"), **fields
            )
            self._state = state
        self._publish(self.device_id, "state", state)

    def add_own_reason(self, reason: str, message: str) -> None:
        """E.g. `supervisor_restarting`: shown with whatever the device says until withdrawn."""
        with self._lock:
            self._own[reason] = message
        self._republish()

    def withdraw_own_reason(self, reason: str) -> None:
        with self._lock:
            if self._own.pop(reason, None) is None:
                return
        self._republish()

    def _republish(self) -> None:
        with self._lock:
            if self._reported is None and not self._own:
                return  # nothing to show yet
            health, reasons, fields = self._reported or ("error", (), {})
        self.report(health, reasons, **fields)

    def state(self) -> dict[str, Any]:
        """The state last published (the `status` command's): the very payload of the retained
        state, `updated` and `v` included. Before the device's first report, one that says so."""
        with self._lock:
            if self._state is not None:
                return dict(self._state)
            return contract.device_state(self.device_id, self.kind, "offline", [],
                                         self._since.isoformat(timespec="seconds"),
                                         message="not read yet: the agent has just started")

    def _announce(self, health: str, reasons: tuple[str, ...], now: datetime) -> None:
        for reason in reasons:
            if reason not in self._reasons:
                self._publish(self.device_id, "events", contract.event(reason, health=health))
        if health != "ok":
            if self._trouble_since is None:
                self._trouble_since = now if self._health is not None else self._since
            self._trouble_reasons += [r for r in reasons if r not in self._trouble_reasons]
        elif self._trouble_since is not None:
            down = (now - self._trouble_since).total_seconds()
            self._publish(self.device_id, "events", contract.event(
                "recovered", after=self._trouble_reasons, down_seconds=round(down, 1)))
            self._trouble_since, self._trouble_reasons = None, []
