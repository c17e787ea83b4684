"""The `[manager]` section: the office manager's history, dashboard, alerts and report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from frontdesk.contract.config_base import DeviceId, Port, Seconds, Strict
from frontdesk.contract.mqtt_config import MqttLogin

DEFAULT_DATA_DIR = Path("/var/lib/frontdesk-manager")
DEFAULT_DATABASE = f"sqlite:///{DEFAULT_DATA_DIR}/history.db"

# A plain address check: the SMTP server has the last word, this only catches typos.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address such as 'manager@example.com'")
    return value


Email = Annotated[str, AfterValidator(_email)]
_SITE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")  # the same rule as DeviceId


def _site(value: str) -> str:
    if not _SITE.fullmatch(value):
        raise ValueError(f"{value!r} is not a valid site id; use lowercase letters, digits, '-' and '_' "
                         "(it is the <site> of frontdesk/<site>/... topics)")
    return value


SiteId = Annotated[str, AfterValidator(_site)]


class SmtpConfig(Strict):
    host: str
    port: Port = 587
    # "starttls": plain connection upgraded to TLS (port 587); "tls": TLS from the start (465).
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    sender: Email
    # A private CA for the mail server's certificate; None: the system's trust store.
    ca_file: Path | None = None
    timeout: Seconds = 10


class WebhookConfig(Strict):
    url: str
    timeout: Seconds = 5

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"expected an http:// or https:// address, got {value!r}")
        return value


class AlertConfig(Strict):
    email_to: list[Email] = []
    webhook: WebhookConfig | None = None
    # A device in `warning` (e.g. toner low) is only worth a message if it stays so.
    warning_after_minutes: Annotated[float, Field(ge=0)] = 15
    # A device that recovers and fails again within this time continues the same incident.
    hold_down_seconds: Annotated[float, Field(ge=0)] = 120


class ManagerUser(Strict):
    name: Annotated[str, StringConstraints(min_length=1)]
    # Made by `frontdesk-manager hash-password`; never the password itself.
    password_hash: Annotated[str, StringConstraints(pattern=r"^scrypt\$")]


class DashboardConfig(Strict):
    host: str = "127.0.0.1"
    port: Port = 8080
    users: list[ManagerUser] = []
    session_hours: Annotated[float, Field(gt=0)] = 12
    # Key that signs session cookies; None: <data_dir>/session.key, created on first start.
    secret_file: Path | None = None
    # HTTPS: the certificate (PEM, chain included) and its private key, both or neither. With
    # them the session cookie travels over HTTPS only. Without: plain HTTP, for 127.0.0.1 or
    # behind a reverse proxy that does TLS.
    tls_certificate: Path | None = None
    tls_key: Path | None = None

    @model_validator(mode="after")
    def _certificate_and_key(self) -> DashboardConfig:
        if self.tls_certificate is not None and self.tls_key is None:
            raise ValueError("tls_certificate is set without tls_key (the certificate's private key)")
        if self.tls_key is not None and self.tls_certificate is None:
            raise ValueError("tls_key is set without tls_certificate")
        return self

    @property
    def https(self) -> bool:
        return self.tls_certificate is not None


class ReportConfig(Strict):
    schedule: Literal["off", "daily", "weekly", "monthly"] = "off"
    email_to: list[Email] = []
    # Local time of the office (office.timezone), 24-hour clock.
    send_at: str = "07:00"

    @field_validator("send_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
            raise ValueError(f"expected a time of day as HH:MM such as '07:00', got {value!r}")
        return value


class ManagerConfig(Strict):
    # Names the manager in MQTT client ids and its command reply topics.
    id: DeviceId = "manager"
    # SQLAlchemy URL: sqlite:////path/history.db, or postgresql://user:password@host/db.
    database: str = DEFAULT_DATABASE
    data_dir: Path = DEFAULT_DATA_DIR
    # Sites to follow; empty: every site on the broker.
    sites: list[SiteId] = []
    smtp: SmtpConfig | None = None
    alerts: AlertConfig = AlertConfig()
    dashboard: DashboardConfig = DashboardConfig()
    report: ReportConfig = ReportConfig()
    # The manager's own MQTT login (frontdesk-manager); None: [mqtt]'s.
    mqtt: MqttLogin | None = None

    @field_validator("database")
    @classmethod
    def _known_database(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0]
        if scheme not in ("sqlite", "postgresql", "postgres") or "://" not in value:
            raise ValueError(
                f"unsupported database {value!r}; use sqlite:////path/history.db or postgresql://user:password@host/db"
            )
        return value

    @model_validator(mode="after")
    def _mail_needs_smtp(self) -> ManagerConfig:
        if self.smtp is None and self.alerts.email_to:
            raise ValueError("alerts.email_to is set but there is no [manager.smtp] to send the mail through")
        if self.smtp is None and self.report.schedule != "off" and self.report.email_to:
            raise ValueError("report.email_to is set but there is no [manager.smtp] to send the report through")
        return self
