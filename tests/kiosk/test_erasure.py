"""`frontdesk-kiosk erase`: afterwards no file of the kiosk or the agent holds the visitor's name.

A real agent with its print queue, a real broker and printer simulator, the real visitor log and
kiosk outbox, and the CLI as staff run it. What is checked is the bytes of every file under
both data directories (databases and their WAL files included).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from testbed import Recorder, RunningAgent, agent_toml

from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import parse_config
from frontdesk.contract.outbox import FILE_NAME as OUTBOX_FILE
from frontdesk.contract.outbox import EventOutbox
from frontdesk.kiosk.visits import VisitorLog

REPO = Path(__file__).resolve().parents[2]
PREFIX = "frontdesk/test/agent/main"
NAME = "Zenobia Quackenbush-Ștefănescu"
TRACE = b"Quackenbush"  # ASCII: found in any encoding the name was stored in


def files_holding(root: Path, needle: bytes) -> list[str]:
    return [str(path) for path in sorted(root.rglob("*")) if path.is_file() and needle in path.read_bytes()]


def test_after_erase_no_file_of_the_kiosk_or_the_agent_contains_the_name(broker, printer_sim, tmp_path):
    toml = (agent_toml(broker, printer_sim.port, tmp_path / "agent")
            + f'[kiosk]\ndata_dir = "{tmp_path / "kiosk"}"\nagent = "main"\n')
    (tmp_path / "frontdesk.toml").write_text(toml, encoding="utf-8")
    visitors = VisitorLog(tmp_path / "kiosk" / "visitors.db", timezone="Europe/Bucharest")
    printed = visitors.sign_in(name=NAME, company="Quackenbush SRL", host="Ion Popescu", language="ro")
    waiting = visitors.sign_in(name=NAME, company="Quackenbush SRL", language="ro")
    other = visitors.sign_in(name="Ion Ionescu", company="Firma", language="ro")
    visitors.close()
    # An arrival notice the kiosk could not send yet (the broker was away).
    outbox = EventOutbox(tmp_path / "kiosk" / OUTBOX_FILE, lambda topic, data: None, threading.Event())
    outbox.put(contract.visitor_arrivals("test"), contract.encode({"name": NAME, "host": "Ion Popescu"}))
    outbox.put(contract.visitor_arrivals("test"), contract.encode({"name": "Ion Ionescu", "host": None}))
    outbox.close()

    desk = Recorder(broker, f"{PREFIX}/#", prefix=PREFIX)
    try:
        with RunningAgent(parse_config(toml)):
            desk.wait_for(lambda t, p, r: t == f"{PREFIX}/availability" and p == b"online")

            def badge(visit, wait):
                return desk.command("print_badge", {"request_id": visit.id, "visitor_name": visit.name,
                                                    "company": visit.company, "badge_number": visit.badge_number,
                                                    "wait": wait})

            assert badge(printed, 10)["result"]["state"] == "printed"
            printer_sim.state.paper = "out"
            desk.state("desk-printer", health="error")
            assert badge(waiting, 0)["result"]["state"] == "queued"
            erase = subprocess.run(
                [sys.executable, "-m", "frontdesk.kiosk.cli", "erase", "--visitor", "zenobia quackenbush-stefanescu",
                 "--config", str(tmp_path / "frontdesk.toml")],
                capture_output=True, text=True, timeout=60, cwd=REPO,
                env={**os.environ, "FRONTDESK_CONFIG": "", "PYTHONUTF8": "1"})
            printer_sim.state.paper = "ok"
            # The sentinel: a receipt after the withdrawn badge prints, so the badge would have first.
            receipt = desk.command("print_receipt", {"items": [{"description": "Timbru", "unit_price": "1"}],
                                                     "payment_method": "cash", "wait": 20})
    finally:
        desk.close()
    assert erase.returncode == 0, erase.stderr
    assert "Erased 2 records" in erase.stdout and "Withdrew 1 arrival notice not yet sent" in erase.stdout
    assert "Withdrew 1 badge waiting at the printer" in erase.stdout
    assert receipt["result"]["state"] == "printed"
    assert sum("Quackenbush" in job.text_rendering() for job in printer_sim.jobs) == 1  # the first badge only
    assert files_holding(tmp_path / "kiosk", TRACE) == []
    assert files_holding(tmp_path / "agent", TRACE) == []
    # Only that visitor: the other one's visit and arrival notice are still there.
    assert files_holding(tmp_path / "kiosk", b"Ionescu") != []
    kept = VisitorLog(tmp_path / "kiosk" / "visitors.db", timezone="Europe/Bucharest")
    assert kept.get(other.id) is not None and kept.get(printed.id) is None
    kept.close()
