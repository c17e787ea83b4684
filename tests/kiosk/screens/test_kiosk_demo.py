"""`frontdesk demo` opens the kiosk window when there is a display, and closes it on quit."""

from __future__ import annotations

import os

from testbed import RunningDemo


def test_the_demo_opens_the_kiosk_window_and_closes_it(tmp_path, xvfb):
    environ = {**os.environ, "DISPLAY": xvfb.display, "KIVY_HOME": str(tmp_path / "kivy"), "SDL_AUDIODRIVER": "dummy"}
    demo = RunningDemo(tmp_path, environ)
    try:
        demo.wait_for("kiosk window opened")
        demo.wait_for("[mqtt] kiosk online")  # the app is up and connected to the demo's broker
        assert "staff PIN is 1234" in demo.output
        demo.type_in("quit")
        demo.wait_for("[mqtt] kiosk offline")
        returncode = demo.process.wait(timeout=40)
    finally:
        demo.kill()
    assert returncode == 0 and "demo stopped" in demo.output
    assert "Traceback" not in demo.output
