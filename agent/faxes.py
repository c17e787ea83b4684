"""Faxes sent through the agent: submitted at once, followed to their outcome on a thread."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from frontdesk.contract.durable import open_durable

log = logging.getLogger("frontdesk.agent.faxes")
FOLLOW_FOR = 15 * 60  # seconds: a fax line may be busy and retried for a while


_SCHEMA = """
CREATE TABLE IF NOT EXISTS fax_request (
    request_id  TEXT PRIMARY KEY,
    reply       TEXT NOT NULL
);
"""


class FaxOutbox:
    def __init__(self, folder: Path, announce: Callable[[str, str, dict[str, Any]], None]) -> None:
        self.folder = folder
        self._announce = announce  # (queue id, event name, fields)
        self._requests = None  # opened by the command thread, the only one that uses it

    def sent_before(self, request_id: str) -> dict[str, Any] | None:
        """The reply given to this request_id, even before the agent's last restart."""
        row = self._ledger().execute("SELECT reply FROM fax_request WHERE request_id = ?", (request_id,)).fetchone()
        return json.loads(row["reply"]) if row else None

    def remember(self, request_id: str, reply: dict[str, Any]) -> None:
        self._ledger().execute("INSERT OR IGNORE INTO fax_request (request_id, reply) VALUES (?, ?)",
                               (request_id, json.dumps(reply)))

    def _ledger(self):
        if self._requests is None:
            self._requests = open_durable(self.folder / "fax-requests.db", _SCHEMA)
        return self._requests

    def send(self, queue, content: bytes, request, office) -> dict[str, Any]:
        from frontdesk.devices.queues import CoverSheet

        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{uuid.uuid4().hex}-{request.filename}"
        path.write_bytes(content)
        cover = CoverSheet(office.name, request.cover_to, request.note) if request.cover_to else None
        try:
            job_id, number = queue.send_fax(path, request.number, region=office.country, cover=cover)
        except Exception:
            path.unlink(missing_ok=True)
            raise
        threading.Thread(target=self._follow, args=(queue, job_id, number, path), daemon=True,
                         name=f"fax-{job_id}").start()
        return {"queue": queue.id, "job": job_id, "number": number, "state": "submitted"}

    def _follow(self, queue, job_id: int, number: str, path: Path) -> None:
        try:
            outcome = queue.outcome(job_id, number, timeout=FOLLOW_FOR)
            name = {"sent": "fax_sent", "failed": "fax_failed"}.get(outcome.outcome, "fax_pending")
            self._announce(queue.id, name, {"job": job_id, "number": number, "reason": outcome.reason})
        except Exception as error:  # noqa: BLE001 - reported as an event, never a dead thread's traceback
            log.warning("lost track of fax job %s: %s", job_id, error)
            self._announce(queue.id, "fax_pending", {"job": job_id, "number": number, "reason": str(error)})
        finally:
            path.unlink(missing_ok=True)
