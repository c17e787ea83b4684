"""The config file: every mistake stops with one line naming the key."""

from pathlib import Path

import pytest

from contract.config import ConfigError, load_config, parse_config

EXAMPLE = Path(__file__).parents[2] / "docs" / "frontdesk.example.toml"

NETWORK_PRINTER = '[[printer]]\nid = "desk"\nconnection = "network"\nhost = "10.0.0.5"\n'


def problems(text: str) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return caught.value.problems


def test_the_shipped_example_covers_every_device_kind():
    config = load_config(EXAMPLE)
    assert {p.connection for p in config.printer} == {"network", "usb", "serial", "file"}
    assert config.scale and {q.kind for q in config.queue} == {"copier", "fax"}
    usb = next(p for p in config.printer if p.connection == "usb")
    assert (usb.vendor_id, usb.product_id) == (0x04B8, 0x0E15)


def test_defaults_fill_what_a_small_office_leaves_out():
    config = parse_config(NETWORK_PRINTER)
    printer = config.printer[0]
    assert (printer.port, printer.profile, printer.drawer_pin) == (9100, "default", None)
    assert config.mqtt.host == "localhost" and config.office.language == "en"


@pytest.mark.parametrize(
    "text, expected",
    [
        (NETWORK_PRINTER + "prot = 9100\n", "printer[0].prot: unknown key; did you mean 'port'?"),
        ('[[printer]]\nid = "p"\nconnection = "network"\n', "printer[0].host: required for a network printer"),
        ('[[printer]]\nid = "p"\nconnection = "wifi"\n', "printer[0].connection: 'wifi' is not known; use one of 'network', 'usb', 'serial', 'file'"),
        ('[[printer]]\nid = "p"\nhost = "x"\n', "printer[0].connection: required"),
        ('[mqtt]\nport = "abc"\n', "mqtt.port: expected a whole number, got 'abc'"),
        ("[mqtt]\nport = 70000\n", "mqtt.port: input should be less than or equal to 65535, got 70000"),
        (NETWORK_PRINTER + 'profile = "TM-XYZ"\n', "printer[0].profile: unknown printer profile 'TM-XYZ'"),
        ('[[printer]]\nid = "Desk Printer"\nconnection = "file"\ndevice = "/dev/usb/lp0"\n', "printer[0].id: 'Desk Printer' is not a valid id"),
        ('[[printer]]\nid = "u"\nconnection = "usb"\nvendor_id = "04b8"\nproduct_id = "xyz"\n', "printer[0].product_id: expected a hexadecimal USB id"),
        ('[office]\nlanguage = "es"\n', "office.language: 'es' is not allowed; use one of 'en', 'ro', 'de', 'fr' or 'pl'"),
        ('[office]\ntimezone = "Mars/Olympus"\n', "office.timezone: unknown time zone 'Mars/Olympus'"),
        ('[[scale]]\nid = "s"\ndevice = "/dev/ttyUSB0"\n', 'scale[0].protocol: required; say which kind it is, e.g. protocol = "mt-sics"'),
        ('[[scale]]\nid = "s"\nprotocol = "hid"\n', "scale[0].device: required for a hid scale"),
        ('[[scale]]\nid = "s"\nprotocol = "nci"\ndevice = "/dev/ttyS0"\nparity = "mark"\n', "scale[0].parity: 'mark' is not allowed"),
        ('[[scale]]\nid = "s"\nprotocol = "hid"\ndevice = "/dev/hidraw0"\nbaudrate = 9600\n', "scale[0].baudrate: unknown key"),
        ("printers = []\n", "printers: unknown key; did you mean 'printer'?"),
        ("site = \n", "config: not valid TOML"),
        (NETWORK_PRINTER + 'drawer_pin = 3\n', "printer[0].drawer_pin: 3 is not allowed; use one of 2 or 5"),
    ],
)
def test_each_mistake_names_its_key(text, expected):
    (problem,) = problems(text)
    assert problem.startswith(expected), problem
    assert "\n" not in problem


def test_duplicate_ids_across_device_kinds_are_refused():
    text = NETWORK_PRINTER + '[[scale]]\nid = "desk"\nprotocol = "nci"\ndevice = "/dev/ttyUSB0"\n'
    assert problems(text) == ("scale[0].id: duplicate device id 'desk' (also used by printer[0]); give every device its own id",)


def test_every_problem_is_reported_at_once():
    text = '[mqtt]\nport = "x"\nhots = "a"\n'
    assert len(problems(text)) == 2


def test_missing_file_says_how_to_point_at_one(tmp_path, monkeypatch):
    monkeypatch.delenv("FRONTDESK_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="not found; pass --config FILE or set FRONTDESK_CONFIG"):
        load_config(tmp_path / "missing.toml")


def test_environment_variable_names_the_file(tmp_path, monkeypatch):
    path = tmp_path / "fd.toml"
    path.write_text('site = "branch-2"\n')
    monkeypatch.setenv("FRONTDESK_CONFIG", str(path))
    assert load_config().site == "branch-2"
