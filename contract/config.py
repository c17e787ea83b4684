"""The one configuration file every Frontdesk process reads, as typed models.

Declared once here so the agent, the kiosk, the manager and the CLI agree on it.
Every model rejects unknown keys: a misspelt key must stop the program with a
message naming it, never be ignored (python-escpos' habit of swallowing unknown
keyword arguments is exactly what we do not want).
"""

from __future__ import annotations

import os
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import Field, StringConstraints, ValidationError, field_validator, model_validator

from frontdesk.contract.config_base import DeviceId, Port, Seconds, Strict
from frontdesk.contract.config_errors import ConfigError, describe_validation_error
from frontdesk.contract.kiosk_config import KioskConfig
from frontdesk.contract.manager_config import ManagerConfig
from frontdesk.contract.mqtt_config import MqttConfig, MqttLogin, TlsConfig, merged_login, with_password

__all__ = ["ConfigError", "FrontdeskConfig", "MqttConfig", "PrinterConfig", "TlsConfig", "load_config", "parse_config"]

DEFAULT_CONFIG_PATH = Path("/etc/frontdesk/frontdesk.toml")
CONFIG_ENV_VAR = "FRONTDESK_CONFIG"
# What a printer is assumed to take when its config does not say: a slow 80 mm thermal
# printer printing plain text (lines of ~50 bytes at ~20 lines a second). Network and USB
# lines are far faster than any printer, so the printer is what limits them.
ASSUMED_BYTES_PER_SECOND = 1000


class OfficeConfig(Strict):
    """Who the office is: printed on receipts and badges, shown on the kiosk."""

    name: str = "Frontdesk"
    address: list[str] = []
    phone: str | None = None
    tax_id: str | None = None
    language: Literal["en", "ro", "de", "fr", "pl"] = "en"
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    # ISO 3166 country code: fax numbers typed without +country are read as local to it.
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    timezone: str = "UTC"
    # VAT already included in prices, as usual for retail in the EU.
    tax_rate: Annotated[Decimal, Field(ge=0, lt=1)] = Decimal("0")
    receipt_footer: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use a name such as 'Europe/Bucharest'") from None
        return value


class PrinterBase(Strict):
    id: DeviceId
    name: str | None = None
    # A python-escpos capability profile: it sets the paper width and code pages.
    profile: str = "default"
    timeout: Seconds = 5.0
    status_timeout: Seconds = 1.0
    # How often a printer that does not report by itself (no Automatic Status Back, or a USB
    # line that cannot be watched) is asked between jobs: a fault reaches the manager this soon.
    # Not below 0.05 s, which would only keep the printer and the Pi busy.
    status_poll: Annotated[float, Field(ge=0.05, le=60)] = 0.5
    # The slowest rate the printer takes a job at, in bytes per second: it prints as it receives,
    # so its status answer after a job comes that much later, and a job is confirmed only by
    # that answer (see ReceiptPrinter.print_bytes). Unset: ASSUMED_BYTES_PER_SECOND, or a
    # serial line's own rate when that is lower. Too low only makes a dead printer noticed later.
    bytes_per_second: Annotated[int, Field(ge=100, le=10_000_000)] | None = None
    # Which drawer-kick connector pin the cash drawer is wired to, if any.
    drawer_pin: Literal[2, 5] | None = None

    @property
    def rate(self) -> float:
        """Bytes per second to allow for when waiting for the printer to finish a job."""
        return self.bytes_per_second or ASSUMED_BYTES_PER_SECOND

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        from frontdesk.contract.printer_profiles import known_profiles

        names = known_profiles()
        if value not in names:
            raise ValueError(
                f"unknown printer profile {value!r}; known profiles: {', '.join(sorted(names))}"
            )
        return value


class NetworkPrinterConfig(PrinterBase):
    connection: Literal["network"]
    host: str
    port: Port = 9100

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


class UsbPrinterConfig(PrinterBase):
    connection: Literal["usb"]
    vendor_id: Annotated[int, Field(ge=0, le=0xFFFF)]
    product_id: Annotated[int, Field(ge=0, le=0xFFFF)]

    @field_validator("vendor_id", "product_id", mode="before")
    @classmethod
    def _hex_string(cls, value: object) -> object:
        # lsusb shows ids as hex ("04b8"); accept them the way people copy them.
        if isinstance(value, str):
            try:
                return int(value, 16)
            except ValueError:
                raise ValueError(f"expected a hexadecimal USB id such as '04b8', got {value!r}") from None
        return value

    @property
    def address(self) -> str:
        return f"USB {self.vendor_id:04x}:{self.product_id:04x}"


class SerialPrinterConfig(PrinterBase):
    connection: Literal["serial"]
    device: str
    baudrate: Literal[2400, 4800, 9600, 19200, 38400, 57600, 115200] = 19200
    parity: Literal["none", "even", "odd"] = "none"
    rtscts: bool = False

    @property
    def address(self) -> str:
        return f"{self.device} at {self.baudrate} baud"

    @property
    def rate(self) -> float:
        # A start bit, 8 data bits, a parity bit if any and a stop bit per byte.
        line = self.baudrate / (10 if self.parity == "none" else 11)
        return self.bytes_per_second or min(line, ASSUMED_BYTES_PER_SECOND)


class FilePrinterConfig(PrinterBase):
    connection: Literal["file"]
    device: Path

    @property
    def address(self) -> str:
        return str(self.device)


PrinterConfig = Annotated[
    Union[NetworkPrinterConfig, UsbPrinterConfig, SerialPrinterConfig, FilePrinterConfig],
    Field(discriminator="connection"),
]


class SerialScaleBase(Strict):
    id: DeviceId
    name: str | None = None
    device: str
    baudrate: Literal[1200, 2400, 4800, 9600, 19200, 38400] = 9600
    bytesize: Literal[7, 8] = 8
    parity: Literal["none", "even", "odd"] = "none"
    stopbits: Literal[1, 2] = 1
    # How long to wait for an answer before saying the scale does not answer.
    timeout: Seconds = 1.0

    @property
    def address(self) -> str:
        return f"{self.device} at {self.baudrate} baud"


class MtSicsScaleConfig(SerialScaleBase):
    protocol: Literal["mt-sics"]


class NciScaleConfig(SerialScaleBase):
    protocol: Literal["nci"]


class HidScaleConfig(Strict):
    """A USB HID postal scale (Dymo M10/M25, Stamps.com) read through /dev/hidrawN."""

    id: DeviceId
    name: str | None = None
    protocol: Literal["hid"]
    device: str
    timeout: Seconds = 1.0

    @property
    def address(self) -> str:
        return self.device


ScaleConfig = Annotated[
    Union[MtSicsScaleConfig, NciScaleConfig, HidScaleConfig],
    Field(discriminator="protocol"),
]


class CupsConfig(Strict):
    server: str | None = None  # "host:port"; None: the system's CUPS
    timeout: Seconds = 10.0  # longest wait for one answer from cupsd
    # How often the machine behind an idle queue is asked itself: cupsd hears from it only during jobs.
    device_poll_interval: Seconds = 30.0


class QueueConfig(Strict):
    id: DeviceId
    name: str | None = None
    cups_name: Annotated[str, StringConstraints(min_length=1)]
    kind: Literal["copier", "fax"]


class AgentConfig(Strict):
    # Names this agent in MQTT topics: frontdesk/<site>/agent/<id>/...
    id: DeviceId = "main"
    # The agent's ledgers (mail log, receipts, job queue) live here.
    data_dir: Path = Path("/var/lib/frontdesk")
    # Seconds between checks of a printer's kept-open line when it reports faults by itself
    # (Automatic Status Back), and between tries of one that is unreachable or never answers.
    # A printer that must be asked is asked every [[printer]] status_poll instead.
    printer_interval: Seconds = 30.0


class PostageConfig(Strict):
    # The carrier used when a quote names none: a rate table id such as "usps".
    carrier: str = "usps"


class CliConfig(Strict):
    """`[cli]`: the staff command line `frontdesk`, when it has a login of its own."""

    mqtt: MqttLogin | None = None


# Which process logs in with which section; those without an override use `[mqtt]`.
MqttUser = Literal["agent", "kiosk", "manager", "cli"]


class FrontdeskConfig(Strict):
    site: DeviceId = "office"
    office: OfficeConfig = OfficeConfig()
    agent: AgentConfig = AgentConfig()
    postage: PostageConfig = PostageConfig()
    mqtt: MqttConfig = MqttConfig()
    cups: CupsConfig = CupsConfig()
    printer: list[PrinterConfig] = []
    scale: list[ScaleConfig] = []
    queue: list[QueueConfig] = []
    kiosk: KioskConfig = KioskConfig()
    manager: ManagerConfig = ManagerConfig()
    cli: CliConfig = CliConfig()

    @model_validator(mode="after")
    def _unique_device_ids(self) -> FrontdeskConfig:
        seen: dict[str, str] = {}
        for section in ("printer", "scale", "queue"):
            for index, device in enumerate(getattr(self, section)):
                where = f"{section}[{index}]"
                if device.id in seen:
                    raise ConfigError(
                        f"{where}.id: duplicate device id {device.id!r} (also used by "
                        f"{seen[device.id]}); give every device its own id"
                    )
                seen[device.id] = where
        return self

    @model_validator(mode="after")
    def _kiosk_labels_in_office_language(self) -> FrontdeskConfig:
        # A field label must exist in the language the kiosk falls back to first.
        missing = self.kiosk.missing_labels(self.office.language)
        if missing:
            raise ConfigError(*(f"{key}: required; every kiosk field needs a label in the office "
                                f"language {self.office.language!r}" for key in missing))
        return self

    def mqtt_section(self, program: MqttUser) -> str:
        """The config section `program` takes its login from: `kiosk.mqtt`, or `mqtt`."""
        return f"{program}.mqtt" if self._mqtt_override(program) is not None else "mqtt"

    def mqtt_login(self, program: MqttUser) -> MqttConfig:
        """`program`'s broker settings and login, its password file not read yet."""
        return merged_login(self.mqtt, self._mqtt_override(program))

    def mqtt_for(self, program: MqttUser) -> MqttConfig:
        """What `program` connects with: its own login over `[mqtt]`, the password file read.
        A password file it cannot read is a ConfigError naming the key, the file and the user."""
        return with_password(self.mqtt_login(program), self.mqtt_section(program))

    def _mqtt_override(self, program: MqttUser) -> MqttLogin | None:
        return None if program == "agent" else getattr(self, program).mqtt

    def printer_by_id(self, printer_id: str | None) -> PrinterConfig:
        return self._device("printer", printer_id)

    def scale_by_id(self, scale_id: str | None) -> ScaleConfig:
        return self._device("scale", scale_id)

    def _device(self, section: str, device_id: str | None):
        """The device named by id, or the first one of its kind when no id is given."""
        devices = getattr(self, section)
        if not devices:
            raise ConfigError(f"{section}: no [[{section}]] is configured; add one to the config file")
        if device_id is None:
            return devices[0]
        for device in devices:
            if device.id == device_id:
                return device
        known = ", ".join(d.id for d in devices)
        raise ConfigError(f"{section}: no {section} with id {device_id!r}; configured: {known}")


def config_path(explicit: str | os.PathLike | None = None) -> Path:
    """--config wins over FRONTDESK_CONFIG, which wins over the system default."""
    if explicit:
        return Path(explicit)
    if os.environ.get(CONFIG_ENV_VAR):
        return Path(os.environ[CONFIG_ENV_VAR])
    return DEFAULT_CONFIG_PATH


def parse_config(text: str, source: str = "config") -> FrontdeskConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source}: not valid TOML: {error}") from None
    try:
        return FrontdeskConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(*describe_validation_error(error, FrontdeskConfig)) from None


def load_config(explicit: str | os.PathLike | None = None) -> FrontdeskConfig:
    path = config_path(explicit)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"config file {path} not found; pass --config FILE or set {CONFIG_ENV_VAR}"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {path} cannot be read: {error}") from None
    return parse_config(text, source=str(path))
