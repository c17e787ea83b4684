"""The kiosk: cold start to the welcome screen, and from the visitor's last tap (the "I agree:
sign me in" under the signature) to the badge's last byte at the printer simulator.

Run: .venv/bin/python tests/bench/bench_kiosk.py [--quick]
Starts Xvfb, a private Mosquitto, the printer simulator and the agent; drives the real app
with touches (tests/kiosk/screens/kiosk_driver.py). Prints the median and 95th percentile.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS.parent))
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS / "bench"))
sys.path.insert(0, str(TESTS / "kiosk" / "screens"))

from figures import percentiles
from testbed import wait_until  # noqa: E402

from frontdesk.agent.local_broker import LocalBroker
from frontdesk.devices.printer.simulator import TcpPrinterSimulator


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


rig_module = load("kiosk_rig_conftest", TESTS / "kiosk" / "conftest.py")
import kiosk_ui as ui_module

CUT = b"\x1dV"  # ESC/POS cut: the last command of a badge


def badge_done(printer: TcpPrinterSimulator, name: bytes) -> bool:
    for job in list(printer.jobs):
        received = bytes(job.received)
        at = received.find(name)
        cut = received.find(CUT, at) if at >= 0 else -1
        if cut >= 0 and len(received) >= cut + 3:  # GS V m: the cut's mode byte is in too
            return True
    return False


def report(label: str, seconds: list[float]) -> None:
    median, p95 = percentiles(seconds)
    print(f"{label}: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms over {len(seconds)} runs", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a few runs only (smoke test)")
    quick = parser.parse_args().quick
    starts, badges = (1, 2) if quick else (5, 20)
    xvfb = ui_module.Xvfb()
    try:
        with tempfile.TemporaryDirectory(prefix="frontdesk-bench-kiosk-") as root_name:
            root = Path(root_name)
            (root / "broker").mkdir()
            with LocalBroker(root / "broker") as broker, TcpPrinterSimulator() as printer:
                config = root / "frontdesk.toml"
                config.write_text(rig_module.kiosk_toml(broker.host, broker.port, printer.port, root), encoding="utf-8")
                rig = SimpleNamespace(root=root, config_path=config)
                agent = subprocess.Popen([sys.executable, "-m", "frontdesk.agent.daemon", "--config", str(config)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                watch = rig_module.availability_recorder(broker)
                try:
                    watch.wait_for(lambda topic, payload, retained: payload == b"online", 30, "the agent online")
                    measure(rig, xvfb.display, printer, starts, badges)
                finally:
                    watch.close()
                    agent.terminate()
                    agent.wait(30)
    finally:
        xvfb.stop()


def measure(rig, display: str, printer: TcpPrinterSimulator, starts: int, badges: int) -> None:
    cold = []
    for _ in range(starts):
        began = time.perf_counter()
        ui = ui_module.start_kiosk(rig, display)  # returns once the welcome screen is drawn
        cold.append(time.perf_counter() - began)
        ui.close()
    report("cold start -> welcome screen (800x480, Xvfb + llvmpipe)", cold)
    ui = ui_module.start_kiosk(rig, display)
    try:
        to_badge = []
        for number in range(badges):
            name = f"Bench Visitor {number:03d}"
            ui.tap("welcome.sign_in")
            ui.type(name)
            ui.tap("name.next")
            ui.tap("company.next")
            ui.tap("host.next")
            ui.tap("purpose.meeting")
            ui.tap("field:car_plate.next")
            ui.draw_signature()
            began = time.perf_counter()
            ui.tap("policy.agree")
            # Polled often: the poll's interval is this measurement's resolution.
            wait_until(lambda name=name: badge_done(printer, name.encode()), 30, f"the badge for {name}",
                       interval=0.002)
            to_badge.append(time.perf_counter() - began)
            ui.tap("done.finish")
        report("last tap -> badge's last byte at the printer", to_badge)
    finally:
        ui.close()


if __name__ == "__main__":
    main()
