"""One outage through several healths is one recovery, timed from its start."""

from datetime import datetime, timedelta, timezone

import pytest

from frontdesk.agent.health import HealthTracker
from frontdesk.contract import clock


def test_an_outage_through_error_then_warning_recovers_once_with_its_whole_length():
    published = []
    with clock.frozen_at(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)) as frozen:
        tracker = HealthTracker("desk", "printer", lambda device, leaf, payload: published.append((leaf, payload)))
        tracker.report("ok", ())
        tracker.report("error", ("paper_out",))
        frozen.advance(timedelta(seconds=200))  # the paper is out a while (the clock moved, no one sleeps)
        tracker.report("warning", ("paper_near_end",))  # a new roll that is nearly used up
        frozen.advance(timedelta(seconds=100))
        tracker.report("ok", ())
    events = [payload for leaf, payload in published if leaf == "events"]
    assert [e["event"] for e in events] == ["paper_out", "paper_near_end", "recovered"]
    recovered = events[-1]
    assert recovered["after"] == ["paper_out", "paper_near_end"]
    assert recovered["down_seconds"] == pytest.approx(300, abs=0.01)  # from the paper out, not the warning
    assert len({e["id"] for e in events}) == 3


def test_a_device_that_starts_in_trouble_recovers_from_its_first_report():
    published = []
    tracker = HealthTracker("scale", "scale", lambda device, leaf, payload: published.append((leaf, payload)))
    tracker.report("offline", ("offline",))
    tracker.report("ok", ())
    names = [payload["event"] for leaf, payload in published if leaf == "events"]
    assert names == ["offline", "recovered"]


def test_changes_are_kept_on_disk_and_shown_by_the_command_line(tmp_path):
    from datetime import datetime, timezone

    from frontdesk.agent.ledger.device_history import FILE_NAME, DeviceHistory
    from testbed import OFFICE_TOML, run_frontdesk

    history = DeviceHistory(tmp_path / "data" / FILE_NAME)
    tracker = HealthTracker("desk", "printer", lambda *published: None, history.record)
    tracker.report("ok", ())
    tracker.report("error", ("paper_out", "cover_open"))
    tracker.report("error", ("paper_out", "cover_open"), paper="out")  # only a field: no new change
    tracker.report("ok", ())
    history.record("old", "scale", "offline", ("offline",), datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert history.forget_old() == 1
    history.close()
    config = tmp_path / "frontdesk.toml"
    config.write_text(OFFICE_TOML + f'[agent]\ndata_dir = "{tmp_path / "data"}"\n')
    # --direct: the agent's own file, read while no agent runs (through one, it is its device_history command).
    shown = run_frontdesk("devices", "history", "--device", "desk", "--direct", config=config)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert len(lines) == 3 and "ok" in lines[0]
    assert lines[1].endswith("error    Out of paper: load paper. The cover is open: close it.")


def test_the_status_command_s_state_is_the_retained_state_itself():
    """`status` answered with a state lacking `updated` and `v`: it must be the very payload the
    retained state topic carries (contract.states), so one model reads both."""
    from frontdesk.contract.states import PrinterState, parse_state

    published = []
    tracker = HealthTracker("desk", "printer", lambda device, leaf, payload: published.append((leaf, payload)))
    before = tracker.state()  # nothing read yet: still a state of the contract
    assert before["health"] == "offline" and parse_state(before).message
    tracker.report("error", ("paper_out",), paper="out", online=True, cover_open=False, columns=48)
    retained = [payload for leaf, payload in published if leaf == "state"][-1]
    assert tracker.state() == retained and {"updated", "v"} <= set(retained)
    assert isinstance(parse_state(tracker.state()), PrinterState)
