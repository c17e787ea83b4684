"""The [kiosk] section: defaults, the shipped example, and mistakes named by their key."""

from pathlib import Path

import pytest

from frontdesk.contract.config import ConfigError, load_config, parse_config
from frontdesk.kiosk.staff_pin import hash_pin

EXAMPLE = Path(__file__).parents[2] / "docs" / "frontdesk.example.toml"


def problems(text: str) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return caught.value.problems


def test_a_config_without_a_kiosk_section_gets_the_documented_defaults():
    kiosk = parse_config("").kiosk
    assert (kiosk.id, kiosk.agent, kiosk.printer) == ("lobby", "main", None)
    assert kiosk.data_dir == Path("/var/lib/frontdesk-kiosk")
    assert (kiosk.idle_seconds, kiosk.retention_days, kiosk.pin_attempts, kiosk.lockout_minutes) == (60, 30, 5, 5)
    assert kiosk.staff_pin_hash is None and kiosk.hosts == [] and kiosk.fields == []
    assert kiosk.purposes == ["meeting", "interview", "delivery", "maintenance", "event", "other"]
    assert kiosk.fullscreen is True and kiosk.window_size is None and kiosk.policy_dir is None


def test_the_shipped_example_has_a_kiosk_section_with_hosts_and_a_field():
    kiosk = load_config(EXAMPLE).kiosk
    assert kiosk.printer == "badge-printer"
    assert [host.name for host in kiosk.hosts] == ["Ștefan Țăranu", "Jürgen Weiß", "Łucja Wąsowska"]
    assert kiosk.fields[0].id == "car_plate" and set(kiosk.fields[0].label) == {"en", "ro", "de", "fr", "pl"}


def test_the_rig_config_parses_with_diacritics_and_a_real_pin_hash(kiosk_rig):
    kiosk = kiosk_rig.config.kiosk
    assert "Łucja Wąsowska" in [host.name for host in kiosk.hosts]
    assert kiosk.staff_pin_hash.startswith("scrypt$") and kiosk.window_size is None


def test_a_window_size_and_a_pin_hash_are_read():
    hashed = hash_pin("1357")
    kiosk = parse_config(f'[kiosk]\nwindow_size = [800, 480]\nstaff_pin_hash = "{hashed}"\n').kiosk
    assert kiosk.window_size == (800, 480) and kiosk.staff_pin_hash == hashed


@pytest.mark.parametrize("text, expected", [
    ('[kiosk]\nstaff_pin_hash = "2468"\n', "kiosk.staff_pin_hash: expected 'scrypt$<n>$<r>$<p>$<salt>$<hash>'"),
    ('[kiosk]\nstaff_pin_hash = "scrypt$16384$8$1$not base64!$AAAA"\n',
     "kiosk.staff_pin_hash: the cost, salt or hash is not readable; make one with `frontdesk-kiosk set-pin`"),
    ('[kiosk]\nstaff_pin_hash = "scrypt$16384$8$1$AAAA$AAAA"\n', "kiosk.staff_pin_hash: the cost, salt or hash is out of range"),
    ("[kiosk]\nidle_seconds = 5\n", "kiosk.idle_seconds: input should be greater than or equal to 10"),
    ("[kiosk]\nretention_days = 0\n", "kiosk.retention_days: input should be greater than or equal to 1"),
    ('[kiosk]\npurposes = ["party"]\n', "kiosk.purposes[0]: 'party' is not allowed"),
    ('[kiosk]\nid = "Lobby Kiosk"\n', "kiosk.id: 'Lobby Kiosk' is not a valid id"),
    ('[kiosk]\nidle_secs = 30\n', "kiosk.idle_secs: unknown key; did you mean 'idle_seconds'?"),
    ('[[kiosk.hosts]]\nemail = "a@b.c"\n', "kiosk.hosts[0].name: required"),
    ('[[kiosk.hosts]]\nname = "Ana"\nemail = "not-an-address"\n', "kiosk.hosts[0].email: string should match pattern"),
    ('[[kiosk.fields]]\nid = "Car Plate"\nlabel = { en = "Car" }\n', "kiosk.fields[0].id: 'Car Plate' is not a valid id"),
    ('[[kiosk.fields]]\nid = "car"\nlabel = { es = "Coche" }\n', "kiosk.fields[0].label.es"),
    ('[[kiosk.fields]]\nid = "car"\nlabel = { en = "Car" }\n[[kiosk.fields]]\nid = "car"\nlabel = { en = "Car" }\n',
     "kiosk.fields: field id 'car' is used twice"),
    ('[kiosk]\nwindow_size = [800]\n', "kiosk.window_size"),
    ('[kiosk]\nwindow_size = [10, 480]\n', "kiosk.window_size[0]: input should be greater than or equal to 200"),
])
def test_each_kiosk_mistake_names_its_key(text, expected):
    (problem, *_) = problems(text)
    assert problem.startswith(expected), problem


def test_a_field_label_must_exist_in_the_office_language():
    (problem,) = problems('[office]\nlanguage = "de"\n[[kiosk.fields]]\nid = "car"\nlabel = { en = "Car" }\n')
    assert problem == "kiosk.fields[0].label.de: required; every kiosk field needs a label in the office language 'de'"
    assert parse_config('[office]\nlanguage = "de"\n[[kiosk.fields]]\nid = "car"\nlabel = { de = "Auto" }\n')


def test_the_rig_can_replace_kiosk_keys_and_runs_the_real_agent(kiosk_rig):
    config = kiosk_rig.with_kiosk(idle_seconds="10", retention_days="7", window_size="[1024, 600]")
    assert (config.kiosk.idle_seconds, config.kiosk.retention_days, config.kiosk.window_size) == (10, 7, (1024, 600))
    assert kiosk_rig.config is config and config.kiosk.hosts[1].name == "Jürgen Weiß"
    kiosk_rig.start_agent()
    with pytest.raises(RuntimeError, match="already running"):
        kiosk_rig.start_agent()
    kiosk_rig.stop_agent()
    assert "Traceback" not in kiosk_rig.agent_log()
