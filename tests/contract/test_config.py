"""The config file: every mistake stops with one line naming the key."""

from pathlib import Path

import pytest

from frontdesk.contract.config import ConfigError, load_config, parse_config

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


# -- each process's own MQTT login ----------------------------------------------------------------

AGENT_LOGIN = '[mqtt]\nhost = "broker.lan"\nport = 8883\nusername = "frontdesk-agent"\npassword = "agent-secret"\n'


def test_a_process_without_a_login_of_its_own_uses_the_agents():
    config = parse_config(AGENT_LOGIN)
    for program in ("agent", "kiosk", "manager", "cli"):
        assert config.mqtt_section(program) == "mqtt"
        assert config.mqtt_for(program) == config.mqtt


def test_an_override_gives_its_own_credentials_and_keeps_the_broker(tmp_path):
    secret = tmp_path / "kiosk.password"
    secret.write_text("kiosk-secret\n")  # as `echo` writes it: the newline is no part of it
    config = parse_config(AGENT_LOGIN + f'[kiosk.mqtt]\nusername = "frontdesk-kiosk-lobby"\npassword_file = "{secret}"\n'
                          '[manager.mqtt]\nusername = "frontdesk-manager"\nhost = "office.lan"\n')
    kiosk, manager = config.mqtt_for("kiosk"), config.mqtt_for("manager")
    assert (kiosk.host, kiosk.port, kiosk.username, kiosk.password) == ("broker.lan", 8883, "frontdesk-kiosk-lobby",
                                                                        "kiosk-secret")
    # A user of its own never borrows the agent's password.
    assert (manager.host, manager.username, manager.password) == ("office.lan", "frontdesk-manager", None)
    assert config.mqtt_section("kiosk") == "kiosk.mqtt" and config.mqtt_for("cli").username == "frontdesk-agent"


def test_login_mistakes_name_their_key():
    assert problems('[cli.mqtt]\nusername = "frontdesk-staff"\npasword = "x"\n') == (
        "cli.mqtt.pasword: unknown key; did you mean 'password'?",)
    assert problems('[kiosk.mqtt]\npassword = "x"\npassword_file = "/etc/frontdesk/kiosk.password"\n') == (
        "kiosk.mqtt: password and password_file are both set; give one of them",)
    assert problems('[manager.mqtt]\nport = 0\n')[0].startswith("manager.mqtt.port: ")


@pytest.mark.parametrize("make, says", [
    (lambda folder: folder / "missing", "cannot be read by user {user}: no such file or directory"),
    (lambda folder: folder, "cannot be read by user {user}: is a directory"),
    (lambda folder: (folder / "empty").touch() or folder / "empty", "is empty; write the password on its first line"),
])
def test_a_password_file_that_cannot_be_used_is_one_line_naming_file_and_user(tmp_path, make, says):
    from frontdesk.contract.config_files import file_problems
    from frontdesk.contract.mqtt_config import user_name

    path = make(tmp_path)
    config = parse_config(f'[kiosk.mqtt]\nusername = "frontdesk-kiosk-lobby"\npassword_file = "{path}"\n')
    expected = f"kiosk.mqtt.password_file: {path} {says.format(user=user_name())}"
    with pytest.raises(ConfigError) as caught:
        config.mqtt_for("kiosk")
    assert caught.value.problems == (expected,)
    assert expected in file_problems(config, "kiosk")  # the start-up check and `config check` say the same
    assert not [p for p in file_problems(config, "agent") if "password_file" in p]  # not the agent's business
