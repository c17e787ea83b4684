"""agent/lanes.py: one lane per device, in order there, side by side across lanes, bounded."""

from __future__ import annotations

import threading

import pytest
from testbed import wait_until

from frontdesk.agent.lanes import BACKLOG, LaneFull, Lanes


def test_a_lane_keeps_its_order_and_a_held_lane_holds_up_no_other():
    lanes, done, held = Lanes(workers=2), [], threading.Event()
    try:
        lanes.submit("printer:a", held.wait)  # a print waiting for paper
        for n in range(5):
            lanes.submit("printer:a", lambda n=n: done.append(("a", n)))
        lanes.submit("scale:s", lambda: done.append(("s", 0)))
        wait_until(lambda: ("s", 0) in done, 5, "the scale's command")
        assert done == [("s", 0)]  # nothing of the held lane ran past its first
        held.set()
        wait_until(lambda: len(done) == 6, 5, "the printer's commands")
        assert [n for lane, n in done if lane == "a"] == [0, 1, 2, 3, 4]
    finally:
        held.set()
        lanes.stop()


def test_a_flooded_lane_is_refused_not_grown():
    lanes, started, held = Lanes(workers=1), threading.Event(), threading.Event()
    try:
        lanes.submit("printer:a", lambda: (started.set(), held.wait()))
        assert started.wait(5)  # running, so out of the backlog
        for _ in range(BACKLOG):
            lanes.submit("printer:a", lambda: None)
        with pytest.raises(LaneFull, match="printer:a"):
            lanes.submit("printer:a", lambda: None)
    finally:
        held.set()
        lanes.stop()
