"""Home Assistant discovery: stable unique ids, and removal of devices that left the config."""

from agent.discovery import Discovery


def announced(memory, devices):
    published: dict[str, dict | None] = {}
    Discovery("hq", "desk-pi", memory, lambda topic, config: published.__setitem__(topic, config)).announce(devices)
    return published


def test_unique_ids_survive_restarts(tmp_path):
    first = announced(tmp_path / "memory.json", [("desk-printer", "printer"), ("mail-scale", "scale")])
    again = announced(tmp_path / "memory.json", [("desk-printer", "printer"), ("mail-scale", "scale")])
    assert first == again
    ids = {config["unique_id"] for config in first.values()}
    assert "frontdesk_hq_desk_pi_mail_scale_weight" in ids and len(ids) == len(first)


def test_a_device_removed_from_the_config_is_removed_from_home_assistant(tmp_path):
    memory = tmp_path / "memory.json"
    before = announced(memory, [("desk-printer", "printer"), ("mail-scale", "scale")])
    after = announced(memory, [("desk-printer", "printer")])
    removed = {topic for topic, config in after.items() if config is None}
    assert removed == {topic for topic in before if "mail_scale" in topic} and removed
    assert all(config is not None for topic, config in after.items() if "desk_printer" in topic)
