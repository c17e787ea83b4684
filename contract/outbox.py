"""Events kept on disk until the broker has acknowledged them.

paho keeps unsent QoS 1 messages only in memory, so an event published while the
broker is away would die with the process (the agent's device events and ledger records,
the kiosk's visit records and arrivals). Every event is first written here, then
sent in the order it was written by one sender thread, and deleted only once the
broker's PUBACK arrives. After a crash the rest are sent on the next start; an
event may then reach a subscriber twice (it carries a unique `id` for that), but
never not at all and never out of order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
import json
from collections.abc import Callable
from pathlib import Path

from paho.mqtt.client import MQTTMessageInfo

from frontdesk.contract.durable import open_durable, truncate_wal

FILE_NAME = "event-outbox.db"
BATCH = 50  # events handed to paho at once; it keeps their order
EARLY_KEPT = 256

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL
);
"""

Publish = Callable[[str, bytes], MQTTMessageInfo]


class EventOutbox:
    """`put` stores; `start` runs the sender thread; `acknowledged` (paho's on_publish) deletes.

    `connected` is set by the owner while the client is connected; call `wake` on every connect.
    """

    def __init__(self, path: Path, publish: Publish, connected: threading.Event) -> None:
        self._db = open_durable(path, _SCHEMA, shared=True)
        self._db_lock = threading.Lock()
        self._publish, self._connected = publish, connected
        self._wake = threading.Event()
        # Never held while calling paho: its network thread calls `acknowledged`
        # with paho's own lock held, and publish() needs that lock too.
        self._acks_lock = threading.Lock()
        self._in_flight: dict[int, int] = {}  # MQTT message id -> outbox row id
        # PUBACKs that beat publish() returning. Every other publish of the link
        # (state, replies) is acknowledged here too, so only the newest are kept.
        self._early: OrderedDict[int, None] = OrderedDict()
        self._acked: list[int] = []
        self._last_sent = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, args=(self._stop,), name="event-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sending (what is left stays on disk for the next start)."""
        if self._thread is not None:
            self._stop.set()
            self._wake.set()
            self._thread.join(5)

    def put(self, topic: str, payload: bytes) -> None:
        with self._db_lock:
            self._db.execute("INSERT INTO outbox (topic, payload) VALUES (?, ?)", (topic, payload))
        self._wake.set()

    def pending(self) -> int:
        with self._db_lock:
            return self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def acknowledged(self, mid: int) -> None:
        with self._acks_lock:
            row_id = self._in_flight.pop(mid, None)
            if row_id is None:
                self._early[mid] = None
                if len(self._early) > EARLY_KEPT:
                    self._early.popitem(last=False)
            else:
                self._acked.append(row_id)
        self._wake.set()

    def wake(self) -> None:
        """After a (re)connect, and to let `run` see its stop event."""
        self._wake.set()

    def run(self, stop: threading.Event) -> None:
        """Send in order while connected; sleeps when there is nothing to do."""
        self._wake.set()  # whatever an earlier run left behind
        while not stop.is_set():
            self._wake.wait()
            self._wake.clear()
            self._forget_acknowledged()
            if self._connected.is_set() and not stop.is_set():
                self._send_new()

    def close(self) -> None:
        with self._db_lock:
            self._db.close()

    def _forget_acknowledged(self) -> None:
        with self._acks_lock:
            done, self._acked = self._acked, []
        if done:
            with self._db_lock:
                self._db.executemany("DELETE FROM outbox WHERE id = ?", [(row_id,) for row_id in done])

    def _send_new(self) -> None:
        """Events not yet handed to paho, oldest first; paho resends them after a reconnect."""
        with self._acks_lock:
            room = BATCH - len(self._in_flight)
        if room <= 0:
            return
        with self._db_lock:
            rows = self._db.execute("SELECT id, topic, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
                                    (self._last_sent, room)).fetchall()
        for row in rows:
            info = self._publish(row["topic"], bytes(row["payload"]))
            self._last_sent = row["id"]
            with self._acks_lock:
                if self._early.pop(info.mid, False) is None:
                    self._acked.append(row["id"])
                else:
                    self._in_flight[info.mid] = row["id"]
        if len(rows) == room:
            self._wake.set()  # more may wait once these are acknowledged


def withdraw(path: Path, matches: Callable[[str, dict], bool]) -> int:
    """Delete the events not yet sent whose (topic, JSON payload) `matches`, from any process
    (the erasure of a visitor: their arrival notice must not go out later). Returns how many.
    One already handed to the network client is past recall."""
    if not path.exists():
        return 0
    db = open_durable(path, _SCHEMA)
    try:
        doomed = [row["id"] for row in db.execute("SELECT id, topic, payload FROM outbox")
                  if matches(row["topic"], _decoded(row["payload"]))]
        db.executemany("DELETE FROM outbox WHERE id = ?", [(row_id,) for row_id in doomed])
        truncate_wal(db)
        return len(doomed)
    finally:
        db.close()


def _decoded(payload: bytes) -> dict:
    try:
        data = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}
