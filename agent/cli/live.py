"""What the CLI follows on the agent's topics: a scale's live weight, and a fax to its outcome.

Subscribed before the first command goes out (AgentClient.follow), so nothing the command
causes is missed; then read on the caller's thread from a queue.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from frontdesk.agent.cli.agent_client import AgentClient, AgentRefused
from frontdesk.contract import mqtt as contract
from frontdesk.contract.events import FaxOutcome, parse_event
from frontdesk.contract.payload import PayloadError
from frontdesk.contract.states import parse_weight
from frontdesk.contract.reasons import reason_text
from frontdesk.devices.scale.reading import ScaleProblem, ScaleReading

# A scale's state says more than its readings only when it cannot be read at all.
_PROBLEM_HEALTH = {"offline", "error"}
_FAX_EVENTS = {"fax_sent": "sent", "fax_failed": "failed", "fax_pending": "pending"}


def follow_scale(agent: AgentClient, scale_id: str | None) -> Iterator[ScaleReading | ScaleProblem]:
    """Subscribes now to the scale's `weight` and retained `state` (and the agent's availability);
    the iterator, once the agent is connected, yields the current reading, then every new one,
    and a ScaleProblem when the scale (or the agent) is away."""
    scale_id = scale_id or _first_scale(agent)
    events: queue.Queue = queue.Queue()
    site, agent_id = agent.config.site, agent.agent_id
    for leaf in ("weight", "state"):
        agent.follow(contract.device_topic(site, agent_id, scale_id, leaf),
                     lambda topic, payload, leaf=leaf: events.put((leaf, payload)))
    agent.on_availability(lambda online: events.put(("agent", online)))
    return _stream(agent, scale_id, events)


def _first_scale(agent: AgentClient) -> str:
    """The agent's default scale is the config's first: the topics must be known before it is asked."""
    return agent.config.scale_by_id(None).id


def _stream(agent: AgentClient, scale_id: str, events: queue.Queue) -> Iterator[ScaleReading | ScaleProblem]:
    trouble: str | None = None  # what is wrong now (a state's health, or "agent"), None when readable
    shown: tuple | None = None  # the last reading shown: the same again (after a comeback) is not news
    news: ScaleReading | ScaleProblem | None = _current(agent, scale_id)
    while True:
        if isinstance(news, ScaleProblem):
            trouble, shown = trouble or "offline", None
            yield news
        elif news is not None and news.key != shown:
            shown = news.key
            yield news
        news = None
        try:
            leaf, payload = events.get(timeout=1.0)  # a timeout, so Ctrl-C is never held up
        except queue.Empty:
            continue
        if leaf == "weight":  # while the scale or the agent is away, its state tells when it is back
            news = reading_from(payload) if trouble is None else None
            continue
        now = _trouble(leaf, payload, trouble)
        if now == trouble:
            continue
        # Back: what it weighs now (the agent repeats no unchanged weight); or what went wrong.
        news, trouble = (_current(agent, scale_id), None) if now is None else (_problem(scale_id, leaf, payload), now)


def _trouble(leaf: str, payload: Any, before: str | None) -> str | None:
    if leaf == "agent":
        return None if payload else "agent"
    if before == "agent":
        return before  # the scale's retained state says nothing while the agent is away
    state = _json(payload) or {}
    health = state.get("health")
    return health if health in _PROBLEM_HEALTH else None if state else "removed"


def _problem(scale_id: str, leaf: str, payload: Any) -> ScaleProblem:
    if leaf == "agent":
        return ScaleProblem("agent_offline", "the agent went offline: no readings until it is back")
    state = _json(payload)
    if not state:
        return ScaleProblem("removed", f"scale {scale_id!r} was taken out of the agent's config")
    reasons, health = state.get("reasons") or [state.get("health", "offline")], state.get("health", "offline")
    if state.get("message"):  # the driver's own words, which name the scale and its port
        return ScaleProblem(reasons[0], f"{health}: {state['message']}")
    return ScaleProblem(reasons[0], f"scale {scale_id!r} is {health}: "
                        + " ".join(reason_text(reason) for reason in reasons))


def _current(agent: AgentClient, scale_id: str) -> ScaleReading | ScaleProblem:
    try:
        result = agent.ask("scale_read", {"scale": scale_id})
    except AgentRefused as refused:
        if refused.code != contract.DEVICE_OFFLINE:
            raise
        return ScaleProblem("offline", str(refused))
    return reading_from(result) or ScaleProblem("garbled", f"the agent sent a reading it cannot show: {result}")


def reading_from(payload: bytes | dict) -> ScaleReading | None:
    """A weight payload (contract/states.py Weight), None for one that is not."""
    try:
        weight = parse_weight(_json(payload) if isinstance(payload, bytes) else payload)
    except PayloadError:
        return None
    value, unit = (weight.value, weight.unit) if weight.value is not None else (weight.grams, "g")
    return ScaleReading(None if value is None else Decimal(str(value)), unit, weight.stable, weight.condition,
                        at=weight.at)


def _json(payload: bytes) -> dict | None:
    try:
        data = json.loads(payload) if payload else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class FaxEvents:
    """The fax queues' events (`fax_sent`, `fax_failed`, `fax_pending`), from the connection on."""

    def __init__(self, agent: AgentClient) -> None:
        self._outcomes: dict[tuple[str, int], tuple[str, str]] = {}
        self._changed = threading.Condition()
        agent.follow(contract.device_topic(agent.config.site, agent.agent_id, "+", "events"), self._event)

    def _event(self, topic: str, payload: bytes) -> None:
        try:
            event = parse_event(_json(payload))
        except PayloadError:
            return  # not an event this CLI can read: not the fax's
        queue_id = contract.parse_topic(topic).device
        if isinstance(event, FaxOutcome) and queue_id is not None:
            with self._changed:
                self._outcomes.setdefault((queue_id, event.job), (_FAX_EVENTS[event.event], event.reason or ""))
                self._changed.notify_all()

    def wait(self, sent: dict[str, Any], timeout: float) -> tuple[str, str]:
        """("sent" | "failed" | "pending", reason) for the fax the agent replied `sent` to."""
        key = (str(sent.get("queue")), int(sent.get("job") or 0))
        with self._changed:
            if self._changed.wait_for(lambda: key in self._outcomes, timeout):
                return self._outcomes[key]
        return "pending", "on its way"
