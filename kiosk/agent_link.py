"""The kiosk's one MQTT connection: the agent's health, commands, and visit announcements.

Nothing here blocks the caller: paho runs its own thread, commands return Futures,
and badges that could not print are re-sent from a worker thread when the agent
comes back. The visitor log is the record of truth; a badge is printed at most once
because its print_badge carries the visit id as request_id (the agent remembers it).
"""

from __future__ import annotations

import concurrent.futures
import json
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

import paho.mqtt.client as mqtt

from frontdesk.contract import clock
from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import FrontdeskConfig
from frontdesk.contract.events import JobCompleted, parse_event
from frontdesk.contract.mqtt_client import CommandClient, make_client
from frontdesk.contract.outbox import FILE_NAME as OUTBOX_FILE
from frontdesk.contract.outbox import EventOutbox
from frontdesk.contract.results import ScaleReadResult
from frontdesk.contract.home_assistant import STATUS_TOPIC as HOME_ASSISTANT_STATUS
from frontdesk.contract.states import DeviceState, parse_state, parse_weight
from frontdesk.kiosk.home_assistant import KioskInHomeAssistant
from frontdesk.kiosk.visits import Visit, VisitorLog

log = logging.getLogger("frontdesk.kiosk.link")
T = TypeVar("T")

Reply = dict[str, Any]
PRINTED_STATES = ("printed", "sent")
BADGE_WAIT = 10  # seconds the agent waits for the printout before it replies "queued"
PROBES, PROBE_TIMEOUT = 5, 2.0  # asking an agent that just came online whether it takes commands


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def _payload(parse: Callable[[Any], T], data: bytes, topic: str) -> T | None:
    """The payload as its contract model, or None (logged) for anything else: a malformed
    message is ignored, never fatal."""
    try:
        return parse(json.loads(data))
    except ValueError as error:  # not UTF-8, not JSON, or not the contract (PayloadError)
        log.warning("ignoring a malformed message on %s: %s", topic, error)
        return None


class KioskLink:
    """Call start() once; listeners get "agent", "devices" or "weight" on the paho thread."""

    def __init__(self, config: FrontdeskConfig, visits: VisitorLog) -> None:
        self.config, self.visits = config, visits
        # The kiosk's own login ([kiosk.mqtt]) where it has one: the ACL gives it its own topics.
        self._mqtt = config.mqtt_for("kiosk")
        kiosk, site = config.kiosk, config.site
        self.agent_online = False
        self.devices: dict[str, DeviceState] = {}
        self.latest_weight: ScaleReadResult | None = None  # the latest reading of any scale, with its id
        self._listeners: list[Callable[[str], None]] = []
        self._availability = contract.kiosk_availability(site, kiosk.id)
        self._agent_topic = contract.agent_availability(site, kiosk.agent)
        self._devices_prefix = f"{contract.root(site)}/agent/{kiosk.agent}/devices/"
        self._client = make_client(self._mqtt, f"frontdesk-kiosk-{site}-{kiosk.id}-{uuid.uuid4().hex[:8]}",
                                   will_topic=self._availability)
        self._commands = CommandClient(self._client, site, kiosk.agent, contract.kiosk_replies(site, kiosk.id))
        self._client.on_connect = self._connected
        self._client.on_disconnect = self._disconnected
        self._client.on_publish = self._acknowledged
        # Arrivals and visit records wait on disk until the broker has them: a kiosk restarted
        # while the broker is away must not lose the manager's count or the host's message.
        self._online = threading.Event()
        self._outbox = EventOutbox(config.kiosk.data_dir / OUTBOX_FILE,
                                   lambda topic, data: self._client.publish(topic, data, qos=1), self._online)
        self._client.message_callback_add(self._agent_topic, self._agent_availability)
        self._client.message_callback_add(self._devices_prefix + "+/state", self._device_state)
        self._client.message_callback_add(self._devices_prefix + "+/weight", self._weight)
        self._client.message_callback_add(self._devices_prefix + "+/events", self._device_event)
        self.home_assistant = KioskInHomeAssistant(
            site, kiosk.id, visits, lambda topic, data: self._client.publish(topic, data, qos=1, retain=True))
        self._client.message_callback_add(
            HOME_ASSISTANT_STATUS, lambda client, userdata, message: message.payload == b"online"
            and self.home_assistant.announce())
        # One worker: re-sending badges one after another, in sign-in order.
        self._resender = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kiosk-badges")
        self._resend_pending = threading.Lock()
        self._state_lock = threading.Lock()
        self._stopped = False

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self._client.connect_async(self._mqtt.host, self._mqtt.port, keepalive=30)
        self._client.loop_start()
        self._outbox.start()

    def stop(self) -> None:
        """Say `offline` (retained) and disconnect; safe to call when never connected."""
        self._stopped = True
        self._outbox.stop()
        if self._client.is_connected():
            sent = self._client.publish(self._availability, contract.OFFLINE, qos=1, retain=True)
            try:
                sent.wait_for_publish(5)
            except (RuntimeError, ValueError):  # the connection dropped meanwhile: the last will says it
                pass
        self._client.disconnect()
        self._client.loop_stop()
        self._outbox.close()
        self._resender.shutdown(wait=False, cancel_futures=True)
        self.home_assistant.stop()

    def add_listener(self, callback: Callable[[str], None]) -> None:
        self._listeners.append(callback)

    def _notify(self, what: str) -> None:
        for callback in list(self._listeners):
            try:
                callback(what)
            except Exception:  # noqa: BLE001 - a faulty listener must not take the link down
                log.exception("kiosk listener failed on %r", what)

    def _connected(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("broker %s:%s refused the kiosk: %s", self._mqtt.host, self._mqtt.port, reason_code)
            return
        self._commands.subscribe()
        client.subscribe([(self._agent_topic, 1), (self._devices_prefix + "+/state", 1),
                          (self._devices_prefix + "+/weight", 0), (self._devices_prefix + "+/events", 1),
                          (HOME_ASSISTANT_STATUS, 1)])
        # Retained, and republished on every connect: a broker without persistence forgets it.
        client.publish(self._availability, contract.ONLINE, qos=1, retain=True)
        self.home_assistant.announce()
        self._online.set()
        self._outbox.wake()
        log.info("kiosk connected to %s:%s", self._mqtt.host, self._mqtt.port)

    def _disconnected(self, client, userdata, flags, reason_code, properties) -> None:
        self._online.clear()
        # Without the broker the agent is out of reach, whatever it last said.
        if self.agent_online:
            self.agent_online = False
            self._notify("agent")

    # -- what the agent tells us ----------------------------------------------------------------

    def _agent_availability(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        status = message.payload.decode("utf-8", "replace").strip()
        if status not in (contract.ONLINE, contract.OFFLINE):
            log.warning("ignoring agent availability %r", status[:40])
            return
        online = status == contract.ONLINE
        changed, self.agent_online = online != self.agent_online, online
        if online:
            self._resend_badges()  # also on every reconnect: the retained "online" comes again
        if changed:
            self._notify("agent")

    @staticmethod
    def _device_id(topic: str) -> str | None:
        parts = contract.parse_topic(topic)
        return parts.device if parts is not None else None

    def _device_state(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        device = self._device_id(message.topic)
        if device is None:
            return
        state = _payload(parse_state, message.payload, message.topic) if message.payload else None
        if message.payload and state is None:
            return
        if state is not None and state.device != device:
            log.warning("ignoring the state of %r on %s", state.device, message.topic)
            return
        with self._state_lock:
            known = self.devices.get(device)
            was_ok = known is not None and known.health == "ok"
            # A new dict each time: readers never see one half-made. No payload: the retained
            # state was cleared because the device left the agent's config.
            others = {k: v for k, v in self.devices.items() if k != device}
            self.devices = {**others, device: state} if state is not None else others
        if state is not None and state.health == "ok" and not was_ok and self._is_badge_printer(device, state):
            self._resend_badges()  # cheap when nothing waits; covers a job_completed we missed
        self._notify("devices")

    def _is_badge_printer(self, device: str, state: DeviceState) -> bool:
        wanted = self.config.kiosk.printer
        return device == wanted if wanted else state.kind == "printer"

    def _weight(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        scale = self._device_id(message.topic)
        reading = _payload(parse_weight, message.payload, message.topic)
        if reading is None or scale is None:
            return
        self.latest_weight = ScaleReadResult.model_validate({**reading.model_dump(), "scale": scale})
        self._notify("weight")

    def _device_event(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        event = _payload(parse_event, message.payload, message.topic)
        # A queued badge printed later (paper back in) is announced by the agent.
        if isinstance(event, JobCompleted) and event.kind == "badge" and event.request_id is not None:
            if self.visits.get(event.request_id) is not None:
                self._badge_printed(event.request_id, event.at)

    # -- commands and visits --------------------------------------------------------------------

    def command(self, name: str, payload: dict, timeout: float = 15) -> concurrent.futures.Future:
        """Send a command; the Future resolves to the reply (agent_unavailable after timeout). Never raises."""
        try:
            return self._commands.submit(name, payload, timeout)
        except Exception as error:  # noqa: BLE001 - e.g. a payload that is not JSON-serialisable
            future: concurrent.futures.Future = concurrent.futures.Future()
            future.set_result(contract.error_reply(contract.INVALID_REQUEST, f"cannot send {name!r}: {error}"))
            return future

    def visitor_signed_in(self, visit: Visit) -> concurrent.futures.Future:
        """Tell the host, record the visit (no personal data), print the badge. See module doc."""
        host = next((h for h in self.config.kiosk.hosts if h.name == visit.host), None)
        self._publish(contract.visitor_arrivals(self.config.site), contract.arrival(
            name=visit.name, company=visit.company, host=visit.host, host_email=host.email if host else None,
            kiosk=self.config.kiosk.id, language=visit.language))
        self._send_record(
            "signed_in", visit=visit.id, signed_in_at=_iso(visit.signed_in_at),
            pre_registered=visit.invitation_code is not None, language=visit.language, purpose=visit.purpose,
            started_at=_iso(visit.started_at) if visit.started_at else None)
        self.home_assistant.changed()
        if not self.agent_online:
            # No one would take the command now; it is re-sent when the agent says online.
            future: concurrent.futures.Future = concurrent.futures.Future()
            future.set_result(contract.error_reply(
                contract.AGENT_UNAVAILABLE, "the agent is offline; the badge prints when it is back"))
            return future
        return self._print_badge(visit)

    def visitor_signed_out(self, visit: Visit) -> None:
        signed_out = visit.signed_out_at or clock.now()
        self._send_record(
            "signed_out", visit=visit.id, signed_in_at=_iso(visit.signed_in_at),
            duration_seconds=round(max(0.0, (signed_out - visit.signed_in_at).total_seconds()), 1))
        self.home_assistant.changed()

    def sign_in_abandoned(self, started_at: datetime, gave_up_at: datetime, step: str) -> None:
        """A visitor started signing in and walked away (the idle reset came): counted, no data kept."""
        self._send_record(
            "sign_in_abandoned", started_at=_iso(started_at),
            seconds=round(max(0.0, (gave_up_at - started_at).total_seconds()), 1),
            step=step)  # a screen's name ("name", "policy", "field:car_plate" ...): no visitor data

    def _badge_printed(self, visit_id: str, reported_at: datetime | None = None) -> None:
        """Mark the badge printed and announce, once, how long the visitor waited for it.

        `reported_at` is the agent's own time of the printout (its job_completed event); without
        it, or when it is not between the sign-in and now (clocks disagree), it is now: when
        the kiosk learnt of it."""
        printed_at = now = clock.now()
        if reported_at is not None:
            known = self.visits.get(visit_id)
            if known is not None and known.signed_in_at <= reported_at <= now:
                printed_at = reported_at
        visit = self.visits.mark_badge_printed(visit_id, printed_at)
        if visit is None:
            return  # already announced: the reply, the agent's event and a re-send may all say so
        self._send_record(
            "badge_printed", visit=visit.id, signed_in_at=_iso(visit.signed_in_at), printed_at=_iso(printed_at),
            waited_seconds=round(max(0.0, (printed_at - visit.signed_in_at).total_seconds()), 1))
        self.home_assistant.changed()

    def _send_record(self, name: str, **fields: Any) -> None:
        """A visit record for the manager, built with its contract model. One the model refuses
        is a bug of ours: logged, and the visit goes on (the visitor log has it)."""
        try:
            record = contract.event(name, **fields)
        except contract.PayloadError as error:
            log.error("not sending a %s record that breaks the contract: %s", name, error)
            return
        self._outbox.put(contract.kiosk_visits(self.config.site, self.config.kiosk.id), contract.encode(record))

    def _publish(self, topic: str, payload: dict) -> None:
        """QoS 1, not retained, through the on-disk outbox."""
        self._outbox.put(topic, contract.encode(payload))

    def pending_records(self) -> int:
        """Arrivals and visit records the broker has not acknowledged yet."""
        return self._outbox.pending()

    def _acknowledged(self, client, userdata, mid, reason_code, properties) -> None:
        self._outbox.acknowledged(mid)

    def _print_badge(self, visit: Visit, first_try: bool = True) -> concurrent.futures.Future:
        request = {"request_id": visit.id, "visitor_name": visit.name, "badge_number": visit.badge_number,
                   "company": visit.company, "host": visit.host, "signout_code": visit.signout_code,
                   "language": visit.language, "wait": BADGE_WAIT}
        if self.config.kiosk.printer:
            request["printer"] = self.config.kiosk.printer
        future = self.command("print_badge", request, timeout=BADGE_WAIT + 5)
        future.add_done_callback(lambda done: self._badge_reply(visit.id, done.result(), first_try))
        return future

    def _badge_reply(self, visit_id: str, reply: Reply, first_try: bool) -> None:
        if self._stopped:
            return  # a timeout that fired after stop(): the next start re-sends from the log
        result = reply.get("result") if reply.get("ok") else None
        if isinstance(result, dict) and result.get("state") in PRINTED_STATES:
            self._badge_printed(visit_id)
            return
        error = reply.get("error") or {}
        if not reply.get("ok"):
            log.warning("badge of visit %s not printed: %s", visit_id, error)
        if first_try and error.get("code") == contract.AGENT_UNAVAILABLE and self.agent_online:
            # Said online, yet silent: the command was lost (e.g. sent in the moment between the
            # agent's "online" and its subscription). One re-send pass, which first checks it answers.
            self._resend_badges()

    def _resend_badges(self) -> None:
        """Queue one pass over the unprinted badges; a pass already waiting covers this call too."""
        if not self._resend_pending.acquire(blocking=False):
            return
        try:
            self._resender.submit(self._resend_pass)
        except RuntimeError:  # stopped
            self._resend_pending.release()

    def _resend_pass(self) -> None:
        self._resend_pending.release()  # a call from now on needs another pass
        try:
            waiting = self.visits.badges_to_print()
            if not waiting or not self._agent_answers():
                return
            for visit in waiting:
                if not self.agent_online:
                    return
                self._print_badge(visit, first_try=False).result()
        except Exception:  # noqa: BLE001 - the next "online" tries again
            log.exception("re-sending badges failed")

    def _agent_answers(self) -> bool:
        """Whether the agent takes commands now. Right after its "online" it may not yet: a
        badge command lost then would wait for the next "online", so ask something cheap first."""
        for _ in range(PROBES):
            if not self.agent_online:
                return False
            reply = self.command("status", {}, timeout=PROBE_TIMEOUT).result()
            if reply.get("ok") or (reply.get("error") or {}).get("code") != contract.AGENT_UNAVAILABLE:
                return True
        return False
