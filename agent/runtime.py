"""The agent's composition root: config -> drivers -> supervisors -> MQTT."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from frontdesk.agent.commands import CommandError, Commands
from frontdesk.agent.discovery import STATUS_TOPIC as DISCOVERY_STATUS
from frontdesk.agent.discovery import Discovery
from frontdesk.agent.discovery.devices import configured_devices
from frontdesk.agent.device_lock import lock_devices
from frontdesk.agent.health import HealthTracker
from frontdesk.agent.faxes import FaxOutbox
from frontdesk.agent.ledger.device_history import FILE_NAME as DEVICE_HISTORY_FILE
from frontdesk.agent.ledger.device_history import DeviceHistory
from frontdesk.contract.outbox import FILE_NAME as OUTBOX_FILE
from frontdesk.agent.ledger.print_jobs import PrintJobs
from frontdesk.agent import systemd
from frontdesk.agent.mqtt_link import MqttLink
from frontdesk.agent.remembered import RememberedTopics
from frontdesk.agent.supervision import PrinterSupervisor, QueueSupervisor, ScaleSupervisor
from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import FrontdeskConfig

log = logging.getLogger("frontdesk.agent")
RESTART_FIRST, RESTART_MOST = 1.0, 60.0
# A device loop that ran this long since its last restart is no longer in a restart loop.
RESTART_SETTLED = 60.0
# The device state topics this agent published (agent/remembered.py), in its data dir.
STATES_MEMORY = "device-states.json"


class Devices:
    """Every configured device by kind and id, for the commands."""

    def __init__(self) -> None:
        self.by_kind: dict[str, dict[str, Any]] = {"printer": {}, "scale": {}, "queue": {}}
        self.trackers: dict[str, HealthTracker] = {}
        self.faxes: FaxOutbox | None = None

    def get(self, kind: str, device_id: str | None, kinds: tuple[str, ...] | None = None):
        """The device a command names, or the first of `kinds` (the kinds it works on) if none."""
        devices = self.by_kind[kind]
        fitting = [device for device in devices.values() if kinds is None or _kind_of(device) in kinds]
        wanted = " or ".join(kinds) if kinds else kind
        if device_id is None:
            if not fitting:
                raise CommandError(contract.UNKNOWN_DEVICE, f"this agent has no {wanted}")
            return fitting[0]
        if device_id not in devices:
            raise CommandError(contract.UNKNOWN_DEVICE,
                               f"no {kind} {device_id!r}; this agent has {', '.join(devices) or 'none'}")
        if devices[device_id] not in fitting:
            raise CommandError(contract.INVALID_REQUEST,
                               f"{kind} {device_id!r} is a {_kind_of(devices[device_id])}, not a {wanted}")
        return devices[device_id]

    def states(self) -> dict[str, dict[str, Any]]:
        return {device_id: tracker.state() for device_id, tracker in self.trackers.items()}


def _kind_of(device) -> str:
    """printer, scale, copier or fax (a queue's kind is in its config)."""
    return device.config.kind if hasattr(device, "config") else device.kind


class Agent:
    def __init__(self, config: FrontdeskConfig) -> None:
        self.config = config
        self.agent_id = config.agent.id
        self.devices = Devices()
        # First, before any file of the agent is touched: a second agent is refused untouched.
        # Held while this process lives: `frontdesk ... --direct` refuses meanwhile (DeviceHeld if taken).
        self.device_locks = lock_devices(config.agent.data_dir, [d.id for d in (
            *config.printer, *config.scale, *config.queue)], f"frontdesk-agent {self.agent_id!r}")
        self.device_history = DeviceHistory(config.agent.data_dir / DEVICE_HISTORY_FILE)
        self.device_history.forget_old()
        self.commands = Commands(self.devices, config.postage.carrier, config.agent.data_dir, config.office,
                                 history=self.device_history)
        self.link = MqttLink(config.mqtt_for("agent"), config.site, self.agent_id, self.commands.dispatch,
                             outbox_path=config.agent.data_dir / OUTBOX_FILE)
        ledger_topic = contract.agent_ledger(config.site, self.agent_id)
        self.commands.on_ledger = lambda record: self.link.publish_event(ledger_topic, record)
        self.discovery = Discovery(config.site, self.agent_id, config.agent.data_dir / "ha-discovery.json",
                                   self.link.publish_state)
        self._loops: list[tuple[str, Callable[[threading.Event], None], list[HealthTracker]]] = []
        self._threads: list[threading.Thread] = []
        # A broker outage alone must not get the agent restarted: it keeps working
        # and queues events meanwhile. Only one longer than the grace counts.
        self._broker_grace = systemd.grace_seconds()
        self._build()
        # Home Assistant forgets discovery when it restarts without a persistent broker.
        self.link.watch(DISCOVERY_STATUS, lambda payload: payload == b"online" and self.link.republish_retained())
        self.discovery.announce(configured_devices(config))
        self.published_states = RememberedTopics(
            config.agent.data_dir / STATES_MEMORY,
            # Upgraded from a version that kept no such memory: every device in the agent's own
            # device history (90 days) published a state.
            lambda: [self._state_topic(device_id) for device_id in self.device_history.devices()])
        self.link.on_cleared = self._cleared
        self._clear_removed_devices()

    def run(self, stop: threading.Event) -> None:
        self.commands.start()
        self.link.start()
        self.commands.relay_ledger()  # what a crash left staged, or the staff CLI recorded
        self._threads = [threading.Thread(target=self._keep_running, args=(name, loop, trackers, stop), name=name,
                                          daemon=True)
                         for name, loop, trackers in self._loops]
        for thread in self._threads:
            thread.start()
        stop.wait()
        for supervisor in self.devices.by_kind["printer"].values():
            supervisor.wake()  # it may be waiting for its next status check
        for thread in self._threads:
            thread.join(timeout=15)
        self.commands.stop()  # waiting print replies are answered while the link is still up
        self.link.stop()
        log.info("stopped")

    def healthy(self) -> bool:
        """For the systemd watchdog: every device loop alive, and the broker not lost for long."""
        return all(thread.is_alive() for thread in self._threads) and self.link.offline_for() < self._broker_grace

    def _build(self) -> None:
        from frontdesk.devices.printer import ReceiptPrinter
        from frontdesk.devices.queues import CupsClient, queue_for
        from frontdesk.devices.scale import scale_for

        if self.config.printer:
            self.print_jobs = PrintJobs(self.config.agent.data_dir / "print-jobs.db")
            self.print_jobs.scrub_finished()  # what an earlier version kept of finished badges and lists
            resent = self.print_jobs.recover()
            if resent:
                log.warning("%d print job(s) were interrupted by a crash; printing them again", resent)
        for printer in self.config.printer:
            tracker = self._tracker(printer.id, "printer")
            supervisor = PrinterSupervisor(
                ReceiptPrinter(printer, self.config.office), tracker, self.print_jobs,
                lambda name, fields, device=printer.id: self._publish(device, "events", contract.event(name, **fields)),
                self.config.agent.printer_interval,
            )
            self._add("printer", printer.id, supervisor, supervisor.run)
        for scale in self.config.scale:
            weight = contract.device_topic(self.config.site, self.agent_id, scale.id, "weight")
            supervisor = ScaleSupervisor(scale_for(scale), self._tracker(scale.id, "scale"),
                                         lambda payload, topic=weight: self.link.publish_event(topic, payload, qos=0))
            self._add("scale", scale.id, supervisor, supervisor.run)
        if self.config.queue:
            client = CupsClient(self.config.cups.server, self.config.cups.timeout)
            queues = [queue_for(queue, client) for queue in self.config.queue]
            trackers = {queue.id: self._tracker(queue.id, queue.kind) for queue in self.config.queue}
            for queue in queues:
                self.devices.by_kind["queue"][queue.id] = queue
            self.devices.faxes = FaxOutbox(
                self.config.agent.data_dir / "fax-outbox",
                lambda device, name, fields: self._publish(device, "events", contract.event(name, **fields)),
            )
            watching = {"device_interval": self.config.cups.device_poll_interval}
            self._loops.append(("queues", QueueSupervisor(queues, trackers, watching).run, list(trackers.values())))

    def _add(self, kind: str, device_id: str, supervisor, loop) -> None:
        self.devices.by_kind[kind][device_id] = supervisor
        self._loops.append((f"{kind}:{device_id}", loop, [self.devices.trackers[device_id]]))

    def _tracker(self, device_id: str, kind: str) -> HealthTracker:
        tracker = HealthTracker(device_id, kind, self._publish, self.device_history.record)
        self.devices.trackers[device_id] = tracker
        return tracker

    def _publish(self, device_id: str, leaf: str, payload: dict[str, Any]) -> None:
        topic = contract.device_topic(self.config.site, self.agent_id, device_id, leaf)
        if leaf == "state":
            log.info("%s: %s %s", device_id, payload["health"], ",".join(payload["reasons"]) or "-")
            self.link.publish_state(topic, payload)
            if payload.get("supplies"):
                self.discovery.supplies_seen(device_id, [supply["id"] for supply in payload["supplies"]])
        else:
            self.link.publish_event(topic, payload)

    def _clear_removed_devices(self) -> None:
        """A device taken out of the config leaves no retained state behind: the manager and the
        kiosk read an empty retained state as "this device is gone" (Home Assistant's entities
        go with their discovery configs, which Discovery clears the same way). States are the
        only retained topics per device (events and weight are not retained)."""
        configured = [self._state_topic(device_id) for device_id in self.devices.trackers]
        for topic in self.published_states.replace(configured):
            log.info("device %s is no longer configured: clearing its retained state (%s)",
                     contract.parse_topic(topic).device, topic)
            self.link.publish_state(topic, None)

    def _state_topic(self, device_id: str) -> str:
        return contract.device_topic(self.config.site, self.agent_id, device_id, "state")

    def _cleared(self, topic: str) -> None:
        """The broker acknowledged a clearing (paho's thread): neither memory needs it any more."""
        self.published_states.cleared(topic)
        self.discovery.cleared(topic)

    def _keep_running(self, name: str, loop: Callable[[threading.Event], None], trackers: list[HealthTracker],
                      stop: threading.Event) -> None:
        """A device loop that dies is logged and restarted with back-off; the others go on. While
        it keeps dying, its devices say so (`supervisor_restarting`): the manager sees the loop."""
        delay, settled = RESTART_FIRST, None
        while not stop.is_set():
            started = time.monotonic()
            try:
                loop(stop)
                return
            except Exception as error:  # noqa: BLE001 - one device must never stop the agent
                if time.monotonic() - started > RESTART_SETTLED:
                    delay = RESTART_FIRST  # a new fault, not the same loop again
                log.exception("%s failed; restarting it in %.0f s", name, delay)
                if settled is not None:
                    settled.cancel()
                for tracker in trackers:
                    tracker.add_own_reason("supervisor_restarting",
                                           f"the agent's {name} loop keeps failing ({type(error).__name__}: {error});"
                                           " see the agent's log")
                settled = threading.Timer(RESTART_SETTLED, self._settled, args=(trackers,))
                settled.daemon = True
                settled.start()
                stop.wait(delay)
                delay = min(delay * 2, RESTART_MOST)
        if settled is not None:
            settled.cancel()

    @staticmethod
    def _settled(trackers: list[HealthTracker]) -> None:
        for tracker in trackers:
            tracker.withdraw_own_reason("supervisor_restarting")
