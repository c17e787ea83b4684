"""What the agent announced to Home Assistant, remembered in `<data_dir>/ha-discovery.json`.

Each announced config topic with the device it belongs to (and, for a supply sensor, the
supply's stable id), plus the topics still being cleared. A copier's supplies are only known once
it reports them, seconds after a start; remembering them lets the agent announce them again
at once instead of deleting them and creating them anew (HA would lose their history and
settings). An entity is removed only when its device leaves the config, when the device
reports its supplies without it, or when this version no longer announces it; and it is
forgotten only once the broker acknowledged the empty config (`cleared`), so an agent
stopped before that clears it again on its next start.

An older agent kept a plain JSON list of topics: those are read as entities of unknown
device, matched to the configured devices by their object id.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from frontdesk.contract.home_assistant import slug

log = logging.getLogger("frontdesk.agent.discovery")
UNKNOWN = ""  # the supply of an older agent's sensor: kept, but not announced again (its id is unknown)


class Announced:
    """One agent's discovery memory; every method is thread-safe (paho and device threads)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        # topic: {"device": id or None (the agent's own), "supply": its id, UNKNOWN, or None (not a supply)}
        self._entities: dict[str, dict[str, str | None]] = {}
        self._clearing: set[str] = set()
        self._legacy: set[str] = set()  # an older agent's topics, device not yet known
        self._read()

    def supplies(self, device_id: str) -> list[str]:
        """The supplies announced for this device before, to announce again at start."""
        with self._lock:
            return sorted(str(entry["supply"]) for entry in self._entities.values()
                          if entry["device"] == device_id and entry["supply"])

    def start(self, announced: dict[str, str | None], devices: set[str]) -> list[str]:
        """`announced`: every topic published at start, with its device. Returns the remembered
        topics to clear: those of devices no longer configured, and those this version does not
        announce (a supply of a configured device is kept: it is announced once reported)."""
        with self._lock:
            for topic in self._legacy - set(announced):
                device = _device_of(topic, devices)
                if device is not None and "_supply_" in topic.split("/")[-2]:
                    self._entities[topic] = {"device": device, "supply": UNKNOWN}
                else:
                    self._clearing.add(topic)
            self._legacy.clear()
            for topic, entry in list(self._entities.items()):
                if topic in announced or (entry["device"] in devices and entry["supply"] is not None):
                    continue
                del self._entities[topic]
                self._clearing.add(topic)
            for topic, device in announced.items():
                kept = self._entities.get(topic, {}).get("supply")
                self._entities[topic] = {"device": device, "supply": kept}
                self._clearing.discard(topic)
            self._write()
            return sorted(self._clearing)

    def add(self, topic: str, device_id: str, supply: str | None = None) -> None:
        with self._lock:
            if self._entities.get(topic) == {"device": device_id, "supply": supply}:
                return
            self._entities[topic] = {"device": device_id, "supply": supply}
            self._clearing.discard(topic)
            self._write()

    def supplies_gone(self, device_id: str, reported: set[str]) -> list[str]:
        """The device reported its supplies: the supply topics of it not among `reported` are
        to be cleared (a cartridge type removed, or a queue pointed at another machine)."""
        with self._lock:
            gone = [topic for topic, entry in self._entities.items() if entry["device"] == device_id
                    and topic not in reported and entry["supply"] is not None]
            for topic in gone:
                del self._entities[topic]
                self._clearing.add(topic)
            if gone:
                self._write()
            return sorted(gone)

    def cleared(self, topic: str) -> None:
        with self._lock:
            if topic in self._clearing:
                self._clearing.discard(topic)
                self._write()

    def _read(self) -> None:
        try:
            data = json.loads(self._path.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            log.warning("cannot read %s (%s); starting with nothing remembered", self._path, error)
            return
        if isinstance(data, list) and all(isinstance(topic, str) for topic in data):
            self._legacy = set(data)
        elif isinstance(data, dict) and isinstance(data.get("entities"), dict):
            for topic, entry in data["entities"].items():
                if isinstance(entry, dict):
                    self._entities[topic] = {"device": entry.get("device"), "supply": entry.get("supply")}
            self._clearing = {topic for topic in data.get("clearing", []) if isinstance(topic, str)}
        else:
            log.warning("%s is not what the agent writes; starting with nothing remembered", self._path)

    def _write(self) -> None:
        # Written whole to a new file, then renamed over the old one: a crash mid-write
        # must not leave half of it (the agent would forget what to clear).
        spare = self._path.with_name(self._path.name + ".new")
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            spare.write_text(json.dumps({"entities": self._entities, "clearing": sorted(self._clearing)},
                                        indent=1, sort_keys=True))
            spare.replace(self._path)
        except OSError as error:
            log.warning("cannot remember the announced entities in %s: %s", self._path, error)


def _device_of(topic: str, devices: set[str]) -> str | None:
    """The configured device whose slug starts the topic's object id (the longest such)."""
    object_id = topic.split("/")[-2]
    fitting = [device for device in devices if object_id.startswith(slug(device) + "_")]
    return max(fitting, key=len, default=None)
