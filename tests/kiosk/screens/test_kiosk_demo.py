"""`frontdesk demo` opens the kiosk window when there is a display, and closes it on quit."""

from __future__ import annotations

import os
import subprocess
import sys
import threading


def test_the_demo_opens_the_kiosk_window_and_closes_it(tmp_path, xvfb):
    environ = {**os.environ, "DISPLAY": xvfb.display, "KIVY_HOME": str(tmp_path / "kivy"), "SDL_AUDIODRIVER": "dummy"}
    demo = subprocess.Popen([sys.executable, "-m", "agent.cli", "demo", "--workdir", str(tmp_path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=environ)
    seen: list[str] = []
    arrived = threading.Condition()

    def read_output() -> None:
        for line in demo.stdout:
            with arrived:
                seen.append(line)
                arrived.notify_all()

    threading.Thread(target=read_output, daemon=True).start()

    def wait_for(text: str, timeout: float = 40) -> None:
        with arrived:
            assert arrived.wait_for(lambda: any(text in line for line in seen), timeout), "".join(seen)

    try:
        wait_for("kiosk window opened")
        wait_for("[mqtt] kiosk online")  # the app is up and connected to the demo's broker
        assert "staff PIN is 1234" in "".join(seen)
        demo.stdin.write("quit\n")
        demo.stdin.flush()
        wait_for("[mqtt] kiosk offline")
        demo.wait(timeout=40)
    finally:
        demo.kill()
    assert demo.returncode == 0 and "demo stopped" in "".join(seen)
    assert "Traceback" not in "".join(seen)
