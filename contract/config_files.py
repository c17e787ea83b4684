"""Whether the files and folders a config names can be used, before a program relies on them.

Validating the TOML only says that a value is a path. A CA file that is not there, a data_dir
that is a file or belongs to another user would otherwise end start-up with a traceback deep
in paho or SQLite, and under systemd a restart every few seconds that cannot help. Each
program checks what it uses, in its `config check` and at start-up, here in one place; each
fault is one line naming the key, told like every other ConfigError (exit status 2).

Permissions are those of the user running the check: `sudo -u frontdesk frontdesk config
check` answers for the agent's service user.
"""

from __future__ import annotations

import os
import re
import ssl
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from frontdesk.contract.config import FrontdeskConfig, config_path, load_config
from frontdesk.contract.config_errors import ConfigError
from frontdesk.contract.mqtt_config import user_name, with_password

Program = Literal["agent", "kiosk", "manager", "cli"]

# access() with the effective ids where the platform has it: a setuid wrapper asks for its user.
_EFFECTIVE = os.access in os.supports_effective_ids


def load_checked_config(explicit: str | os.PathLike | None, program: Program) -> FrontdeskConfig:
    """The config, once its files are known to be usable by `program`; else a ConfigError."""
    config = load_config(config_path(explicit))
    check_files(config, program)
    return config


def check_files(config: FrontdeskConfig, program: Program) -> None:
    problems = file_problems(config, program)
    if problems:
        raise ConfigError(*problems)


def file_problems(config: FrontdeskConfig, program: Program) -> list[str]:
    """One line per unusable file or folder among those `program` uses."""
    own = {"agent": _agent, "kiosk": _kiosk, "manager": _manager, "cli": _cli}[program]
    return [*_mqtt(config, program), *own(config)]


def describe_login(config: FrontdeskConfig, program: Program) -> str:
    """For `config check`: where `program` connects, as whom, and which section says so."""
    login, section = config.mqtt_login(program), config.mqtt_section(program)
    host = f"[{login.host}]" if ":" in login.host else login.host
    who = f"as {login.username}" if login.username else "without a login"
    secret = f", password in {login.password_file}" if login.password_file else ""
    return f"MQTT broker {host}:{login.port} {who} ([{section}]{secret})"


def certificate_and_key(section: str, certificate: tuple[str, Path | None],
                        key: tuple[str, Path | None]) -> list[str]:
    """A certificate (PEM) and its private key, each given as (key name, path or None); a
    key may be left out when it is in the certificate's file. [] when they load together."""
    (cert_name, cert_path), (key_name, key_path) = certificate, key
    if cert_path is None:
        return [f"{section}.{key_name}: set without {cert_name}, the certificate it is the key of"] if key_path else []
    problems = list(_certificates(f"{section}.{cert_name}", cert_path))
    if key_path is not None:
        problems += _readable(f"{section}.{key_name}", key_path)
    if problems:
        return problems
    try:
        # An empty passphrase: one protected by a passphrase cannot be used (no key holds one),
        # and without this OpenSSL would ask for it on the terminal.
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain(cert_path, key_path, password=lambda: b"")
    except ssl.SSLError as error:
        where = f"{section}.{key_name}: {key_path}" if key_path else f"{section}.{cert_name}: {cert_path}"
        if error.reason == "KEY_VALUES_MISMATCH":
            return [f"{where} is not the private key of the certificate {cert_path}"]
        holds = "is not" if key_path else "does not hold"
        return [f"{where} {holds} a PEM private key (or it is protected by a passphrase, which cannot be given)"]
    except OSError as error:
        return [f"{section}.{cert_name}/{key_name}: cannot read {cert_path}, {key_path}: {error.strerror}"]
    return []


def _mqtt(config: FrontdeskConfig, program: Program) -> Iterator[str]:
    """The login `program` uses: its password file, and the TLS files (its own or [mqtt]'s)."""
    login, section = config.mqtt_login(program), config.mqtt_section(program)
    try:  # read as the program will: a file it cannot read, or an empty one, is told here
        with_password(login, section)
    except ConfigError as error:
        yield from error.problems
    if login.tls is None:
        return
    override = None if program == "agent" else getattr(config, program).mqtt
    tls = f"{section}.tls" if override is not None and "tls" in override.model_fields_set else "mqtt.tls"
    if login.tls.ca_file is not None:
        yield from _certificates(f"{tls}.ca_file", login.tls.ca_file)
    yield from certificate_and_key(tls, ("cert_file", login.tls.cert_file), ("key_file", login.tls.key_file))


def _agent(config: FrontdeskConfig) -> Iterator[str]:
    yield from _writable_folder("agent.data_dir", config.agent.data_dir)


def _cli(config: FrontdeskConfig) -> Iterator[str]:
    return iter(())  # the staff CLI names no files of its own beyond its login


def _kiosk(config: FrontdeskConfig) -> Iterator[str]:
    kiosk = config.kiosk
    yield from _writable_folder("kiosk.data_dir", kiosk.data_dir)
    if kiosk.policy_dir is not None:
        yield from _readable("kiosk.policy_dir", kiosk.policy_dir, folder=True)
    if kiosk.logo is not None:
        yield from _readable("kiosk.logo", kiosk.logo)


def _manager(config: FrontdeskConfig) -> Iterator[str]:
    manager = config.manager
    yield from _writable_folder("manager.data_dir", manager.data_dir)
    database = _sqlite_file(manager.database)
    if database is None:
        pass
    elif _kind(database) is None:
        yield from _creatable("manager.database", database)
    else:
        problems = list(_readable("manager.database", database))
        yield from problems or _accessible("manager.database", database, os.W_OK, "written")
        # SQLite writes its -wal and -shm files next to the database.
        yield from _accessible("manager.database", database.parent, os.W_OK | os.X_OK, "written",
                               f"the folder of {database}")
    dashboard = manager.dashboard
    if dashboard.secret_file is not None:  # read if it is there, else made on first start
        if _kind(dashboard.secret_file) is None:
            yield from _creatable("manager.dashboard.secret_file", dashboard.secret_file)
        else:
            yield from _readable("manager.dashboard.secret_file", dashboard.secret_file)
    if dashboard.tls_certificate is not None:
        yield from certificate_and_key("manager.dashboard", ("tls_certificate", dashboard.tls_certificate),
                                       ("tls_key", dashboard.tls_key))
    if manager.smtp is not None and manager.smtp.ca_file is not None:
        yield from _certificates("manager.smtp.ca_file", manager.smtp.ca_file)


def _certificates(key: str, path: Path) -> Iterator[str]:
    """A readable file of PEM certificates (a CA, or a certificate with its chain)."""
    problems = list(_readable(key, path))
    if problems:
        yield from problems
        return
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=path)
    except ssl.SSLError as error:
        yield f"{key}: {path} is not a PEM certificate file ({_ssl_reason(error)})"
    except OSError as error:
        yield f"{key}: cannot read {path}: {error.strerror}"


def _readable(key: str, path: Path, folder: bool = False) -> Iterator[str]:
    kind = _kind(path)
    if kind is None:
        yield _missing(key, path)
    elif folder and kind != "folder":
        yield f"{key}: {path} is not a folder"
    elif not folder and kind != "file":
        yield f"{key}: {path} is {'a folder' if kind == 'folder' else 'not a regular file'}, not a file"
    else:
        yield from _accessible(key, path, os.R_OK | os.X_OK if folder else os.R_OK, "read")


def _writable_folder(key: str, path: Path) -> Iterator[str]:
    """A folder this user may write in, or one it can create (programs create their own)."""
    kind = _kind(path)
    if kind == "folder":
        yield from _accessible(key, path, os.W_OK | os.X_OK, "written")
    elif kind is not None:
        yield f"{key}: {path} is not a folder"
    else:
        yield from _creatable(key, path)


def _creatable(key: str, path: Path) -> Iterator[str]:
    """Something not there yet that this user can make, with the folders above it."""
    for parent in _parents(path):
        kind = _kind(parent)
        if kind is None:
            continue
        if kind != "folder":
            yield f"{key}: {path} cannot be created: {parent} is not a folder"
        elif not os.access(parent, os.W_OK | os.X_OK, effective_ids=_EFFECTIVE):
            yield f"{key}: {path} does not exist, and user {_user()} may not create it in {parent}"
        return
    yield _missing(key, path)


def _parents(path: Path) -> list[Path]:
    return list(path.absolute().parents)


def _accessible(key: str, path: Path, mode: int, verb: str, what: str | None = None) -> Iterator[str]:
    if not os.access(path, mode, effective_ids=_EFFECTIVE):
        yield f"{key}: {what or path} cannot be {verb} by user {_user()}"


def _missing(key: str, path: Path) -> str:
    """Does not exist, or a folder above it is closed to this user (stat() cannot tell them apart
    from outside, access() on the parents can)."""
    for parent in reversed(_parents(path)):
        if _kind(parent) == "folder" and not os.access(parent, os.X_OK, effective_ids=_EFFECTIVE):
            return f"{key}: {path} cannot be reached by user {_user()}: {parent} is closed to them"
    return f"{key}: {path} does not exist"


def _kind(path: Path) -> Literal["file", "folder", "other"] | None:
    """None: nothing there (or it cannot be seen)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return "folder"
    # A device or a FIFO may be a file someone means (e.g. /dev/stdin for a key); it is read as one.
    return "file" if stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode) else "other"


def _sqlite_file(url: str) -> Path | None:
    """The file of a sqlite:///path URL; None for another database or an in-memory one."""
    scheme, _, rest = url.partition("://")
    if scheme.split("+", 1)[0] != "sqlite" or not rest.startswith("/"):
        return None
    database = rest[1:].split("?", 1)[0]
    return Path(database) if database and database != ":memory:" else None


def _ssl_reason(error: ssl.SSLError) -> str:
    """OpenSSL's own words without "[X509: ...]" and "(_ssl.c:4154)"."""
    text = str(error.args[1]) if len(error.args) > 1 else str(error)
    return re.sub(r"^\[[^\]]*\]\s*|\s*\(_ssl\.c:\d+\)$", "", text) or str(error)


def _user() -> str:
    return user_name()
