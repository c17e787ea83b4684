"""`frontdesk demo`: the system on simulated devices, for a first look.

Starts the ESC/POS printer and postage scale simulators, writes a config that
points at them, prints a receipt and a visitor badge and weighs and prices a
letter through the real drivers, exactly as the agent will. The simulators then
keep running so a person can change their state and try the other commands.
"""

from __future__ import annotations

import errno
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

from frontdesk.agent.local_broker import LocalBroker
from frontdesk.contract import clock
from frontdesk.contract.config import load_config

DEMO_PORT = 9100

DEMO_CONFIG = """\
# Written by `frontdesk demo`: the demo's devices are simulators on this machine.
site = "demo"

[office]
name = "Exemplu Consulting"
address = ["Strada Ștefan cel Mare 12", "700000 Iași, România"]
phone = "+40 232 000 000"
tax_id = "RO12345678"
language = "ro"
currency = "RON"
timezone = "Europe/Bucharest"
tax_rate = 0.19
receipt_footer = "Mulțumim! Thank you! Danke! Merci ! Dziękujemy!"

[mqtt]
host = "127.0.0.1"
port = {mqtt_port}

[agent]
data_dir = "{data_dir}"
printer_interval = 2

[postage]
carrier = "deutschepost"

[[printer]]
id = "desk-printer"
connection = "network"
host = "127.0.0.1"
port = {port}
profile = "TM-T20II"
drawer_pin = 2

[[scale]]
id = "mail-scale"
protocol = "mt-sics"
device = "{scale_device}"
baudrate = 9600

# The visitor kiosk (`frontdesk-kiosk run --windowed` opens it; the demo does when it can).
[kiosk]
data_dir = "{kiosk_dir}"
printer = "desk-printer"
staff_pin_hash = "{pin_hash}"
window_size = [1024, 600]

[[kiosk.hosts]]
name = "Ana Ionescu"
email = "ana@example.com"

[[kiosk.hosts]]
name = "Jürgen Weiß"

[[kiosk.hosts]]
name = "Łucja Wąsowska"

# The office manager's side (`frontdesk-manager run`): history and the live dashboard.
[manager]
database = "sqlite:///{manager_dir}/history.db"
data_dir = "{manager_dir}"

[manager.dashboard]
host = "127.0.0.1"
port = {dashboard_port}

[[manager.dashboard.users]]
name = "{dashboard_user}"
password_hash = "{dashboard_hash}"
"""
DEMO_STAFF_PIN = "1234"
DASHBOARD_PORT, DASHBOARD_USER, DASHBOARD_PASSWORD = 8080, "manager", "frontdesk"


def run_demo(workdir: str | Path, once: bool = False) -> int:
    from frontdesk.devices.printer.simulator import TcpPrinterSimulator
    from frontdesk.devices.scale.simulator import ScaleSimulator
    from frontdesk.devices.simulator_console import run_simulators

    workdir = Path(workdir).resolve()
    printouts = workdir / "printer"
    printouts.mkdir(parents=True, exist_ok=True)
    printer_sim = TcpPrinterSimulator(port=_free_port(DEMO_PORT), output_dir=printouts)
    scale_sim = ScaleSimulator(protocol="mt-sics", link=workdir / "scale")
    (workdir / "broker").mkdir(exist_ok=True)
    broker = LocalBroker(workdir / "broker")
    config_file = workdir / "frontdesk.toml"
    agent = _AgentWithView()
    kiosk = _KioskWindow(config_file)
    manager = _ManagerDashboard(config_file, workdir / "manager")
    parts = [printer_sim, scale_sim] + ([] if once else [broker, agent, manager, kiosk])  # stopped in reverse order

    def started() -> None:
        config_file.write_text(
            DEMO_CONFIG.format(port=printer_sim.port, scale_device=scale_sim.device_path, data_dir=workdir / "data",
                               mqtt_port=broker.port, kiosk_dir=workdir / "kiosk", pin_hash=_hash(DEMO_STAFF_PIN),
                               manager_dir=workdir / "manager", dashboard_port=manager.port,
                               dashboard_user=DASHBOARD_USER, dashboard_hash=_hash(DASHBOARD_PASSWORD)),
            encoding="utf-8",
        )
        config = load_config(config_file)
        _print_demo_documents(config, printer_sim)
        _weigh_a_letter(config, scale_sim)
        if not once:
            if broker in parts:
                agent.launch(config)
                manager.launch()
                kiosk.launch(printouts)
            _show_what_to_try(config_file)

    def run_command(line: str) -> str:
        from frontdesk.devices.printer.simulator.console import run_console_command as printer_command
        from frontdesk.devices.scale.simulator.console import run_console_command as scale_command

        if line.split()[:1] == ["scale"]:
            return scale_command(scale_sim, line.strip()[len("scale"):] or "help")
        return printer_command(printer_sim, line)

    if not once and not LocalBroker.available():
        print("mosquitto is not installed: the demo runs without the broker and the agent")
        parts.remove(broker)
        parts.remove(agent)
        parts.remove(manager)
        parts.remove(kiosk)
    return run_simulators(parts, started, None if once else run_command, stopped="demo stopped")


class _AgentWithView:
    """The agent on the demo's broker, and a manager's plain live view of what it publishes."""

    def __init__(self) -> None:
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.view = None

    def start(self) -> None:
        """Nothing yet: the agent needs the config, written once the simulators are up."""

    def launch(self, config) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        from frontdesk.agent.runtime import Agent

        self.config = config
        self.thread = threading.Thread(target=Agent(config).run, args=(self.stop_event,), name="agent", daemon=True)
        self.thread.start()
        self.view = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.view.on_message = _show_message
        self.view.connect(self.config.mqtt.host, self.config.mqtt.port)
        self.view.subscribe(f"frontdesk/{self.config.site}/#")
        self.view.loop_start()
        print(f"\nagent on MQTT at {self.config.mqtt.host}:{self.config.mqtt.port}; what a manager sees follows [mqtt]")

    def stop(self) -> None:
        if self.view is not None:
            self.view.loop_stop()
            self.view.disconnect()
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=20)


class _KioskWindow:
    """The visitor kiosk in a window, when there is a display to open it on."""

    def __init__(self, config_file: Path) -> None:
        self.config_file = config_file
        self.process = None

    def start(self) -> None:
        """Nothing yet: the kiosk needs the agent, launched once the config is written."""

    def launch(self, printouts: Path) -> None:
        import os
        import subprocess

        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            print("\nno display: the kiosk window is not opened (run the demo in a desktop session to see it)")
            return
        command = [sys.executable, "-c", "from frontdesk.kiosk.cli import main; raise SystemExit(main())",
                   "--config", str(self.config_file), "run", "--windowed"]
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        print(f"\nkiosk window opened: sign a visitor in and the badge appears under {printouts} "
              f"(job-*.png); the staff PIN is {DEMO_STAFF_PIN}", flush=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # the kiosk stops cleanly on SIGTERM
            try:
                self.process.wait(20)
            except Exception:  # noqa: BLE001 - a kiosk that hangs must not keep the demo alive
                self.process.kill()


class _ManagerDashboard:
    """`frontdesk-manager run` on the demo's broker: history in the workdir, the dashboard on localhost."""

    def __init__(self, config_file: Path, folder: Path) -> None:
        self.config_file, self.folder = config_file, folder
        self.port = _free_port(DASHBOARD_PORT, host_port=True)
        self.process = None

    def start(self) -> None:
        """Nothing yet: it needs the config, written once the simulators are up."""

    def launch(self) -> None:
        import subprocess

        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / "manager.log").open("w")
        self.process = subprocess.Popen([sys.executable, "-m", "frontdesk.manager.cli", "--config", str(self.config_file), "run"],
                                        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        print(f"\noffice manager's dashboard: http://127.0.0.1:{self.port}/ (log in as {DASHBOARD_USER} / "
              f"{DASHBOARD_PASSWORD}); its log is {self.folder / 'manager.log'}", flush=True)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except Exception:  # noqa: BLE001 - a manager that hangs must not keep the demo alive
                self.process.kill()


def _hash(secret: str) -> str:
    from frontdesk.contract.secret_hash import hash_secret

    return hash_secret(secret)


def _show_message(client, userdata, message) -> None:
    import json

    from frontdesk.contract.mqtt import parse_topic

    topic = parse_topic(message.topic)
    if topic is None or topic.leaf == "weight" or not message.payload:
        return  # live weight would flood the terminal
    if topic.leaf == "availability":
        print(f"[mqtt] {topic.owner} {message.payload.decode()}", flush=True)
        return
    try:
        payload = json.loads(message.payload)
        _show_payload(topic, payload)
    except (ValueError, KeyError, TypeError):  # an exception here would stop paho's thread for good
        print(f"[mqtt] {message.topic}: {message.payload[:80]!r}", flush=True)


def _show_payload(topic, payload: dict) -> None:
    if topic.leaf == "state" and topic.owner == "agent":  # a kiosk's state is its counts, not a device's
        reasons = ", ".join(payload["reasons"]) or "-"
        print(f"[mqtt] {payload['device']}: {payload['health']} ({reasons})", flush=True)
    elif topic.leaf == "arrivals":
        print(f"[mqtt] visitor arrived: {payload.get('name')} for {payload.get('host') or 'the front desk'}", flush=True)
    elif topic.leaf == "events":
        print(f"[mqtt] {topic.device} event: {payload['event']}", flush=True)


def _print_demo_documents(config, simulator) -> None:
    from frontdesk.devices.printer import ReceiptPrinter
    from frontdesk.devices.printer.samples import sample_badge, sample_receipt

    printer = ReceiptPrinter(config.printer[0], config.office)
    print(f"printer simulator listening on {simulator.address}; printouts go to {simulator.output_dir}")
    printer.print_document(sample_receipt(number="DEMO-000001"))
    printer.print_document(sample_badge("Ștefan Țăranu", number="V-0001"))
    for number, job in enumerate(simulator.wait_for_jobs(2, timeout=10), start=1):
        print(f"\n--- job {number}: what the paper shows " + "-" * 20)
        print(job.text_rendering())
    print(f"\nPictures of the paper: {', '.join(str(p) for p in sorted(simulator.output_dir.glob('*.png')))}")


def _weigh_a_letter(config, simulator) -> None:
    from decimal import Decimal

    from frontdesk.agent.ledger.mail_log import FILE_NAME, MailItem, MailLog
    from frontdesk.agent.postage import available_classes
    from frontdesk.devices.scale import scale_for

    print(f"\nscale simulator (MT-SICS, 9600 baud) on {simulator.device_path}")
    simulator.settle(Decimal("85"), after=0.5)  # a letter put on the scale settles
    scale = scale_for(config.scale[0])
    try:
        reading = scale.read_stable(timeout=5)
    finally:
        scale.close()
    print(f"weighed: {reading.describe()} (stable, as the scale says)")
    quotes = available_classes(config.postage.carrier, "domestic", reading.grams,
                               on=clock.today(ZoneInfo(config.office.timezone)))
    for option in quotes:
        print(f"  {option.carrier_name} {option.mail_class_name}, {option.rated_weight}: {option.price} {option.currency}")
    cheapest = quotes[0]
    log = MailLog(config.agent.data_dir / FILE_NAME)
    try:
        log.record(MailItem(reading.grams, cheapest.mail_class, "domestic", cheapest.carrier, cheapest.price,
                            cheapest.currency, "demo", config.scale[0].id), request_id="demo-letter")
    finally:
        log.close()
    print(f"recorded in the mail log: {cheapest.mail_class_name}, {cheapest.price} {cheapest.currency}")


def _show_what_to_try(config_file: Path) -> None:
    cli = Path(sys.executable).with_name("frontdesk")
    print(
        "\nThe demo keeps running. Type a command to change the simulated devices:\n"
        "  printer: paper out | paper near-end | paper ok | cover open | status | help\n"
        "  scale:   scale weight 250 | scale settle 40 2 | scale over | scale unplug | scale help\n"
        "From another terminal, try:\n"
        f"  {cli} printer status --config {config_file}\n"
        f"  {cli} printer test --badge 'Łucja Żółkiewska' --language pl --config {config_file}\n"
        f"  {cli} scale read --watch --config {config_file}\n"
        f"  {cli} postage quote 85g --config {config_file}\n"
        "Ctrl-C (or quit) stops the demo.",
        flush=True,
    )


def _free_port(preferred: int, host_port: bool = False) -> int:
    """The usual port when it is free, so the demo looks like the real thing; else 0 (the
    simulator picks one), or with `host_port` a free one picked now."""
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError as error:
            if error.errno not in (errno.EADDRINUSE, errno.EACCES):
                raise
            if not host_port:
                return 0
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]
    return preferred
