"""A visitor's erasure everywhere their name is kept, not only in the visitor log.

* the visitor log (visits, signatures, invitations: kiosk/visits.py);
* the kiosk's event outbox: an arrival notice not yet sent names them, and must not go out
  later (contract/outbox.py `withdraw`);
* the agent's print queue: a badge still waiting is withdrawn, and finished ones were
  stripped of names when they finished (agent/ledger/personal_data.py). The agent is asked
  over MQTT with the visits' ids (`forget_jobs`), never with the name.

Every file is left without the erased bytes: secure_delete zeroes deleted records and the
WAL is emptied (contract/durable.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import FrontdeskConfig
from frontdesk.contract.mqtt_client import AgentConnection
from frontdesk.contract.outbox import FILE_NAME as OUTBOX_FILE
from frontdesk.contract.outbox import withdraw
from frontdesk.kiosk.names import fold

AGENT_TIMEOUT = 5.0


@dataclass(frozen=True)
class Erasure:
    records: int  # visits, signatures' visits and invitations
    messages: int  # arrival notices withdrawn before they were sent
    print_jobs: int | None  # badges withdrawn from the agent's queue; None: the agent did not answer
    agent_error: str | None = None


def erase_everywhere(config: FrontdeskConfig, log, name: str) -> Erasure:
    visit_ids = [record["id"] for record in log.visitor_records(name) if record["record"] == "visit"]
    records = log.erase_visitor(name)
    key = fold(name)
    messages = withdraw(config.kiosk.data_dir / OUTBOX_FILE,
                        lambda topic, event: isinstance(event.get("name"), str) and fold(event["name"]) == key)
    if not visit_ids:
        return Erasure(records, messages, 0)
    reply = _ask_agent(config, visit_ids)
    if reply.get("ok"):
        return Erasure(records, messages, reply["result"]["withdrawn"])
    return Erasure(records, messages, None, reply["error"]["message"])


def _ask_agent(config: FrontdeskConfig, visit_ids: list[str]) -> dict:
    site, kiosk, login = config.site, config.kiosk, config.mqtt_for("kiosk")
    link = AgentConnection(login, site, kiosk.agent, f"frontdesk-kiosk-erase-{uuid.uuid4().hex[:8]}",
                           replies=contract.kiosk_replies(site, kiosk.id))
    link.start()
    try:
        if not link.connected.wait(AGENT_TIMEOUT):
            return contract.error_reply(contract.AGENT_UNAVAILABLE,
                                        f"no broker at {login.host}:{login.port}")
        return link.commands.request("forget_jobs", {"request_ids": visit_ids}, timeout=AGENT_TIMEOUT)
    finally:
        link.stop()
