"""Drawing the dashboard: the jinja2 templates and the pieces the page replaces in place.

Each piece of the board has a stable element id (`dom_id`); a push says "this id,
this HTML" and the page swaps that element. The same templates draw the whole
page, so a card looks the same whether it came with the page or with a push.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from frontdesk.contract import clock
from frontdesk.manager.web import words
from frontdesk.manager.web.board import Board, Device, Target

TEMPLATES = Path(__file__).parent / "templates"
QUEUE_KINDS = ("copier", "fax")


def dom_id(*parts: str) -> str:
    """An element id for a board piece: ids are [a-z0-9_-], so ':' and '/' cannot collide."""
    return parts[0] + ":" + "/".join(parts[1:])


class Renderer:
    def __init__(self, timezone_name: str) -> None:
        self.zone = ZoneInfo(timezone_name)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        )
        self.env.globals.update(
            dom_id=dom_id, words=words, local_time=self.local_time, short_time=self.short_time, ago=ago, iso=iso,
            supplies=supplies, device_facts=device_facts, device_actions=device_actions, summary=summary,
            attention=attention,
        )

    def page(self, template: str, /, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    def board(self, board: Board) -> str:
        with board.lock:
            return self.page("_board.html", board=board)

    def updates(self, board: Board, targets: list[Target]) -> dict[str, Any]:
        """One push: the HTML of every changed piece, or a request to fetch a snapshot."""
        if ("layout",) in targets:
            return {"resync": True, "seq": board.seq}
        pieces = []
        with board.lock:
            for target in targets:
                pieces.append(self._piece(board, target))
            seq = board.seq
        return {"seq": seq, "updates": [piece for piece in pieces if piece is not None]}

    def _piece(self, board: Board, target: Target) -> dict[str, str] | None:
        kind, *key = target
        if kind == "device":
            device = board.device(*key)
            if device is None:
                return None
            agent = board.agent(key[0], key[1])
            html = self.page("_device.html", device=device, agent=agent)
            return {"id": dom_id("device", *key), "html": html}
        if kind == "agent":
            agent = board.agent(*key)
            if agent is None:
                return None
            return {"id": dom_id("agent", *key), "html": self.page("_agent.html", site=board.sites[key[0]], agent=agent)}
        if kind == "kiosks":
            return {"id": dom_id("kiosks", *key), "html": self.page("_kiosks.html", site=board.sites[key[0]])}
        if kind == "events":
            return {"id": "events", "html": self.page("_events.html", board=board)}
        if kind == "summary":
            return {"id": "summary", "html": self.page("_summary.html", board=board)}
        return None

    def local_time(self, moment: datetime | None) -> str:
        """'09:12' today, 'Mon 23 Nov 09:12' otherwise, in the office's time zone."""
        if moment is None:
            return "an unknown time"
        local, today = moment.astimezone(self.zone), clock.today(self.zone)
        return local.strftime("%H:%M") if local.date() == today else local.strftime("%a %d %b %H:%M")

    def short_time(self, moment: datetime | None) -> str:
        """'09:12' today, '22 Nov' before: fits the narrow time column of event lists."""
        if moment is None:
            return ""
        local, today = moment.astimezone(self.zone), clock.today(self.zone)
        return local.strftime("%H:%M") if local.date() == today else local.strftime("%d %b")


def iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """'just now', '14 min ago', '3 h ago', '2 days ago' (the page refreshes these)."""
    if moment is None:
        return ""
    seconds = ((now or clock.now()) - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def supplies(device: Device) -> list[dict[str, Any]]:
    """Supply levels as bars: name, level 0-100 (None when the machine does not say), tone."""
    found = []
    for supply in device.state.get("supplies") or []:
        if not isinstance(supply, dict):
            continue
        level = supply.get("level")
        level = max(0, min(100, int(level))) if isinstance(level, (int, float)) and level >= 0 else None
        tone = "unknown" if level is None else "error" if level <= 5 else "warning" if level <= 20 else "ok"
        found.append({"name": str(supply.get("name") or supply.get("kind") or "supply"), "level": level, "tone": tone})
    return found


def device_facts(device: Device) -> list[tuple[str, str]]:
    """The kind's own fields, as (label, value) lines."""
    state, facts = device.state, []
    if device.kind == "printer":
        paper = {"ok": "loaded", "near_end": "nearly used up", "out": "out"}.get(state.get("paper"), state.get("paper"))
        if paper:
            facts.append(("Paper", str(paper)))
        if state.get("cover_open"):
            facts.append(("Cover", "open"))
    if device.kind in QUEUE_KINDS:
        if state.get("state"):
            facts.append(("Queue", {"idle": "idle", "processing": "printing", "stopped": "stopped"}.get(
                state["state"], str(state["state"]))))
        waiting = state.get("jobs_waiting")
        if isinstance(waiting, int):
            facts.append(("Jobs waiting", str(waiting)))
        if state.get("accepting") is False:
            facts.append(("New jobs", "refused"))
    if device.kind == "scale" and state.get("unit"):
        facts.append(("Unit", str(state["unit"])))
    message = state.get("message")
    if message:
        facts.append(("Says", str(message)))
    return facts


def device_actions(device: Device) -> list[str]:
    """The dashboard actions that make sense for this device."""
    if device.kind == "printer":
        return ["printer_test"]
    if device.kind in QUEUE_KINDS:
        paused = device.state.get("state") == "stopped" or "paused" in device.reasons
        return ["queue_status", "queue_resume" if paused else "queue_pause"]
    return []


def summary(board: Board) -> dict[str, int]:
    """How many devices are in each health; a device whose agent is offline counts as offline."""
    counts = {"ok": 0, "warning": 0, "error": 0, "offline": 0}
    for site in board.sites.values():
        for agent in site.agents.values():
            for device in agent.devices.values():
                counts["offline" if agent.status == "offline" else device.health] += 1
    return counts


def attention(board: Board) -> list[dict[str, Any]]:
    """Devices that are not OK, worst first: the short list at the top of the page."""
    found = []
    for site in board.sites.values():
        for agent in site.agents.values():
            for device in agent.devices.values():
                agent_down = agent.status == "offline"
                health = "offline" if agent_down else device.health
                if health == "ok":
                    continue
                reason = "agent_offline" if agent_down else (device.reasons[0] if device.reasons else health)
                found.append({"device": device, "health": health, "text": words.reason_text(reason)})
    return sorted(found, key=lambda item: (words.HEALTH_ORDER.get(item["health"], 9), item["device"].site,
                                           item["device"].agent, item["device"].id))
