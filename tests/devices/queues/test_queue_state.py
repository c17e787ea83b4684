"""From printer-state-reasons to health: severities respected, reasons in Frontdesk's words."""

import pytest

from devices.queues.state import QueueState, StateReason, Supply


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
    snapshot = state(state="stopped", stuck_jobs=3)
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
