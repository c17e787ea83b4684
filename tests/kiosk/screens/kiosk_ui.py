"""Driving the real kiosk app from a test: Xvfb, and KioskUI (tap, type, scan, look).

`start_kiosk(rig, display, size)` runs tests/kiosk/screens/kiosk_driver.py (the app plus a
socket to drive it) against a KioskRig (tests/kiosk/conftest.py: broker, agent, printer
simulator) and returns a KioskUI. The fixtures are in this folder's conftest.py.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from testbed import wait_until

HERE = Path(__file__).parent
REPO = HERE.parents[2]
SCREENSHOTS = HERE / "screenshots"
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"


class Xvfb:
    def __init__(self, width: int = 1920, height: int = 1080) -> None:
        if shutil.which("Xvfb") is None:
            raise RuntimeError("Xvfb is not installed: apt-get install xvfb (the CI bootstrap does)")
        read, write = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp",
             "-noreset"], pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            self.process.kill()
            raise RuntimeError("Xvfb did not start")
        self.display = f":{number}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class KioskUI:
    """The running app, seen from the test: tap, type, scan, look."""

    def __init__(self, process: subprocess.Popen, sock: socket.socket, log: Path) -> None:
        self.process, self.log = process, log
        self._sock = sock
        self._stream = sock.makefile("rw", encoding="utf-8")

    def request(self, op: str, **args) -> dict:
        self._stream.write(json.dumps({"op": op, **args}, ensure_ascii=False) + "\n")
        self._stream.flush()
        line = self._stream.readline()
        if not line:
            raise AssertionError(f"the kiosk went away:\n{self.output()}")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(answer["error"])
        return answer["result"]

    def tap_to_exit(self, ref: str, timeout: float = 15) -> int:
        """Taps a button that ends the app (its answer may never come); returns the exit status."""
        self._stream.write(json.dumps({"op": "tap", "ref": ref}) + "\n")
        self._stream.flush()
        return self.process.wait(timeout)

    def state(self) -> dict:
        return self.request("state")

    def tap(self, ref: str) -> dict:
        return self.request("tap", ref=ref)

    def type(self, text: str) -> dict:
        """Taps the on-screen keyboard's keys (and its shift and accent keys) for `text`."""
        return self.request("type", text=text)

    def scan(self, text: str) -> dict:
        return self.request("keys", text=text, enter=True)

    def key(self, code: int) -> dict:
        return self.request("keys", key=code)

    def draw_signature(self, ref: str = "signature.pad") -> None:
        self.request("draw", ref=ref, points=[[0.1, 0.4], [0.2, 0.7], [0.3, 0.3], [0.45, 0.65], [0.6, 0.35],
                                              [0.75, 0.6], [0.9, 0.45]])

    def widget(self, ref: str) -> dict:
        return self.request("widget", ref=ref)

    def screenshot(self, path: Path) -> Path:
        # A button just tapped shows "pressed" for a moment, as under a finger: not in the picture.
        self.wait_for(lambda s: not s["pressed"], 10, "no button drawn pressed")
        self.request("screenshot", path=str(path))
        return path

    def wait_for(self, predicate, timeout: float = 20, what: str = "") -> dict:
        """The screen's state once predicate(state) is true. The app is another process that tells
        nobody when its screen changes, so this asks again every 0.1 s (testbed.wait_until)."""
        seen: list[dict] = []

        def looked() -> dict | None:
            seen[:] = [self.state()]
            return seen[0] if predicate(seen[0]) else None

        return wait_until(looked, timeout, what or None, interval=0.1, last=lambda: f"the screen {seen[-1] if seen else None}")

    def wait_for_screen(self, name: str, timeout: float = 20) -> dict:
        return self.wait_for(lambda s: s["screen"] == name, timeout, f"screen {name!r}")

    def wait_for_text(self, fragment: str, timeout: float = 20) -> dict:
        return self.wait_for(lambda s: any(fragment in t for t in s["texts"]), timeout, repr(fragment))

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def close(self) -> None:
        self._sock.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def start_kiosk(rig, display: str, size: str = "800x480", timeout: float = 30) -> KioskUI:
    path = rig.root / "kiosk-driver.sock"
    path.unlink(missing_ok=True)  # left by a kiosk started before in the same folder
    log = rig.root / "kiosk.log"
    environ = {**os.environ, "DISPLAY": display, "KIVY_HOME": str(rig.root / "kivy-home"), "FRONTDESK_CONFIG": "",
               "FRONTDESK_KIOSK_LOG": "info", "SDL_AUDIODRIVER": "dummy"}
    environ.pop("WAYLAND_DISPLAY", None)
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen([sys.executable, str(HERE / "kiosk_driver.py"), "--config", str(rig.config_path),
                                    "--size", size, "--socket", str(path)], stdout=out, stderr=subprocess.STDOUT,
                                   env=environ, cwd=REPO)

    return attach(process, path, log, timeout)


def attach(process: subprocess.Popen, path: Path, log: Path, timeout: float = 30) -> KioskUI:
    """The kiosk driver started as `process`, once it listens on `path` and shows its welcome screen."""
    def connected() -> socket.socket | None:
        if process.poll() is not None:
            raise AssertionError(f"the kiosk exited with {process.returncode}:\n{log.read_text()}")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(path))
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            return None

    try:
        sock = wait_until(connected, timeout, "the kiosk driver's socket", interval=0.1, last=log.read_text)
    except AssertionError:
        process.kill()
        raise
    ui = KioskUI(process, sock, log)
    ui.wait_for_screen("welcome", timeout)
    return ui
