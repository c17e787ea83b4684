"""The staff CLI as a client of the agent, as `lp` is one of cupsd.

The agent holds the printer, the scale and the CUPS subscriptions all day, and it alone
writes the ledgers; so each CLI command is one of its MQTT v5 commands (docs/mqtt.md),
and what it publishes (live weight, fax events) is followed on its topics. When nobody
answers, the CLI says so in one line that names the broker and the agent and how to
start it: never a paho traceback, never its retry noise.
"""

from __future__ import annotations

import concurrent.futures
import logging
import sys
import threading
import uuid
from collections.abc import Callable
from typing import Any

from frontdesk.agent.cli.common import EXIT_DEVICE_PROBLEM, EXIT_USAGE
from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import FrontdeskConfig
from frontdesk.contract.mqtt_client import AgentConnection, describe_failure
from frontdesk.contract.reasons import error_text

START_HINT = "start the agent with `sudo systemctl start frontdesk-agent`"
# Error codes that say the request itself was wrong (exit 2), not the device (exit 1).
_USAGE_ERRORS = {contract.INVALID_REQUEST, contract.UNKNOWN_COMMAND, contract.UNKNOWN_DEVICE, "invalid_options"}


class AgentUnavailable(Exception):
    """Nobody answered: the agent is stopped, or the broker cannot be reached. Exit 1."""

    exit_code = EXIT_DEVICE_PROBLEM


class AgentRefused(Exception):
    """The agent answered with an error reply: its code, and its message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message or error_text(code))
        self.code = code

    @property
    def exit_code(self) -> int:
        return EXIT_USAGE if self.code in _USAGE_ERRORS or self.code in _postage_codes() else EXIT_DEVICE_PROBLEM


def _postage_codes() -> set[str]:
    """The postage errors' codes: the item cannot be priced as asked, a usage error (exit 2)."""
    from frontdesk.agent.postage import errors

    return {cls.reason for cls in vars(errors).values()
            if isinstance(cls, type) and issubclass(cls, errors.PostageError)}


class AgentClient:
    """`with AgentClient(config, timeout) as agent: agent.ask("scale_read", {})`.

    `follow(topic, callback)` before entering subscribes to one of the agent's topics too
    (on every connect, before any command is sent: nothing the command causes is missed)."""

    def __init__(self, config: FrontdeskConfig, timeout: float, direct_hint: bool = True) -> None:
        _quiet_mqtt_log()
        self.config, self.timeout, self._direct_hint = config, timeout, direct_hint
        self.agent_id = config.agent.id
        # [cli.mqtt] where given (the ACL's frontdesk-staff), else the agent's [mqtt].
        self._mqtt = config.mqtt_for("cli")
        host = self._mqtt.host
        self.broker = f"[{host}]:{self._mqtt.port}" if ":" in host else f"{host}:{self._mqtt.port}"
        client_id = f"frontdesk-cli-{uuid.uuid4().hex[:12]}"  # never the agent's own: the broker would drop it
        self._availability = contract.agent_availability(config.site, self.agent_id)
        self._followed: dict[str, Callable[[str, bytes], None]] = {self._availability: self._available}
        self._availability_listeners: list[Callable[[bool], None]] = []
        self._connection = AgentConnection(self._mqtt, config.site, self.agent_id, client_id,
                                           contract.cli_replies(config.site, client_id), on_connect=self._subscribe)
        self._changed = threading.Condition()
        self._broker_problem: str | None = None
        self.online: bool | None = None  # the agent's retained availability, once it came
        client = self._connection.client
        client.on_connect_fail = self._connect_failed
        self._accepted = client.on_connect  # AgentConnection's: it subscribes, then says connected
        client.on_connect = self._connack

    # -- connecting ------------------------------------------------------------------------------

    def follow(self, topic: str, callback: Callable[[str, bytes], None]) -> None:
        """Call `callback(topic, payload)` (on paho's thread) for every message on `topic` (a filter)."""
        self._followed[topic] = callback

    def on_availability(self, callback: Callable[[bool], None]) -> None:
        """Call `callback(online)` (on paho's thread) whenever the agent's availability comes."""
        self._availability_listeners.append(callback)

    def scale_readings(self, scale_id: str | None):
        """The scale's live readings, as the agent publishes them (agent/cli/live.py)."""
        from frontdesk.agent.cli.live import follow_scale

        return follow_scale(self, scale_id)

    def fax_outcomes(self):
        """Follows the fax queues' events from the connection on, for `wait(sent, timeout)`."""
        from frontdesk.agent.cli.live import FaxEvents

        return FaxEvents(self)

    def __enter__(self) -> AgentClient:
        for topic, callback in self._followed.items():
            self._connection.client.message_callback_add(topic, lambda client, userdata, message, take=callback:
                                                         take(message.topic, bytes(message.payload)))
        self._connection.start()
        with self._changed:
            self._changed.wait_for(lambda: self._connection.connected.is_set() or self._broker_problem, self.timeout)
        if not self._connection.connected.is_set():
            self._stop()
            raise self._unreachable()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._connection.connected.is_set():
            self._connection.stop()
        else:  # a connection attempt may be under way: do not wait for it to time out
            self._connection.client.disconnect()

    # -- asking ----------------------------------------------------------------------------------

    def ask(self, command: str, payload: dict[str, Any], takes: float = 0.0) -> dict[str, Any]:
        """The agent's result; AgentRefused for an error reply, AgentUnavailable for none.

        No agent is told within the timeout: a stopped one's retained `offline` at once, one that
        never ran by saying nothing. Only an agent that is there (its retained `online`) is given
        `takes` more, what the command itself may take (a printout, a stable weight)."""
        future = self._connection.commands.submit(command, payload, timeout=self.timeout + takes)
        future.add_done_callback(lambda _: self._notify())
        with self._changed:
            self._changed.wait_for(lambda: future.done() or self.online is False, self.timeout)
            if self.online is False and not future.done():
                raise self._unavailable("is offline (stopped)")
            if not (future.done() or self.online):
                raise self._unavailable(f"did not answer within {self.timeout:g} s")
        return self._result(command, future.result(), self.timeout + takes)

    def submit(self, command: str, payload: dict[str, Any], takes: float = 0.0) -> concurrent.futures.Future:
        """For a caller that must not block (a watch asking again): the reply's Future."""
        return self._connection.commands.submit(command, payload, timeout=self.timeout + takes)

    def _result(self, command: str, reply: dict[str, Any], waited: float) -> dict[str, Any]:
        if reply.get("ok"):
            return reply.get("result") or {}
        error = reply.get("error") or {}
        code = error.get("code", contract.INTERNAL_ERROR)
        if code == contract.AGENT_UNAVAILABLE:
            if self.online:
                raise AgentUnavailable(f"the agent {self.agent_id!r} is online but did not answer {command} within "
                                       f"{waited:g} s; its log may say why (`journalctl -u frontdesk-agent`)")
            raise self._unavailable(f"did not answer within {waited:g} s")
        raise AgentRefused(code, error.get("message", ""))

    def _unavailable(self, why: str) -> AgentUnavailable:
        return AgentUnavailable(f"the agent {self.agent_id!r} on the broker {self.broker} {why}; {self._hint()}")

    def _unreachable(self) -> AgentUnavailable:
        problem = self._broker_problem or f"no connection within {self.timeout:g} s"
        return AgentUnavailable(f"cannot reach the agent {self.agent_id!r}: the broker {self.broker}: {problem}; "
                                f"{self._hint()}")

    def _hint(self) -> str:
        return START_HINT + (", or use --direct while it is stopped" if self._direct_hint else "")

    # -- paho's network thread -------------------------------------------------------------------

    def _subscribe(self, client) -> None:
        client.subscribe([(topic, 1) for topic in self._followed])

    def _available(self, topic: str, payload: bytes) -> None:
        with self._changed:
            self.online = payload == contract.ONLINE.encode()
            self._changed.notify_all()
        for listener in self._availability_listeners:
            listener(self.online)

    def _connect_failed(self, client, userdata) -> None:
        # paho calls this from inside its `except OSError:`: the one being handled is the reason.
        with self._changed:
            self._broker_problem = describe_failure(sys.exc_info()[1], self._mqtt.host)
            self._changed.notify_all()

    def _connack(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:  # e.g. "Not authorized": said at once, not after the timeout
            with self._changed:
                self._broker_problem = f"refused the connection: {reason_code}"
        self._accepted(client, userdata, flags, reason_code, properties)
        self._notify()  # connected (set by the line above), or refused

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()


def _quiet_mqtt_log() -> None:
    """The CLI says what went wrong in one line: the MQTT client's retry log stays out of it."""
    mqtt_log = logging.getLogger("frontdesk.mqtt")
    mqtt_log.addHandler(logging.NullHandler())
    mqtt_log.propagate = False
