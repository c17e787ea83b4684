"""The agent with one printer, one scale and two CUPS queues: fault -> MQTT state latency,
resident memory and idle CPU.

Run: .venv/bin/python tests/bench/bench_agent.py [--quick]   (as root: it starts a private cupsd)
"""

from __future__ import annotations

import argparse
import json
import queue
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import paho.mqtt.client as mqtt  # noqa: E402
from cups_lab import CupsLab  # noqa: E402
from figures import cpu_seconds, percentiles, start_agent  # noqa: E402
from paho.mqtt.enums import CallbackAPIVersion  # noqa: E402

from frontdesk.agent.local_broker import LocalBroker  # noqa: E402
from frontdesk.devices.printer.simulator import TcpPrinterSimulator  # noqa: E402
from frontdesk.devices.scale.simulator import ScaleSimulator  # noqa: E402


def rss_mb(pid: int) -> float:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    # The printer reports faults itself (Automatic Status Back on a line kept open between jobs).
    runs, idle, interval = (1, 3.0, 2.0) if quick else (5, 60.0, 30.0)
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as root_name:
        root = Path(root_name)
        root.chmod(0o755)  # cupsd runs its filters as user lp
        for part in ("broker", "cups"):
            (root / part).mkdir()
        with CupsLab(root / "cups") as lab, \
                LocalBroker(root / "broker") as broker, TcpPrinterSimulator() as printer, \
                ScaleSimulator("mt-sics", link=root / "scale") as scale:
            scale.state.grams = Decimal("85")
            config = root / "frontdesk.toml"
            config.write_text(
                f'site = "bench"\n[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
                f'[agent]\ndata_dir = "{root / "data"}"\nprinter_interval = {interval}\n[cups]\nserver = "{lab.server}"\n'
                f'[[printer]]\nid = "printer"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer.port}\n'
                f'[[scale]]\nid = "scale"\nprotocol = "mt-sics"\ndevice = "{scale.device_path}"\n'
                '[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n'
                '[[queue]]\nid = "fax"\ncups_name = "Fax"\nkind = "fax"\n'
            )
            states: queue.Queue = queue.Queue()
            client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
            client.on_message = lambda c, u, m: m.topic.endswith("/state") and states.put(
                (time.monotonic(), m.topic.split("/")[-2], json.loads(m.payload)))
            client.connect(broker.host, broker.port)
            client.subscribe("frontdesk/bench/#")
            client.loop_start()
            agent = start_agent(config)
            try:
                # Measured from a settled agent: every device has reported its first state.
                reported: set[str] = set()
                while not {"printer", "scale", "copier"} <= reported:
                    reported.add(states.get(timeout=60)[1])
                faults = {
                    "printer": (lambda: setattr(printer.state, "paper", "out"), lambda: setattr(printer.state, "paper", "ok")),
                    "scale": (scale.unplug, scale.plug),
                    "copier": (lambda: lab.connection().disablePrinter("Copier"),
                               lambda: lab.connection().enablePrinter("Copier")),
                }
                for device, (fail, mend) in faults.items():
                    delays = []
                    for _ in range(runs):
                        for action, healthy in ((fail, False), (mend, True)):
                            while not states.empty():
                                states.get()
                            start = time.monotonic()
                            action()
                            while True:
                                at, name, payload = states.get(timeout=120)
                                if name == device and (payload["health"] == "ok") == healthy:
                                    break
                            if not healthy:
                                delays.append(at - start)
                    median, p95 = percentiles(delays)
                    polled = " (Automatic Status Back)" if device == "printer" else ""
                    print(f"{device}: fault -> state at a subscriber: median {median * 1000:.0f} ms, "
                          f"p95 {p95 * 1000:.0f} ms over {runs} faults{polled}")
                before = cpu_seconds(agent.pid)
                time.sleep(idle)
                used = cpu_seconds(agent.pid) - before
                print(f"agent idle for {idle:g} s: {used / idle:.2%} of a core, resident memory {rss_mb(agent.pid):.0f} MB")
            finally:
                agent.terminate()
                agent.wait(timeout=30)
                client.loop_stop()


if __name__ == "__main__":
    main()
