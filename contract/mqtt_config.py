"""`[mqtt]` and each process's own MQTT login: `[kiosk.mqtt]`, `[manager.mqtt]`, `[cli.mqtt]`.

`[mqtt]` is the agent's login and everyone's default. A process with an override logs in with
the override's username and password; host, port and TLS still come from `[mqtt]` unless the
override gives them too. Credentials go together: an override that names a user never borrows
the agent's password.

A password may live in a file of its own (`password_file`), readable only by the one service
user that needs it, so the shared config file can be readable by every Frontdesk user while
each secret is not. The file is read when the process builds its login (FrontdeskConfig.mqtt_for),
never when the config is parsed: the kiosk must not need the agent's secret to read the config.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import model_validator

from frontdesk.contract.config_base import Port, Strict
from frontdesk.contract.config_errors import ConfigError

# Fields that make up who logs in: an override giving any of them gives all of them.
CREDENTIALS = ("username", "password", "password_file")


class TlsConfig(Strict):
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None


class _Secret(Strict):
    username: str | None = None
    password: str | None = None
    password_file: Path | None = None

    @model_validator(mode="after")
    def _one_password(self):
        if self.password is not None and self.password_file is not None:
            raise ValueError("password and password_file are both set; give one of them")
        return self


class MqttConfig(_Secret):
    """`[mqtt]`: the broker, and the agent's login."""

    host: str = "localhost"
    port: Port = 1883
    tls: TlsConfig | None = None


class MqttLogin(_Secret):
    """`[<process>.mqtt]`: another login for one process; whatever it leaves out is `[mqtt]`'s."""

    host: str | None = None
    port: Port | None = None
    tls: TlsConfig | None = None


def merged_login(base: MqttConfig, override: MqttLogin | None) -> MqttConfig:
    """`[mqtt]` with the override's settings in place of its own (the password file not read)."""
    if override is None:
        return base
    given = override.model_fields_set
    changes: dict[str, object] = {name: getattr(override, name) for name in ("host", "port", "tls") if name in given}
    if given & set(CREDENTIALS):
        changes.update({name: getattr(override, name) for name in CREDENTIALS})
    return base.model_copy(update=changes)


def with_password(login: MqttConfig, section: str) -> MqttConfig:
    """The login with its password read from `password_file`, if it has one; else a ConfigError
    naming the key, the file and the user (one line, exit status 2 like every config fault)."""
    if login.password_file is None:
        return login
    return login.model_copy(update={"password": read_password_file(login.password_file, f"{section}.password_file"),
                                    "password_file": None})


def read_password_file(path: Path, key: str) -> str:
    """The file's first line: `echo secret > file` leaves a newline, which is no part of it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise ConfigError(f"{key}: {path} cannot be read by user {user_name()}: {reason}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{key}: {path} is not UTF-8 text") from None
    password = text.splitlines()[0] if text else ""
    if not password:
        raise ConfigError(f"{key}: {path} is empty; write the password on its first line")
    return password


def user_name() -> str:
    """Who this process runs as, by name where the system has one."""
    import pwd

    uid = os.geteuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:  # a uid without a name, as in some containers
        return str(uid)
