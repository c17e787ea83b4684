"""The `[kiosk]` section: the visitor kiosk's own settings.

Kept apart from contract/config.py so each process's section stays small and
readable. The staff PIN hash format is checked here (not only when the kiosk
first asks for the PIN) so that a mangled paste stops the kiosk at start-up
with a line naming `kiosk.staff_pin_hash`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from frontdesk.contract.config_base import DeviceId, Strict
from frontdesk.contract.mqtt_config import MqttLogin
from frontdesk.contract.secret_hash import check_secret_hash

Language = Literal["en", "ro", "de", "fr", "pl"]
Purpose = Literal["meeting", "interview", "delivery", "maintenance", "event", "other"]
PURPOSES: tuple[Purpose, ...] = ("meeting", "interview", "delivery", "maintenance", "event", "other")

class HostEntry(Strict):
    """Someone visitors come to see, listed in the kiosk's host directory."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    department: str | None = None


class VisitorField(Strict):
    """A further question asked at sign-in, e.g. a car's number plate."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,30}$")]
    # The UI shows the visitor's language, else English, else any; the office's
    # default language must be there (checked against [office] by FrontdeskConfig).
    label: dict[Language, Annotated[str, StringConstraints(min_length=1)]] = Field(min_length=1)
    required: bool = False
    max_length: Annotated[int, Field(ge=1, le=1000)] = 120


class KioskConfig(Strict):
    # MQTT: frontdesk/<site>/kiosk/<id>/...
    id: DeviceId = "lobby"
    # Which agent the kiosk commands, and its badge printer (None: the agent's first). Not
    # checked against [[printer]]: the agent may run on another machine with its own file.
    agent: DeviceId = "main"
    printer: DeviceId | None = None
    # visitors.db (the visitor log) and the PIN lock-out state live here.
    data_dir: Path = Path("/var/lib/frontdesk-kiosk")
    # Back to the welcome screen, forgetting what was typed, after this long untouched.
    idle_seconds: Annotated[float, Field(ge=10, le=3600)] = 60
    # Visits older than this are erased (with their signatures).
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 30
    # From `frontdesk-kiosk set-pin`; None disables the staff area.
    staff_pin_hash: str | None = None
    pin_attempts: Annotated[int, Field(ge=1, le=100)] = 5
    lockout_minutes: Annotated[float, Field(gt=0, le=1440)] = 5
    purposes: list[Purpose] = Field(default=list(PURPOSES), min_length=1)
    hosts: list[HostEntry] = []
    fields: list[VisitorField] = []
    # <lang>.txt files here override the shipped visitor policy texts.
    policy_dir: Path | None = None
    logo: Path | None = None
    fullscreen: bool = True
    window_size: tuple[Annotated[int, Field(ge=200, le=8192)], Annotated[int, Field(ge=200, le=8192)]] | None = None
    # The kiosk's own MQTT login (e.g. frontdesk-kiosk-lobby); None: [mqtt]'s.
    mqtt: MqttLogin | None = None

    @field_validator("staff_pin_hash")
    @classmethod
    def _well_formed_hash(cls, value: str | None) -> str | None:
        if value is not None:
            check_secret_hash(value, "frontdesk-kiosk set-pin")
        return value

    @field_validator("fields")
    @classmethod
    def _unique_field_ids(cls, value: list[VisitorField]) -> list[VisitorField]:
        ids = [field.id for field in value]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"field id {duplicates[0]!r} is used twice; give every field its own id")
        return value

    def missing_labels(self, office_language: str) -> list[str]:
        """Key paths of field labels that lack the office's default language."""
        return [
            f"kiosk.fields[{index}].label.{office_language}"
            for index, field in enumerate(self.fields)
            if office_language not in field.label
        ]
