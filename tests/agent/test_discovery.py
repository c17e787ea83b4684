"""Home Assistant discovery: stable unique ids, nothing deleted that comes back, removal of
devices that left the config, and templates that read the real payloads."""

import json

from jinja2.sandbox import ImmutableSandboxedEnvironment

from frontdesk.agent.discovery import Discovery, HaDevice
from frontdesk.contract import mqtt as contract

DEVICES = [("desk-printer", "printer"), ("mail-scale", "scale"), ("copier", "copier")]
SUPPLIES = [{"id": "black", "name": "Black Toner", "level": 40, "kind": "toner"},
            {"id": "supply", "name": "Drum", "level": 90, "kind": "opc"}]


def run(memory, devices=DEVICES, supplies: list[str] | None = None):
    """One agent's start (and the copier's first report of its supplies): what it published."""
    published: dict[str, dict | None] = {}
    discovery = Discovery("hq", "desk-pi", memory, lambda topic, config: published.__setitem__(topic, config))
    discovery.announce(devices)
    if supplies is not None:
        discovery.supplies_seen("copier", supplies)
    return published


def test_unique_ids_survive_restarts(tmp_path):
    first = run(tmp_path / "memory.json")
    again = run(tmp_path / "memory.json")
    assert first == again
    ids = {config["unique_id"] for config in first.values()}
    assert "frontdesk_hq_desk_pi_mail_scale_weight" in ids and len(ids) == len(first)


def test_supplies_announced_before_are_announced_at_start_and_never_deleted(tmp_path):
    memory = tmp_path / "memory.json"
    first = run(memory, supplies=["black", "supply"])
    supply = "homeassistant/sensor/frontdesk_hq_desk_pi/copier_supply_black/config"
    restarted = run(memory)  # before the copier reports anything
    assert restarted[supply] == first[supply] and None not in restarted.values()
    later = run(memory, supplies=["black"])  # the drum is gone from the copier's report
    assert later["homeassistant/sensor/frontdesk_hq_desk_pi/copier_supply_supply/config"] is None
    assert later[supply] is not None


def test_a_device_removed_from_the_config_is_removed_from_home_assistant(tmp_path):
    memory = tmp_path / "memory.json"
    before = run(memory, supplies=["supply"])
    after = run(memory, [("desk-printer", "printer")])
    removed = {topic for topic, config in after.items() if config is None}
    assert removed == {topic for topic in before if "mail_scale" in topic or "copier" in topic} and removed
    assert all(config is not None for topic, config in after.items() if "desk_printer" in topic)


def test_an_older_agent_s_memory_keeps_the_supplies_of_configured_devices(tmp_path):
    memory = tmp_path / "memory.json"
    node = "homeassistant/sensor/frontdesk_hq_desk_pi"
    memory.write_text(json.dumps([f"{node}/copier_supply_black_toner/config", f"{node}/gone_health/config"]))
    published = run(memory)
    assert published[f"{node}/gone_health/config"] is None
    assert f"{node}/copier_supply_black_toner/config" not in published  # kept as it is, until reported


def render(template: str, payload) -> str:
    """As Home Assistant renders a template (a sandbox, with its `to_json` filter)."""
    environment = ImmutableSandboxedEnvironment()
    environment.filters["to_json"] = json.dumps
    return environment.from_string(template).render(value_json=payload)


def test_the_templates_read_the_states_and_events_the_agent_publishes(tmp_path):
    published = run(tmp_path / "memory.json", supplies=["black"])
    config = {topic.split("/")[-2]: value for topic, value in published.items()}
    copier = contract.device_state("copier", "copier", "ok", [], contract.now(), state="processing", accepting=True,
                                   jobs_waiting=2, supplies=SUPPLIES)
    assert render(config["copier_state"]["value_template"], copier) == "processing"
    assert render(config["copier_jobs_held"]["value_template"], copier) == "0"  # not in the state (yet)
    supply = config["copier_supply_black"]
    assert supply["name"] == "Black supply"  # from its id: the same whichever source named it
    assert render(supply["value_template"], copier) == "40"
    assert json.loads(render(supply["json_attributes_template"], copier)) == SUPPLIES[0]
    offline = contract.device_state("copier", "copier", "offline", ["offline"], contract.now())
    assert render(supply["value_template"], offline) == "None"  # HA: unknown
    follows_health = supply["availability"][1]
    assert [render(follows_health["value_template"], state) for state in (copier, offline)] == ["online", "offline"]
    paper_out = contract.event("paper_out", health="error")
    events = config["desk_printer_events"]["value_template"]
    assert json.loads(render(events, paper_out))["event_type"] == "paper_out"
    assert render(events, contract.event("job_completed", job=1, request_id=None, printer="desk-printer",
                                         kind="receipt", receipt_number=None, state="printed", attempts=1,
                                         last_error=None)).strip() == ""  # not an event type: ignored


def test_devices_are_named_and_made_as_configured(tmp_path):
    published = run(tmp_path / "memory.json", [HaDevice("desk-printer", "printer", "Front desk", "Epson", "TM-T20II"),
                                               ("p1", "printer")])
    devices = {config["device"]["identifiers"][0]: config["device"] for config in published.values()}
    assert devices["frontdesk_hq_desk_pi_desk_printer"] == {
        "identifiers": ["frontdesk_hq_desk_pi_desk_printer"], "name": "Front desk", "manufacturer": "Epson",
        "model": "TM-T20II", "via_device": "frontdesk_hq_desk_pi"}
    assert devices["frontdesk_hq_desk_pi_p1"]["name"] == "Printer p1"
