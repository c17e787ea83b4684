"""From printer-state-reasons to health: severities respected, reasons in Frontdesk's words."""

import pytest

from frontdesk.devices.queues.state import QueueState, StateReason, Supply


def state(*reasons: str, **changes) -> QueueState:
    values = dict(queue_id="copier", cups_name="Copier", kind="copier", state="idle", accepting=True,
                  reasons=tuple(StateReason.parse(r) for r in reasons), message="")
    return QueueState(**{**values, **changes})


@pytest.mark.parametrize("raw, keyword, severity", [
    ("media-empty-error", "media-empty", "error"),
    ("toner-low-warning", "toner-low", "warning"),
    ("media-jam-report", "media-jam", "report"),
    ("door-open", "door-open", "error"),  # no suffix: an error (RFC 8011)
    ("paused", "paused", "warning"),  # a person paused it on purpose
])
def test_suffixes(raw, keyword, severity):
    assert StateReason.parse(raw) == StateReason(keyword, severity)


@pytest.mark.parametrize("reasons, problems, health", [
    ((), (), "ok"),
    (("media-empty-error",), ("paper_out",), "error"),
    (("media-jam",), ("jam",), "error"),
    (("toner-low-report",), ("toner_low",), "warning"),  # consumables: order before they run out
    (("media-jam-report",), (), "ok"),  # a mere report
    (("marker-supply-low-warning", "door-open-error"), ("door_open", "supply_low"), "error"),
    (("offline-error",), ("offline",), "offline"),
    (("connecting-to-device-error",), (), "ok"),  # part of normal work
])
def test_reasons_to_problems_and_health(reasons, problems, health):
    snapshot = state(*reasons)
    assert (snapshot.problems, snapshot.health) == (problems, health)


def test_a_stopped_queue_with_jobs_stuck_is_a_fault_of_its_own():
    snapshot = state(state="stopped", jobs_waiting=3)
    assert snapshot.problems[:2] == ("stopped_with_jobs", "stopped") and snapshot.health == "error"
    assert state("paused", state="stopped").health == "warning"


def test_not_accepting_and_low_supplies_are_warnings():
    assert state(accepting=False).problems == ("not_accepting",)
    low = Supply("Black Toner", level=4, low_level=10, kind="toner", color="#000000")
    snapshot = state(supplies=(low,))
    assert snapshot.problems == ("toner_low:Black Toner",) and snapshot.health == "warning"


def test_an_unreachable_device_is_offline():
    snapshot = state(device_reachable=False)
    assert snapshot.health == "offline" and snapshot.problems == ("device_unreachable",)


@pytest.mark.parametrize("raw, keyword, severity", [
    ("marker-waste-almost-full-warnin", "marker-waste-almost-full", "warning"),  # CUPS keeps 31 characters
    ("marker-waste-toner-receptacle-a", "marker-waste-toner-receptacle-almost-full", "warning"),  # suffix gone
    ("media-path-pick-roller-life-ove", "media-path-pick-roller-life-over", "warning"),
    ("com.example.feeder-overheated-e", "com.example.feeder-overheated", "error"),  # a vendor's, suffix cut
    ("door-open", "door-open", "error"),  # whole, without a suffix: an error still
])
def test_keywords_cut_short_by_cups_are_completed(raw, keyword, severity):
    assert StateReason.parse(raw) == StateReason(keyword, severity)
    assert state(raw).health != "error" or severity == "error"


def test_one_supply_list_whichever_source_answered():
    from frontdesk.devices.queues import supplies

    cups = supplies.from_cups({
        "marker-names": ["Waste Toner", "Black Toner"], "marker-types": ["waste-toner", "toner"],
        "marker-colors": ["none", "#000000"], "marker-levels": [25, 75], "marker-low-levels": [0, 10],
        "marker-high-levels": [90, 100]})
    device = supplies.from_device([
        "index=1;class=receptacleThatIsFilled;type=wasteInk;level=95;maxcapacity=100;colorantname=unknown;",
        "index=2;class=supplyThatIsConsumed;type=ink;level=5;maxcapacity=100;colorantname=black;"],
        ["Ink Waste Tank", "Black Ink"])
    waste, black = supplies.merged(device, cups)
    assert (black.name, black.level, black.low_level, black.color) == ("Black Toner", 5, 10, "black")
    assert (waste.name, waste.level, waste.high_level, waste.low) == ("Waste Toner", 95, 90, False)
    assert [s.name for s in supplies.merged((), cups)] == ["Waste Toner", "Black Toner"]
    assert state(supplies=(black,)).problems == ("ink_low:Black Toner",)
    # One id per cartridge, however its source names ("Black Ink", "Black Toner") and types it.
    ids = ["waste", "black"]
    assert supplies.supply_ids(device) == supplies.supply_ids(cups) == supplies.supply_ids((waste, black)) == ids
